/**
 * The `schedule --json` document (zod is the definition; docs/schedule.schema.json is generated
 * from it and pinned by a test).
 */
import { z } from 'zod';
import { SCHEDULE_SCHEMA_VERSION } from './versions.js';


const unitFile = z.object({ name: z.string(), content: z.string() });

export const scheduleReportSchema = z.object({
  schemaVersion: z.literal(SCHEDULE_SCHEMA_VERSION),
  /** The crontab block (marker comments included), as `schedule --install cron` writes it. */
  cron: z.string(),
  systemd: z.object({
    /** The systemd --user unit directory the files go to. */
    dir: z.string(),
    service: unitFile,
    timer: unitFile,
    /** The metrics textfile units (`schedule --metrics-textfile`), or null when not asked for. */
    metrics: z.object({ service: unitFile, timer: unitFile }).nullable(),
    /** The daily clean units (`schedule --clean`), or null when not asked for. */
    clean: z.object({ service: unitFile, timer: unitFile }).nullable(),
  }),
});

export type ScheduleReport = z.infer<typeof scheduleReportSchema>;

/**
 * The `doctor --json` document (zod is the definition; docs/doctor.schema.json is generated from
 * it and pinned by a test). New finding ids need no schema change: `id` is an open string.
 */
import { z } from 'zod';
import { DOCTOR_SCHEMA_VERSION } from './versions.js';


export const findingSchema = z.object({
  /** Stable name of the check, e.g. cap-reached, stale-store-lock, store-unreadable. */
  id: z.string(),
  severity: z.enum(['problem', 'warning', 'ok']),
  message: z.string(),
  /** The shell command (pasteable, with the selection flags in use) or edit that fixes it; null when nothing needs doing. */
  fix: z.string().nullable(),
});

export const doctorReportSchema = z.object({
  schemaVersion: z.literal(DOCTOR_SCHEMA_VERSION),
  /** False when any finding is a problem (exit 6). */
  healthy: z.boolean(),
  verdict: z.enum(['problem', 'warning', 'ok']),
  findings: z.array(findingSchema),
});

export type DoctorReport = z.infer<typeof doctorReportSchema>;

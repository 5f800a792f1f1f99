/**
 * Every `--json` document this tool prints, by the docs/ file its JSON Schema lives in. The zod
 * schemas are the definitions; `npm run schemas` (or `UPDATE_GOLDEN=1 npm test`) regenerates the
 * files, and test/integration/schemas.test.ts fails when one is out of date. Add a field to a zod
 * schema, regenerate, commit both.
 */
import { toJSONSchema, type z } from 'zod';
import { cleanReportSchema } from './clean-report.js';
import { doctorReportSchema } from './doctor-report.js';
import { gatewayReportSchema } from './gateway-report.js';
import { listReportSchema } from './list-report.js';
import { pruneReportSchema } from './prune-report.js';
import { restoreListReportSchema, restoreReportSchema } from './restore-report.js';
import { scheduleReportSchema } from './schedule-report.js';

export const JSON_SCHEMAS: ReadonlyArray<{ file: string; command: string; schema: z.ZodType }> = [
  { file: 'docs/list.schema.json', command: 'list --json', schema: listReportSchema },
  { file: 'docs/prune.schema.json', command: 'prune --json', schema: pruneReportSchema },
  { file: 'docs/restore.schema.json', command: 'restore --json', schema: restoreReportSchema },
  { file: 'docs/restore-list.schema.json', command: 'restore --list --json', schema: restoreListReportSchema },
  { file: 'docs/clean.schema.json', command: 'clean --json', schema: cleanReportSchema },
  { file: 'docs/gateway.schema.json', command: 'gateway --json', schema: gatewayReportSchema },
  { file: 'docs/doctor.schema.json', command: 'doctor --json', schema: doctorReportSchema },
  { file: 'docs/schedule.schema.json', command: 'schedule --json', schema: scheduleReportSchema },
];

/** The exact text of a schema file: JSON Schema (draft 2020-12) from zod, two-space indented. */
export function renderJsonSchema(schema: z.ZodType): string {
  return `${JSON.stringify(toJSONSchema(schema), null, 2)}\n`;
}

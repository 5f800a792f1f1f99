/**
 * The `clean --json` document (the zod schema is the definition; docs/clean.schema.json is
 * generated from it and pinned by a golden test).
 */
import { z } from 'zod';
import { CLEAN_SCHEMA_VERSION } from './versions.js';
import { diskSummarySchema } from './parts.js';


const fileActionSchema = z.object({
  action: z.enum(['remove-tombstone', 'archive-orphan', 'remove-temp']),
  path: z.string(),
  bytes: z.number().int(),
  done: z.boolean().describe('false in a dry run, and for a file skipped at execution'),
  archivedTo: z.string().optional().describe('archive-orphan: the `.deleted.<timestamp>` name it got'),
  why: z.string().optional().describe('why a planned file was skipped at execution'),
});

export const cleanReportSchema = z.object({
  schemaVersion: z.literal(CLEAN_SCHEMA_VERSION),
  dryRun: z.boolean(),
  keepSeconds: z.number().describe('retention of `.deleted.`/`.reset.` archives'),
  stores: z.array(
    z.object({
      storePath: z.string(),
      disk: diskSummarySchema.describe('before this run'),
      files: z.array(fileActionSchema),
      kept: z.array(z.object({ path: z.string(), why: z.string() })).describe('candidates left in place, and why'),
    }),
  ),
  skippedStores: z.array(z.object({ storePath: z.string(), why: z.string() })),
  bytesReclaimed: z.number().int().describe('sizes of the files removed by this run (0 in a dry run)'),
  filesRemoved: z.number().int(),
  transcriptsArchived: z.number().int(),
});
export type CleanReport = z.infer<typeof cleanReportSchema>;

/**
 * The `restore --json` and `restore --list --json` documents (zod is the definition;
 * docs/restore.schema.json and docs/restore-list.schema.json are generated from it, pinned by a test).
 */
import { z } from 'zod';
import { RESTORE_SCHEMA_VERSION } from './versions.js';


export const restoreListReportSchema = z.object({
  schemaVersion: z.literal(RESTORE_SCHEMA_VERSION),
  /** Newest first; a run that touched several stores has one entry per store. */
  runs: z.array(
    z.object({
      runId: z.string(),
      /** ISO time the run started. */
      at: z.string(),
      storePath: z.string(),
      /** Keys the run removed (its commit record); empty for an interrupted run. */
      removed: z.array(z.string()),
      /** Keys whose `sessions.delete` was sent but never answered nor confirmed: the gateway may have deleted them since (an `rpc` run). */
      unconfirmed: z.array(z.string()),
      /** False when the run was interrupted before its commit record: restore puts back every planned key. */
      committed: z.boolean(),
      restoredAt: z.string().nullable(),
      /** Transcripts the run archived (renamed aside). */
      transcripts: z.number().int(),
      /** The journal is bound to this store (its path and directory identity); false: not restorable here. */
      bound: z.boolean(),
      /** Why the run cannot be restored into this store; null when bound. */
      problem: z.string().nullable(),
      /** How the run removed the entries: file edits (restorable), or the gateway's sessions.delete (not). */
      method: z.enum(['file', 'rpc']),
      /** Bound, written by file and not to a SQLite store: `restore RUN_ID` can put it back. */
      restorable: z.boolean(),
      /** Why not, when not restorable (the binding problem first); null when restorable. */
      notRestorableBecause: z.string().nullable(),
    }),
  ),
});

export const restoreReportSchema = z.object({
  schemaVersion: z.literal(RESTORE_SCHEMA_VERSION),
  /** The run restored; null when there was nothing to restore (exit 0). */
  runId: z.string().nullable(),
  restored: z.array(z.object({ key: z.string(), storePath: z.string() })),
  /** Keys left as they are, e.g. because the key exists again (newer than the journal). */
  skipped: z.array(z.object({ key: z.string(), why: z.string() })),
  /** Archived transcripts renamed back. */
  transcripts: z.number().int(),
  /** Journal lines about transcripts that break the archiving rules: left in place, never acted on. */
  transcriptsSkipped: z.array(z.object({ path: z.string(), why: z.string() })),
});

export type RestoreListReport = z.infer<typeof restoreListReportSchema>;
export type RestoreReport = z.infer<typeof restoreReportSchema>;

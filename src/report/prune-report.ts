/**
 * The `prune --json` document (zod schema is the definition; docs/prune.schema.json is
 * generated from it and pinned by a test).
 */
import { z } from 'zod';
import { PRUNE_SCHEMA_VERSION } from './versions.js';
import { SESSION_STATES } from '../sessions/classify.js';
import { SESSION_KINDS } from '../sessions/keys.js';


export const prunedSessionSchema = z.object({
  agentId: z.string(),
  key: z.string(),
  kind: z.enum(SESSION_KINDS),
  conversation: z.boolean().describe('a conversation, pruned only because of --include-conversations'),
  state: z.enum(SESSION_STATES),
  reason: z.string(),
  ageMs: z.number().nullable(),
  holdsSlot: z.boolean(),
  storePath: z.string(),
});

export const pruneReportSchema = z.object({
  schemaVersion: z.literal(PRUNE_SCHEMA_VERSION),
  dryRun: z.boolean(),
  /** Journal run id for `restore`; null on a dry run or with --no-journal. */
  runId: z.string().nullable(),
  summary: z.string(),
  /** On a dry run, the plan: what a real run would remove. */
  pruned: z.array(prunedSessionSchema),
  skipped: z.array(z.object({ agentId: z.string(), key: z.string(), storePath: z.string(), why: z.string() })),
  stores: z.array(
    z.object({
      agentId: z.string(),
      path: z.string(),
      before: z.number().int(),
      after: z.number().int(),
      journal: z.string().nullable(),
      lockWaitMs: z.number().nullable(),
      /** The longest single hold of the gateway's lock, ms; null when it was not taken. */
      lockHoldMs: z.number().nullable(),
      /** Times the lock was taken: more than 1 when the store changed meanwhile and the edit was prepared again outside it. */
      lockAttempts: z.number().int().nullable(),
      /** planned (dry run), pruned, or left untouched: busy (lock held), refused (unsafe), failed. */
      outcome: z.enum(['planned', 'pruned', 'busy', 'refused', 'failed']),
      /** Why a store was left untouched; null otherwise. */
      error: z.string().nullable(),
    }),
  ),
  /** Transcripts archived as `<file>.deleted.<time>`. */
  transcripts: z.array(z.object({ from: z.string(), to: z.string() })),
  /** Candidate transcripts of pruned sessions that exist but were left in place, and why. */
  transcriptsKept: z.array(z.object({ key: z.string(), path: z.string(), why: z.string() })),
  /**
   * ACP slots the gateway's live count dropped by (`recompute.liveBefore - liveAfter`): measured,
   * never inferred. Null when no count could be read (no gateway running, RPC unavailable) and
   * on a dry run (schema 4; before, a dry run put the planned entries' on-disk slots here).
   */
  slotsFreed: z.number().int().nullable(),
  /** Removed (on a dry run: planned) entries that held an ACP slot by what the store says. */
  slotsHeldOnDisk: z.number().int(),
  /** How the running gateway was made to drop its stale handles; null on a dry run. */
  recompute: z
    .object({
      method: z
        .enum(['file', 'rpc', 'restart', 'none'])
        .describe(
          'file: no recompute was needed (no gateway running, or no pruned session held an ACP slot) and the store file was edited; rpc: ACP sessions deleted through the running gateway (sessions.delete), which dropped their handles; restart: the store file was pruned, then the verified gateway restarted; none: the file was pruned and the running gateway still counts the pruned sessions (--recompute none, or auto with neither RPC nor leave to restart)',
        ),
      /** The gateway's live count reflects the prune (or no gateway runs). */
      ok: z.boolean(),
      detail: z.string(),
      gatewayPid: z.number().int().nullable(),
      newGatewayPid: z.number().int().nullable(),
      viaRpc: z.array(z.string()),
      /** The gateway's live `activeRuntimeSessions` before and after; null when unreadable or no gateway runs. */
      liveBefore: z.number().int().nullable(),
      liveAfter: z.number().int().nullable(),
      /** Why a live count is missing, when one is; beside a count read right after a restart, that it may still rise (sessions/start-count.ts). */
      liveNote: z.string().nullable(),
    })
    .nullable(),
  /** Stores that could not be read: left untouched (the run exits 1). Absent when every store was read. */
  failedStores: z.array(z.object({ agentId: z.string(), path: z.string(), error: z.string() })).optional(),
});

export type PruneReport = z.infer<typeof pruneReportSchema>;
export type PrunedSession = z.infer<typeof prunedSessionSchema>;

/**
 * Parts shared by several `--json` documents: the session summary, the gateway's slots, a
 * store's disk use. Zod schemas (the definitions) for the generated docs and the tests; the
 * code that builds them imports only their types, so no command loads zod to print them.
 */
import { z } from 'zod';
import { SESSION_STATES, type SessionState } from '../sessions/classify.js';

const count = z.number().int();
const stateEnum = z.enum(SESSION_STATES);

export const sessionSummarySchema = z.object({
  total: count,
  terminal: count,
  prunable: count,
  byState: z.object(Object.fromEntries(SESSION_STATES.map((state) => [state, count])) as Record<SessionState, typeof count>),
  /** `slotsHeld` null: unknown (the ACP state is unreadable), never a false 0. */
  byAgent: z.record(z.string(), z.object({ total: count, terminal: count, slotsHeld: count.nullable() })),
  /**
   * The slot counts are null (schema 3) when the ACP state is unreadable (OpenClaw 7.x+ keeps it in
   * state/openclaw.sqlite; Node < 22.13 cannot read it): every ACP session is then `unknown`, and
   * 0 would be a count nobody measured.
   */
  acp: z.object({
    slotsHeld: count.nullable(),
    /** `acp.maxConcurrentSessions`, null when unset (no limit). */
    cap: count.nullable(),
    /** Of the held slots, how many by each state (e.g. 2 by errored sessions). */
    heldByState: z.partialRecord(stateEnum, count).nullable(),
    /** Held slots whose sessions are terminal: what a prune + recompute would free. */
    heldByTerminal: count.nullable(),
  }),
});

export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const gatewaySlotsSchema = z.object({
  scope: z
    .enum(['all-agents', 'selected-stores'])
    .describe('all-agents: every store of the install was counted (the cap counts across agents); selected-stores: only the selected store (--store with no config found)'),
  narrowed: z.boolean().describe('--agent or --store selected fewer stores than the install has'),
  capKnown: z.boolean().describe('false when no OpenClaw config was found: cap null then means unknown, not unlimited'),
  cap: z.number().int().nullable(),
  slotsHeld: z.number().int().nullable().describe('null (schema 3): unknown, the ACP state is unreadable (every ACP session is unknown)'),
  heldByState: z.partialRecord(z.enum(SESSION_STATES), z.number().int()).nullable(),
  heldByTerminal: z.number().int().nullable(),
  unreadStores: z.number().int().describe('stores of that set that could not be read (schema 4): their slots are not counted, so slotsHeld is only what the readable stores hold'),
});

export type GatewaySlots = z.infer<typeof gatewaySlotsSchema>;

export const diskSummarySchema = z.object({
  tombstones: z.object({
    count: z.number().int().describe('`.deleted.`/`.reset.` archived transcripts'),
    bytes: z.number().int(),
    oldestArchivedAt: z.string().nullable().describe('ISO time of the oldest archive, from its name'),
    expired: z.number().int().describe('archives older than the retention: what `clean` removes'),
    expiredBytes: z.number().int(),
  }),
  backups: z.object({ count: z.number().int(), bytes: z.number().int() }).describe('`.bak.` archives and rotated store backups (OpenClaw manages these)'),
  orphanTranscripts: z.object({
    count: z.number().int().describe('transcripts no entry of the install refers to'),
    bytes: z.number().int(),
    archivable: z.number().int().describe('quiet for 24h and unlocked: what `clean` archives'),
  }),
  missingTranscripts: z.number().int().describe('entries whose transcript file does not exist'),
  tempFiles: z.object({ count: z.number().int(), bytes: z.number().int(), stale: z.number().int().describe('older than 1h: left by a killed write') }),
  journalBytes: z.number().int().describe("this tool's undo journal beside the store"),
});
export type DiskSummary = z.infer<typeof diskSummarySchema>;

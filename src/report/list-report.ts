/**
 * The `list --json` document: its zod schema (the one definition; docs/list.schema.json is
 * generated from it and a test keeps the two equal) and the pure builder.
 */
import { z } from 'zod';
import { SESSION_STATES } from '../sessions/classify.js';
import { SESSION_KINDS } from '../sessions/keys.js';
import { sessionSummarySchema } from '../sessions/summary.js';
import { gatewaySlotsSchema } from '../sessions/gateway-slots.js';
import { diskSummarySchema } from '../clean/summary.js';

/** 2: state `stuck`, `conversation` per session, `failedStores`, `legacy` stores. */
export const LIST_SCHEMA_VERSION = 2;

const stateEnum = z.enum(SESSION_STATES);

export const storeReportSchema = z.object({
  agentId: z.string(),
  path: z.string(),
  format: z.enum(['json', 'sqlite']),
  source: z.enum(['config', 'discovered', 'explicit']),
  shared: z.boolean(),
  openclawVersion: z.string().optional(),
  sessions: z.number().int(),
  sizeBytes: z.number().int(),
  disk: diskSummarySchema.optional().describe('archives, orphan transcripts, temp files and journal beside a JSON store (`clean` reclaims them)'),
});

export const sessionReportSchema = z.object({
  agentId: z.string(),
  key: z.string(),
  kind: z.enum(SESSION_KINDS),
  conversation: z.boolean().describe('a conversation (main, direct, group, channel, dashboard, cron job, unrecognised keys): never terminal because a turn ended'),
  state: stateEnum,
  terminal: z.boolean(),
  holdsSlot: z.boolean(),
  prunable: z.boolean().describe('selected by a default `prune` (a terminal run, quiet for 10m; never a conversation)'),
  reason: z.string(),
  sessionId: z.string().nullable(),
  updatedAt: z.number().nullable(),
  lastActivityAt: z.number().nullable(),
  ageMs: z.number().nullable(),
  status: z.string().nullable(),
  acp: z
    .object({
      state: z.string().nullable(),
      mode: z.string().nullable(),
      backend: z.string().nullable(),
      agent: z.string().nullable(),
      lastError: z.string().nullable(),
    })
    .nullable(),
  storePath: z.string(),
});

export const listReportSchema = z.object({
  schemaVersion: z.literal(LIST_SCHEMA_VERSION),
  generatedAt: z.string(),
  stateDir: z.string(),
  configPath: z.string().nullable(),
  openclaw: z.object({ version: z.string().nullable(), source: z.enum(['package', 'layout', 'unknown']) }),
  stores: z.array(storeReportSchema),
  sessions: z.array(sessionReportSchema),
  /** Counts of the stores listed (the filters aside). */
  summary: sessionSummarySchema,
  /**
   * sessions.json files beside an agent's OpenClaw 8.1+ SQLite store: leftovers the gateway no
   * longer reads; their entries are not listed, counted or pruned (name one with --store to).
   */
  legacyStores: z.array(z.object({ agentId: z.string(), path: z.string(), sizeBytes: z.number().int() })),
  /** Stores that could not be read (the command exits 1); the others are listed. */
  failedStores: z.array(z.object({ agentId: z.string(), path: z.string(), error: z.string() })),
  /** The slots the gateway's cap is checked against: every agent's, even when --agent narrowed the list. */
  gatewaySlots: gatewaySlotsSchema,
});

export type ListReport = z.infer<typeof listReportSchema>;
export type SessionReport = z.infer<typeof sessionReportSchema>;
export type StoreReport = z.infer<typeof storeReportSchema>;

export interface SessionLike {
  agentId: string;
  key: string;
  kind: SessionReport['kind'];
  conversation: boolean;
  state: SessionReport['state'];
  terminal: boolean;
  holdsSlot: boolean;
  reason: string;
  lastActivityAt: number | null;
  ageMs: number | null;
  storePath: string;
  entry: {
    sessionId: string;
    updatedAt: number;
    status?: string | null;
    acp?: { state?: string; mode?: string; backend?: string; agent?: string; lastError?: string | null } | null;
  } | null;
}

export function sessionReport(session: SessionLike, prunable: boolean): SessionReport {
  const entry = session.entry;
  const acp = entry?.acp;
  return {
    agentId: session.agentId,
    key: session.key,
    kind: session.kind,
    conversation: session.conversation,
    state: session.state,
    terminal: session.terminal,
    holdsSlot: session.holdsSlot,
    prunable,
    reason: session.reason,
    sessionId: entry?.sessionId ?? null,
    updatedAt: entry?.updatedAt ?? null,
    lastActivityAt: session.lastActivityAt,
    ageMs: session.ageMs,
    status: entry?.status ?? null,
    acp: acp
      ? { state: acp.state ?? null, mode: acp.mode ?? null, backend: acp.backend ?? null, agent: acp.agent ?? null, lastError: acp.lastError ?? null }
      : null,
    storePath: session.storePath,
  };
}

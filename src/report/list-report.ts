/**
 * The `list --json` document: its zod schema (the one definition; docs/list.schema.json is
 * generated from it and a test keeps the two equal). The builder is report/session-report.ts.
 */
import { z } from 'zod';
import { LIST_SCHEMA_VERSION } from './versions.js';
import { SESSION_STATES } from '../sessions/classify.js';
import { SESSION_KINDS } from '../sessions/keys.js';
import { diskSummarySchema, gatewaySlotsSchema, sessionSummarySchema } from './parts.js';


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

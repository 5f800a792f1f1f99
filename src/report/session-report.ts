/**
 * One session of the `list --json` document, built from a classified session. Pure; the schema
 * is in list-report.ts, imported here for its type only (no zod at run time).
 */
import type { SessionReport } from './list-report.js';

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

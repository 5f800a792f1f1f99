/**
 * The state of one session, and whether the gateway most likely still counts it against
 * `acp.maxConcurrentSessions` (docs/openclaw.md §1, §4). Pure: everything it needs arrives as data.
 */
import type { EntryReading, SessionEntry } from '../store/schema.js';
import { formatAge } from './duration.js';
import { isAcpKind, parseSessionKey, type SessionKind } from './keys.js';

export const SESSION_STATES = ['running', 'idle', 'errored', 'finished', 'closed', 'stale', 'invalid'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** States whose entries may be pruned (subject to the grace period and the main-session rule). */
export const TERMINAL_STATES: ReadonlySet<SessionState> = new Set(['errored', 'finished', 'closed', 'stale']);

const ENDED_STATUSES = new Set(['done', 'failed', 'killed', 'timeout']);

export interface ClassifyContext {
  now: number;
  /** A "running" claim older than this with no live transcript lock is stale. */
  staleAfterMs: number;
}

export interface ClassifyInput {
  key: string;
  reading: EntryReading;
  /** A `<transcript>.jsonl.lock` held by a live process: a turn is really in progress. */
  hasLiveTranscriptLock: boolean;
}

export interface Classification {
  kind: SessionKind;
  /** Agent named by the key, when the key has the `agent:<id>:` shape. */
  keyAgentId: string | null;
  state: SessionState;
  terminal: boolean;
  holdsSlot: boolean;
  reason: string;
  lastActivityAt: number | null;
  ageMs: number | null;
}

/** Latest sign of life: the entry's own update or the ACP runtime's last activity. */
export function lastActivityOf(entry: SessionEntry): number {
  return Math.max(entry.updatedAt, entry.acp?.lastActivityAt ?? -Infinity, entry.endedAt ?? -Infinity);
}

export function classifySession(input: ClassifyInput, ctx: ClassifyContext): Classification {
  const { kind, agentId: keyAgentId } = parseSessionKey(input.key);
  if (!input.reading.ok) {
    return { kind, keyAgentId, state: 'invalid', terminal: false, holdsSlot: false, reason: `invalid entry: ${input.reading.reason}`, lastActivityAt: null, ageMs: null };
  }
  const entry = input.reading.entry;
  const lastActivityAt = lastActivityOf(entry);
  const ageMs = Math.max(0, ctx.now - lastActivityAt);
  const verdict = decide(kind, entry, ageMs, input.hasLiveTranscriptLock, ctx);
  const state = kind === 'main' ? protectMain(verdict.state) : verdict.state;
  const reason = state === verdict.state ? verdict.reason : `${verdict.reason}; main sessions are never pruned`;
  return {
    kind,
    keyAgentId,
    state,
    terminal: TERMINAL_STATES.has(state),
    holdsSlot: holdsSlot(entry, state),
    reason,
    lastActivityAt,
    ageMs,
  };
}

interface Verdict {
  state: SessionState;
  reason: string;
}

function decide(kind: SessionKind, entry: SessionEntry, ageMs: number, liveLock: boolean, ctx: ClassifyContext): Verdict {
  const acp = entry.acp;
  if (!acp) {
    if (isAcpKind(kind)) return { state: 'closed', reason: 'ACP session closed: key has no acp metadata' };
    if (entry.status === 'running') return runningOrStale('run', ageMs, liveLock, ctx);
    if (entry.status && ENDED_STATUSES.has(entry.status)) return { state: 'finished', reason: `last run ${entry.status}${endedAgo(entry, ctx)}` };
    return { state: 'idle', reason: 'chat session at rest' };
  }
  // The runtime's own state wins: `status` lags it by about a second after a failed turn.
  if (acp.state === 'error') {
    const error = acp.lastError?.trim();
    return { state: 'errored', reason: error ? `last turn failed: ${oneLine(error)}` : 'last turn failed (no error recorded)' };
  }
  if (acp.state === 'running' || entry.status === 'running') return runningOrStale('ACP turn', ageMs, liveLock, ctx);
  if (acp.mode === 'oneshot') {
    // Spawned but never run: the gateway still holds its handle (seen on 2026.4.2).
    if (!entry.status) return { state: 'idle', reason: 'oneshot ACP session spawned, no turn run yet' };
    return { state: 'finished', reason: `oneshot ACP run ended (${entry.status})` };
  }
  if (acp.state === 'idle' || acp.state === undefined) {
    return { state: 'idle', reason: `persistent ACP session at rest${acp.identity?.state === 'pending' ? ' (identity pending)' : ''}` };
  }
  // A state this version does not know: never call it terminal on a guess.
  return { state: 'idle', reason: `unrecognised acp.state "${acp.state}"; treated as not terminal` };
}

function runningOrStale(what: string, ageMs: number, liveLock: boolean, ctx: ClassifyContext): Verdict {
  if (liveLock) return { state: 'running', reason: `${what} in progress (transcript lock held)` };
  if (ageMs > ctx.staleAfterMs) {
    return { state: 'stale', reason: `${what} marked running, but no activity for ${formatAge(ageMs)} and no live transcript lock` };
  }
  return { state: 'running', reason: `${what} in progress (active ${formatAge(ageMs)} ago)` };
}

/** Main sessions are the agent's home conversation; they are never terminal. */
function protectMain(state: SessionState): SessionState {
  return TERMINAL_STATES.has(state) ? 'idle' : state;
}

/**
 * The gateway keeps a runtime handle for every ACP session it touched (docs/openclaw.md §1); oneshot
 * handles are dropped after their turn, so only a oneshot that still claims to run holds one.
 */
function holdsSlot(entry: SessionEntry, state: SessionState): boolean {
  const acp = entry.acp;
  if (!acp || state === 'invalid') return false;
  if (acp.mode === 'oneshot') return state === 'running' || state === 'stale' || (state === 'idle' && !entry.status);
  return true;
}

function endedAgo(entry: SessionEntry, ctx: ClassifyContext): string {
  if (!entry.endedAt) return '';
  return ` ${formatAge(Math.max(0, ctx.now - entry.endedAt))} ago`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/**
 * The state of one session, and whether the gateway most likely still counts it against
 * `acp.maxConcurrentSessions` (docs/openclaw.md §1, §4). Pure: everything it needs arrives as data.
 */
import type { EntryReading, SessionEntry } from '../store/schema.js';
import { formatAge, formatAgo } from './duration.js';
import { isAcpKind, isConversationKind, parseSessionKey, PROBE_KEY_MARK, PROBE_LEFTOVER_AFTER_MS, type SessionKind } from './keys.js';

export const SESSION_STATES = ['running', 'idle', 'stuck', 'errored', 'finished', 'closed', 'stale', 'unknown', 'invalid'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * States whose entries may be pruned (subject to the grace period and the main-session rule).
 * Only runs reach them: a conversation is never terminal (see `isConversationKind`).
 */
export const TERMINAL_STATES: ReadonlySet<SessionState> = new Set(['errored', 'finished', 'closed', 'stale']);

const ENDED_STATUSES = new Set(['done', 'failed', 'killed', 'timeout']);

export interface ClassifyContext {
  now: number;
  /** A "running" claim quiet this long with no live transcript lock is stale (a run) or stuck (a conversation). */
  staleAfterMs: number;
}

export interface ClassifyInput {
  key: string;
  reading: EntryReading;
  /**
   * The entry's `<transcript>.lock` exists and its holder is alive with the start time the lock
   * names: a turn is in progress, whatever the lock's age or the entry's `status` (docs/openclaw.md §4).
   */
  hasLiveTranscriptLock: boolean;
  /**
   * Set (to why) when this version keeps ACP state outside the entry (7.x+ state/openclaw.sqlite) and
   * it could not be read: an ACP session without `acp` is then `unknown`, never `closed`.
   */
  acpStateUnreadable?: string;
}

export interface Classification {
  kind: SessionKind;
  /** Agent named by the key, when the key has the `agent:<id>:` shape. */
  keyAgentId: string | null;
  /** A conversation (never terminal because a turn ended) or a run (subagent, cron run, ACP). */
  conversation: boolean;
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
  const { kind, agentId: keyAgentId, rest } = parseSessionKey(input.key);
  const conversation = isConversationKind(kind);
  if (!input.reading.ok) {
    return { kind, keyAgentId, conversation, state: 'invalid', terminal: false, holdsSlot: false, reason: `invalid entry: ${input.reading.reason}`, lastActivityAt: null, ageMs: null };
  }
  const entry = input.reading.entry;
  const lastActivityAt = lastActivityOf(entry);
  const ageMs = Math.max(0, ctx.now - lastActivityAt);
  const verdict = rest.startsWith(PROBE_KEY_MARK)
    ? probeLeftover(ageMs)
    : conversation
      ? decideConversation(kind, entry, ageMs, input.hasLiveTranscriptLock, ctx)
      : decideRun(kind, entry, ageMs, input.hasLiveTranscriptLock, ctx, input.acpStateUnreadable);
  return {
    kind,
    keyAgentId,
    conversation,
    state: verdict.state,
    terminal: TERMINAL_STATES.has(verdict.state),
    holdsSlot: holdsSlot(entry, verdict.state),
    reason: verdict.reason,
    lastActivityAt,
    ageMs,
  };
}

interface Verdict {
  state: SessionState;
  reason: string;
}

/**
 * This tool's own `/acp doctor` session (keys.ts), still on disk: a live read normally deletes it
 * within seconds, so it was left by a run stopped in between (observed with 2026.7.35 stopped
 * during a live read, helper-17). Named as ours, so nobody takes it for a user's chat; never pruned
 * here — the gateway deletes it when a live read asks, which also closes its transcript.
 */
function probeLeftover(ageMs: number): Verdict {
  const what = "openclaw-sessions' own live-count probe";
  // The next live read (list without --json, doctor, gateway, metrics, prune) deletes it once old.
  if (ageMs > PROBE_LEFTOVER_AFTER_MS) return { state: 'idle', reason: `${what}, left by a run stopped before deleting it; the next live read deletes it` };
  return { state: 'idle', reason: `${what}: another run's in progress, or left by a stopped run; the next live read once it is ${formatAge(PROBE_LEFTOVER_AFTER_MS)} old deletes it` };
}

function stuckFix(kind: SessionKind): string {
  return kind === 'cron' ? "the job's next run starts a new turn and clears it" : 'the next message to this chat starts a new turn and clears it';
}

/**
 * A conversation's `status` is its last turn's, written on every chat after every turn (docs/openclaw.md §4,
 * seen on real 2026.4.2 gateways): `done`/`failed` say nothing about the chat being over, and an
 * aborted, timed-out or crashed turn leaves `running` for good. So a conversation is never
 * terminal; a `running` claim nobody holds is `stuck`, shown but not pruned.
 */
function decideConversation(kind: SessionKind, entry: SessionEntry, ageMs: number, liveLock: boolean, ctx: ClassifyContext): Verdict {
  const what = kind === 'main' ? 'main session' : 'conversation';
  if (liveLock) return { state: 'running', reason: `${what}: turn in progress (transcript lock held by a live process)` };
  if (entry.status === 'running' || entry.acp?.state === 'running') {
    if (ageMs > ctx.staleAfterMs) {
      const aborted = entry.abortedLastRun === true ? 'aborted' : 'aborted, timed out, or the gateway stopped mid-turn';
      return { state: 'stuck', reason: `${what}: last turn still says running after ${formatAge(ageMs)} with no live transcript lock (${aborted}); ${stuckFix(kind)}` };
    }
    return { state: 'running', reason: `${what}: turn in progress (active ${formatAgo(ageMs)})` };
  }
  if (entry.acp?.state === 'error') return { state: 'idle', reason: `${what}: last ACP turn failed${entry.acp.lastError ? `: ${oneLine(entry.acp.lastError)}` : ''}` };
  if (entry.status && ENDED_STATUSES.has(entry.status)) return { state: 'idle', reason: `${what} at rest (last turn ${entry.status}${endedAgo(entry, ctx)})` };
  return { state: 'idle', reason: `${what} at rest` };
}

function decideRun(kind: SessionKind, entry: SessionEntry, ageMs: number, liveLock: boolean, ctx: ClassifyContext, acpStateUnreadable?: string): Verdict {
  // A live holder of the transcript lock is a turn in progress, whatever `status` says: a
  // failing turn writes `failed` at its first error while the gateway retries under the lock.
  if (liveLock) return { state: 'running', reason: `${kind === 'subagent' ? 'subagent run' : kind === 'cron-run' ? 'cron run' : 'ACP turn'} in progress (transcript lock held by a live process)` };
  const acp = entry.acp;
  if (!acp) {
    // Never pruned for lack of data: 7.x+ keeps ACP state in state/openclaw.sqlite.
    if (isAcpKind(kind) && acpStateUnreadable) return { state: 'unknown', reason: `ACP state unknown: ${acpStateUnreadable}` };
    if (isAcpKind(kind)) return { state: 'closed', reason: 'ACP session closed: key has no acp metadata' };
    if (entry.status === 'running') return runningOrStale('run', ageMs, ctx);
    if (entry.status && ENDED_STATUSES.has(entry.status)) return { state: 'finished', reason: `last run ${entry.status}${endedAgo(entry, ctx)}` };
    // The cron runner rewrites a run's entry without `status` (seen on 2026.4.2): with no live
    // lock, a `:run:` entry is a run that is over.
    if (kind === 'cron-run') return { state: 'finished', reason: 'cron run over (no status, no live transcript lock)' };
    return { state: 'idle', reason: 'run not started yet (no status)' };
  }
  // The runtime's own state wins: `status` lags it by about a second after a failed turn.
  if (acp.state === 'error') {
    const error = acp.lastError?.trim();
    return { state: 'errored', reason: error ? `last turn failed: ${turnError(oneLine(error))}` : 'last turn failed (no error recorded)' };
  }
  if (acp.state === 'running' || entry.status === 'running') return runningOrStale('ACP turn', ageMs, ctx);
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

/** Only reached without a live transcript lock: the holder is gone, or there never was one. */
function runningOrStale(what: string, ageMs: number, ctx: ClassifyContext): Verdict {
  if (ageMs > ctx.staleAfterMs) {
    return { state: 'stale', reason: `${what} marked running, but no activity for ${formatAge(ageMs)} and no live transcript lock` };
  }
  return { state: 'running', reason: `${what} in progress (active ${formatAgo(ageMs)})` };
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
  return ` ${formatAgo(Math.max(0, ctx.now - entry.endedAt))}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/**
 * A failed turn's `acp.lastError` as the reason shows it: the runtime's own words first, its code
 * after them. 7.35 and 9.6 write `AcpRuntimeError [ACP_TURN_FAILED]: <what the agent said>`
 * (seen on real gateways: test/fixtures/acp-state/2026.7.35), whose class name and code took the
 * first 40 cells of a table's REASON column; 4.2 writes the agent's words alone.
 */
export function turnError(error: string): string {
  const match = /^(?:AcpRuntimeError|Error)\s*(?:\[([A-Z0-9_]+)\])?:\s*(\S.*)$/s.exec(error);
  if (!match) return error;
  return match[1] ? `${match[2]} (${match[1]})` : match[2]!;
}

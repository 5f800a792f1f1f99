/**
 * Counts for the list footer and the JSON summary: per state, per agent, and the ACP slots
 * the gateway most likely holds against its cap. Pure.
 */
import { SESSION_STATES, type Classification, type SessionState } from './classify.js';
import type { SessionSummary } from '../report/parts.js';

export type { SessionSummary };

type Summarisable = Pick<Classification, 'state' | 'terminal' | 'holdsSlot'> & { agentId: string };

/** Slot counts of sessions on disk; `heldKnown: false` (the ACP state is unreadable) makes every slot count null, never a false 0. */
export function summarize<T extends Summarisable>(sessions: readonly T[], cap: number | null, isPrunable: (s: T) => boolean, heldKnown?: true): KnownSummary;
export function summarize<T extends Summarisable>(sessions: readonly T[], cap: number | null, isPrunable: (s: T) => boolean, heldKnown: boolean): SessionSummary;
export function summarize<T extends Summarisable>(sessions: readonly T[], cap: number | null, isPrunable: (s: T) => boolean, heldKnown = true): SessionSummary {
  const byState = Object.fromEntries(SESSION_STATES.map((state) => [state, 0])) as Record<SessionState, number>;
  const byAgent: Record<string, { total: number; terminal: number; slotsHeld: number | null }> = {};
  const heldByState: Partial<Record<SessionState, number>> = {};
  let terminal = 0;
  let prunable = 0;
  let slotsHeld = 0;
  let heldByTerminal = 0;
  for (const session of sessions) {
    byState[session.state]++;
    const agent = (byAgent[session.agentId] ??= { total: 0, terminal: 0, slotsHeld: 0 });
    agent.total++;
    if (session.terminal) {
      terminal++;
      agent.terminal++;
    }
    if (isPrunable(session)) prunable++;
    if (session.holdsSlot) {
      slotsHeld++;
      agent.slotsHeld = (agent.slotsHeld ?? 0) + 1;
      heldByState[session.state] = (heldByState[session.state] ?? 0) + 1;
      if (session.terminal) heldByTerminal++;
    }
  }
  if (!heldKnown) {
    for (const agent of Object.values(byAgent)) agent.slotsHeld = null;
    return { total: sessions.length, terminal, prunable, byState, byAgent, acp: { slotsHeld: null, cap, heldByState: null, heldByTerminal: null } };
  }
  return { total: sessions.length, terminal, prunable, byState, byAgent, acp: { slotsHeld, cap, heldByState, heldByTerminal } };
}

/** A summary whose slot counts were measured (the ACP state was readable). */
export type KnownSummary = SessionSummary & { acp: { slotsHeld: number; heldByState: Partial<Record<SessionState, number>>; heldByTerminal: number } };

/**
 * "3 of 3 ACP slots held by 2 errored, 1 idle" — the sentence an operator needs. `capKnown: false`
 * (no OpenClaw config was read) says the cap is unknown rather than claiming none is set;
 * `capRemoved` (an 8.1+ install: a SQLite session store) says the release has no cap at all.
 */
export function describeSlots(summary: Pick<SessionSummary, 'acp'>, options: { capKnown?: boolean; capRemoved?: boolean; heldUnknown?: string | null } = {}): string {
  const { slotsHeld, cap, heldByState } = summary.acp;
  // Unknown holders (ACP state unreadable: every ACP session is "unknown" and holds no slot here)
  // are never summed into "0 of 3" (seen on a real 2026.7.35 gateway at 3/3, the tool on Node 20).
  if (options.heldUnknown || slotsHeld === null || heldByState === null) return `ACP slots held${cap === null ? '' : ` (cap ${cap})`}: unknown${options.heldUnknown ? `, ${options.heldUnknown}` : ''}`;
  const head = cap === null ? `${slotsHeld} ACP slot${slotsHeld === 1 ? '' : 's'} held` : `${slotsHeld} of ${cap} ACP slots held`;
  const parts = SESSION_STATES.filter((state) => (heldByState[state] ?? 0) > 0).map((state) => `${heldByState[state]} ${state}`);
  const held = parts.length === 0 ? head : `${head} by ${parts.join(', ')}`;
  if (cap !== null) return held;
  if (options.capKnown === false) return `${held} (cap unknown: no OpenClaw config found)`;
  // 8.1+ removed the key: "no cap set" read as advice to set one, which 9.6 rejects as an invalid config key.
  return options.capRemoved ? `${held} (OpenClaw 2026.8.1+ has no ACP session cap)` : `${held} (no acp.maxConcurrentSessions cap set)`;
}

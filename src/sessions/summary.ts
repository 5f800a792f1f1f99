/**
 * Counts for the list footer and the JSON summary: per state, per agent, and the ACP slots
 * the gateway most likely holds against its cap. Pure.
 */
import { z } from 'zod';
import { SESSION_STATES, type Classification, type SessionState } from './classify.js';

const count = z.number().int();
const stateEnum = z.enum(SESSION_STATES);

export const sessionSummarySchema = z.object({
  total: count,
  terminal: count,
  prunable: count,
  byState: z.object(Object.fromEntries(SESSION_STATES.map((state) => [state, count])) as Record<SessionState, typeof count>),
  byAgent: z.record(z.string(), z.object({ total: count, terminal: count, slotsHeld: count })),
  acp: z.object({
    slotsHeld: count,
    /** `acp.maxConcurrentSessions`, null when unset (no limit). */
    cap: count.nullable(),
    /** Of the held slots, how many by each state (e.g. 2 by errored sessions). */
    heldByState: z.partialRecord(stateEnum, count),
    /** Held slots whose sessions are terminal: what a prune + recompute would free. */
    heldByTerminal: count,
  }),
});

export type SessionSummary = z.infer<typeof sessionSummarySchema>;

type Summarisable = Pick<Classification, 'state' | 'terminal' | 'holdsSlot'> & { agentId: string };

export function summarize<T extends Summarisable>(sessions: readonly T[], cap: number | null, isPrunable: (s: T) => boolean): SessionSummary {
  const byState = Object.fromEntries(SESSION_STATES.map((state) => [state, 0])) as Record<SessionState, number>;
  const byAgent: SessionSummary['byAgent'] = {};
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
      agent.slotsHeld++;
      heldByState[session.state] = (heldByState[session.state] ?? 0) + 1;
      if (session.terminal) heldByTerminal++;
    }
  }
  return { total: sessions.length, terminal, prunable, byState, byAgent, acp: { slotsHeld, cap, heldByState, heldByTerminal } };
}

/**
 * "3 of 3 ACP slots held by 2 errored, 1 idle" — the sentence an operator needs. `capKnown: false`
 * (no OpenClaw config was read) says the cap is unknown rather than claiming none is set.
 */
export function describeSlots(summary: Pick<SessionSummary, 'acp'>, options: { capKnown?: boolean } = {}): string {
  const { slotsHeld, cap, heldByState } = summary.acp;
  const head = cap === null ? `${slotsHeld} ACP slot${slotsHeld === 1 ? '' : 's'} held` : `${slotsHeld} of ${cap} ACP slots held`;
  const parts = SESSION_STATES.filter((state) => (heldByState[state] ?? 0) > 0).map((state) => `${heldByState[state]} ${state}`);
  const held = parts.length === 0 ? head : `${head} by ${parts.join(', ')}`;
  if (cap !== null) return held;
  return options.capKnown === false ? `${held} (cap unknown: no OpenClaw config found)` : `${held} (no acp.maxConcurrentSessions cap set)`;
}

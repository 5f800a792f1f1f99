/**
 * What a gateway started now would count, from the stores alone: with no gateway running no ACP
 * slot is held anywhere, and a start does not bring every entry's handle back. Pure.
 *
 * Source: the gateway's startup identity reconcile (2026.4.2 `reconcilePendingSessionIdentities`
 * in dist/pi-embedded-*.js, run from gateway-cli after start; 2026.7.35
 * `runManagerStartupIdentityReconcile`): it ensures a runtime handle only for ACP sessions whose
 * `acp.identity` is missing or `state: "pending"` — a session spawned without a turn. A session
 * that ran a turn (idle or errored) has a resolved identity and takes a handle again only when it
 * is next used (a turn, a close). Observed (test/e2e/start-recreate.test.ts): 2026.7.35 killed at
 * 4/4 (2 errored, 1 idle, 1 spawned without a turn) started again holding 1 handle, the pending one;
 * 2026.9.6 (no cap) the same, its log saying `acp startup identity reconcile … checked=1 resolved=1`.
 * 2026.4.29 held 2, the 2 its stores mark pending (4.x keeps a session's identity pending after a
 * good turn), once its reconcile had run (1 when read before). 2026.4.2 held 0 of its 2 pending
 * (its reconcile logged `checked=2 resolved=0 failed=2`): there the rule is only an upper bound.
 */
import type { SessionEntry } from '../store/schema.js';

interface Holder {
  holdsSlot: boolean;
  entry: SessionEntry | null;
}

/** Releases whose start was observed re-creating exactly the pending-identity sessions' handles. */
export const START_COUNT_OBSERVED = ['2026.4.29', '2026.7.35', '2026.9.6'] as const;

/** The slot holders a start re-creates handles for (identity missing or pending); at most, as a handle whose agent fails to start is not kept. */
export function recreatedOnStart<T extends Holder>(sessions: readonly T[]): T[] {
  return sessions.filter((session) => {
    const acp = session.entry?.acp;
    if (!session.holdsSlot || !acp) return false;
    return !acp.identity || acp.identity.state === 'pending';
  });
}

/** Whether `version` (package.json's, or null) is one whose start count was observed. */
export function startCountObserved(version: string | null): boolean {
  return version !== null && (START_COUNT_OBSERVED as readonly string[]).includes(version);
}

/**
 * The caveat of a live count read right after a restart, or null when there is none: the new
 * gateway re-creates the handles of the sessions left whose ACP identity is still pending in the
 * background (its startup identity reconcile, above), so a count read before that has run is low
 * (observed on 2026.4.29: 1 read early, 2 once the reconcile had run). `remaining`: the sessions
 * still in the stores after the run; `liveAfter`: the count read. Pure.
 */
export function riseAfterStartNote<T extends Holder>(remaining: readonly T[], liveAfter: number): string | null {
  const pending = recreatedOnStart(remaining).length;
  if (pending <= liveAfter) return null;
  return `read right after the restart: a starting gateway re-creates, in the background, the handles of sessions whose ACP identity is still pending (${pending} left here), so its count may rise to ${pending}`;
}

/**
 * Deleting sessions through the gateway (`sessions.delete`), which closes an ACP session's
 * runtime handle before removing its entry: the only way the live count drops without a
 * restart. The gateway caps each close step at 15 s and answers UNAVAILABLE then, deleting
 * nothing, so those are retried with backoff. One delete took 35–49 s on 2026.4.29 (issue 10),
 * so the client waits well beyond that (DELETE_TIMEOUT_MS); a delete that still times out is
 * looked up with `sessions.list` before it is called a failure — the gateway may have finished
 * it after the client stopped waiting.
 *
 * A delete that got no answer is never sent again: the gateway still holds the request and
 * carries it out when it can. Observed (helper-16, real 7.35 gateway stopped with SIGSTOP in the
 * middle of a prune): after SIGCONT the gateway deleted the session the client had given up on.
 * Its outcome is `unconfirmed`, and the caller sends no further delete to that gateway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayRpc } from '../gateway/rpc-client.js';
import { RpcError } from '../gateway/rpc-error.js';

export interface RpcDeleteOutcome {
  key: string;
  deleted: boolean;
  why?: string;
  attempts: number;
  /** The reply timed out, and `sessions.list` then showed the key gone. */
  confirmedByList?: boolean;
  /**
   * Sent, and neither answered nor confirmed by `sessions.list` (the reply timed out, or the
   * connection closed while waiting): the gateway may still delete it. `deleted` is false.
   * Which of the two happened, as measured.
   */
  unconfirmed?: Unanswered;
}

/** How long the `sessions.list` lookup after a timed-out delete may take. */
const LOOKUP_AFTER_TIMEOUT_MS = 30_000;

/** Above the gateway's own per-step cap (15 s) and the slowest delete observed (49 s, 4.29). */
export const DELETE_TIMEOUT_MS = 120_000;

export async function deleteViaRpc(client: GatewayRpc, keys: readonly string[], options: { retries?: number; backoffMs?: number; deleteTranscript?: boolean; timeoutMs?: number } = {}): Promise<RpcDeleteOutcome[]> {
  const retries = options.retries ?? 3;
  const outcomes: RpcDeleteOutcome[] = [];
  // After a delete with no answer, nothing more is sent to that gateway (see the top of this file).
  let unanswered: { key: string; by: Unanswered } | null = null;
  for (const key of keys) {
    if (unanswered !== null) {
      outcomes.push({ key, deleted: false, why: notSentAfter(unanswered.key, unanswered.by), attempts: 0 });
      continue;
    }
    let attempts = 0;
    let delay = options.backoffMs ?? 2000;
    for (;;) {
      attempts++;
      try {
        const reply = await client.call<{ deleted?: boolean }>('sessions.delete', { key, deleteTranscript: options.deleteTranscript ?? true }, { timeoutMs: options.timeoutMs ?? DELETE_TIMEOUT_MS });
        outcomes.push(reply?.deleted ? { key, deleted: true, attempts } : { key, deleted: false, why: 'the gateway did not delete it (no such session any more)', attempts });
        break;
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        if (error instanceof RpcError && (error.kind === 'timeout' || error.kind === 'closed')) {
          // No answer: the gateway may have finished after we stopped waiting, or may still.
          const still = await keysStillListed(client, [key], LOOKUP_AFTER_TIMEOUT_MS).catch(() => null);
          if (still && still.length === 0) outcomes.push({ key, deleted: true, attempts, confirmedByList: true });
          else {
            unanswered = { key, by: error.kind };
            outcomes.push({ key, deleted: false, unconfirmed: error.kind, why: `${why}; it was sent, so the gateway may still delete it`, attempts });
          }
          break;
        }
        // UNAVAILABLE: the gateway answered that it deleted nothing (its 15 s close cap): ask again.
        if (error instanceof RpcError && error.code === 'UNAVAILABLE' && attempts <= retries) {
          await sleep(delay);
          delay *= 2;
          continue;
        }
        outcomes.push({ key, deleted: false, why, attempts });
        break;
      }
    }
  }
  return outcomes;
}

/** How a delete went unanswered: its reply timed out (a hung or overloaded gateway), or the connection closed (a gateway killed or restarting). */
export type Unanswered = 'timeout' | 'closed';

/** Why a delete was not sent: an earlier one to the same gateway got no answer. */
export function notSentAfter(unansweredKey: string, by: Unanswered): string {
  const what = by === 'closed' ? `the connection closed before the gateway answered the delete of ${unansweredKey}` : `the gateway did not answer the delete of ${unansweredKey} (a hung or overloaded gateway)`;
  return `not sent: ${what}; run prune again once it answers`;
}

/** Keys from `sessions.list` that are still there (should be none after the deletes). */
export async function keysStillListed(client: GatewayRpc, keys: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const listing = await client.call<{ sessions?: Array<{ key?: unknown }> }>('sessions.list', { includeUnknown: true, includeGlobal: true }, { timeoutMs });
  const present = new Set((listing?.sessions ?? []).map((row) => String(row.key ?? '').toLowerCase()));
  return keys.filter((key) => present.has(key.toLowerCase()));
}

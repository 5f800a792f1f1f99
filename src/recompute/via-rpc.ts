/**
 * Deleting sessions through the gateway (`sessions.delete`), which closes an ACP session's
 * runtime handle before removing its entry: the only way the live count drops without a
 * restart. The gateway caps each close step at 15 s and answers UNAVAILABLE then, deleting
 * nothing, so those are retried with backoff. One delete took 35–49 s on 2026.4.29 (issue 10),
 * so the client waits well beyond that (DELETE_TIMEOUT_MS); a delete that still times out is
 * looked up with `sessions.list` before it is called a failure — the gateway may have finished
 * it after the client stopped waiting.
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
}

/** Above the gateway's own per-step cap (15 s) and the slowest delete observed (49 s, 4.29). */
export const DELETE_TIMEOUT_MS = 120_000;

export async function deleteViaRpc(client: GatewayRpc, keys: readonly string[], options: { retries?: number; backoffMs?: number; deleteTranscript?: boolean; timeoutMs?: number } = {}): Promise<RpcDeleteOutcome[]> {
  const retries = options.retries ?? 3;
  const outcomes: RpcDeleteOutcome[] = [];
  for (const key of keys) {
    let attempts = 0;
    let delay = options.backoffMs ?? 2000;
    for (;;) {
      attempts++;
      try {
        const reply = await client.call<{ deleted?: boolean }>('sessions.delete', { key, deleteTranscript: options.deleteTranscript ?? true }, { timeoutMs: options.timeoutMs ?? DELETE_TIMEOUT_MS });
        outcomes.push(reply?.deleted ? { key, deleted: true, attempts } : { key, deleted: false, why: 'the gateway did not delete it (no such session any more)', attempts });
        break;
      } catch (error) {
        if (error instanceof RpcError && error.kind === 'timeout') {
          // The gateway may have finished after we stopped waiting: ask before calling it failed.
          const still = await keysStillListed(client, [key]).catch(() => null);
          if (still && still.length === 0) {
            outcomes.push({ key, deleted: true, attempts, confirmedByList: true });
            break;
          }
        }
        const retriable = error instanceof RpcError && (error.code === 'UNAVAILABLE' || error.kind === 'timeout');
        if (retriable && attempts <= retries) {
          await sleep(delay);
          delay *= 2;
          continue;
        }
        outcomes.push({ key, deleted: false, why: error instanceof Error ? error.message : String(error), attempts });
        break;
      }
    }
  }
  return outcomes;
}

/** Keys from `sessions.list` that are still there (should be none after the deletes). */
export async function keysStillListed(client: GatewayRpc, keys: readonly string[]): Promise<string[]> {
  const listing = await client.call<{ sessions?: Array<{ key?: unknown }> }>('sessions.list', { includeUnknown: true, includeGlobal: true }, { timeoutMs: 30_000 });
  const present = new Set((listing?.sessions ?? []).map((row) => String(row.key ?? '').toLowerCase()));
  return keys.filter((key) => present.has(key.toLowerCase()));
}

/**
 * Deleting sessions through the gateway (`sessions.delete`), which closes an ACP session's
 * runtime handle before removing its entry: the only way the live count drops without a
 * restart. The gateway caps each close at 15 s and answers UNAVAILABLE then, deleting nothing,
 * so those are retried with backoff.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayRpc } from '../gateway/rpc-client.js';
import { RpcError } from '../gateway/rpc-client.js';

export interface RpcDeleteOutcome {
  key: string;
  deleted: boolean;
  why?: string;
  attempts: number;
}

export async function deleteViaRpc(client: GatewayRpc, keys: readonly string[], options: { retries?: number; backoffMs?: number; deleteTranscript?: boolean } = {}): Promise<RpcDeleteOutcome[]> {
  const retries = options.retries ?? 3;
  const outcomes: RpcDeleteOutcome[] = [];
  for (const key of keys) {
    let attempts = 0;
    let delay = options.backoffMs ?? 2000;
    for (;;) {
      attempts++;
      try {
        const reply = await client.call<{ deleted?: boolean }>('sessions.delete', { key, deleteTranscript: options.deleteTranscript ?? true }, { timeoutMs: 45_000 });
        outcomes.push(reply?.deleted ? { key, deleted: true, attempts } : { key, deleted: false, why: 'the gateway did not delete it (no such session any more)', attempts });
        break;
      } catch (error) {
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

/**
 * The RPC half of a prune: journal the entries, ask the gateway to delete them
 * (`sessions.delete` closes each ACP handle first), record which went, check `sessions.list`.
 */
import type { GatewayRpc } from '../gateway/rpc-client.js';
import { deleteViaRpc, keysStillListed } from '../recompute/via-rpc.js';
import { planOfItems, type PrunePlanItem } from '../sessions/plan.js';
import { appendJournal, journalPathFor } from '../store/journal.js';
import type { SkippedItem } from './apply.js';

export interface RpcApplyResult {
  removed: PrunePlanItem[];
  skipped: SkippedItem[];
  /** Keys the gateway said it deleted but still lists. */
  stillListed: string[];
}

export async function applyViaRpc(
  client: GatewayRpc,
  items: readonly PrunePlanItem[],
  options: { runId: string; toolVersion: string; journal: boolean; retries?: number; backoffMs?: number; deleteTranscript?: boolean },
): Promise<RpcApplyResult> {
  const { byStore } = planOfItems([...items], items.length);
  if (options.journal) {
    for (const [storePath, group] of byStore) {
      appendJournal(journalPathFor(storePath), {
        type: 'prune',
        runId: options.runId,
        at: new Date().toISOString(),
        toolVersion: options.toolVersion,
        storePath,
        entries: Object.fromEntries(group.map((item) => [item.key, item.raw])),
        states: Object.fromEntries(group.map((item) => [item.key, item.state])),
      });
    }
  }
  const outcomes = await deleteViaRpc(client, items.map((item) => item.key), { retries: options.retries, backoffMs: options.backoffMs, deleteTranscript: options.deleteTranscript });
  const byKey = new Map(items.map((item) => [item.key, item]));
  const removed: PrunePlanItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const outcome of outcomes) {
    const item = byKey.get(outcome.key)!;
    if (outcome.deleted) removed.push(item);
    else skipped.push({ agentId: item.agentId, key: item.key, storePath: item.storePath, why: `gateway: ${outcome.why}` });
  }
  if (options.journal) {
    for (const [storePath, group] of byStore) {
      const keys = group.filter((item) => removed.includes(item)).map((item) => item.key);
      if (keys.length > 0) appendJournal(journalPathFor(storePath), { type: 'commit', runId: options.runId, at: new Date().toISOString(), storePath, removed: keys });
    }
  }
  const stillListed = removed.length > 0 ? await keysStillListed(client, removed.map((item) => item.key)) : [];
  return { removed, skipped, stillListed };
}

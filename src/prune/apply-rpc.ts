/**
 * The RPC half of a prune: journal the entries, ask the gateway to delete them
 * (`sessions.delete` closes each ACP handle first), record which went, check `sessions.list`.
 */
import type { GatewayRpc } from '../gateway/rpc-client.js';
import { deleteViaRpc, keysStillListed } from '../recompute/via-rpc.js';
import { planOfItems, type PrunePlanItem } from '../sessions/plan.js';
import { JournalWriter, journalPathFor } from '../store/journal.js';
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
  options: { runId: string; toolVersion: string; journal: boolean; retries?: number; backoffMs?: number },
): Promise<RpcApplyResult> {
  const { byStore } = planOfItems([...items], items.length);
  // One writer per store; a store none of whose keys the gateway deleted keeps no record.
  const journals = new Map<string, JournalWriter>();
  try {
    if (options.journal) {
      for (const [storePath, group] of byStore) {
        const writer = new JournalWriter(journalPathFor(storePath));
        journals.set(storePath, writer);
        writer.begin({
          runId: options.runId,
          at: new Date().toISOString(),
          toolVersion: options.toolVersion,
          storePath,
          entries: Object.fromEntries(group.map((item) => [item.key, item.raw])),
          states: Object.fromEntries(group.map((item) => [item.key, item.state])),
        });
        writer.editing();
      }
    }
    const outcomes = await deleteViaRpc(client, items.map((item) => item.key), { retries: options.retries, backoffMs: options.backoffMs });
    const byKey = new Map(items.map((item) => [item.key, item]));
    const removed: PrunePlanItem[] = [];
    const skipped: SkippedItem[] = [];
    for (const outcome of outcomes) {
      const item = byKey.get(outcome.key)!;
      if (outcome.deleted) removed.push(item);
      else skipped.push({ agentId: item.agentId, key: item.key, storePath: item.storePath, why: `gateway: ${outcome.why}` });
    }
    for (const [storePath, group] of byStore) {
      const writer = journals.get(storePath);
      if (!writer) continue;
      const keys = group.filter((item) => removed.includes(item)).map((item) => item.key);
      if (keys.length > 0) writer.commit({ runId: options.runId, at: new Date().toISOString(), storePath, removed: keys });
      else writer.rollback();
    }
    const stillListed = removed.length > 0 ? await keysStillListed(client, removed.map((item) => item.key)) : [];
    return { removed, skipped, stillListed };
  } finally {
    for (const writer of journals.values()) writer.close();
  }
}

/**
 * The RPC half of a prune: journal the entries, ask the gateway to delete them
 * (`sessions.delete` closes each ACP handle first), record which went, check `sessions.list`.
 * A delete the gateway did not answer ends the sending (via-rpc.ts): the key is recorded in the
 * journal's commit as `unconfirmed`, since the gateway may still carry it out.
 */
import type { GatewayRpc } from '../gateway/rpc-client.js';
import { deleteViaRpc, keysStillListed, notSentAfter, type RpcDeleteOutcome, type Unanswered } from '../recompute/via-rpc.js';
import { onInterrupt, setInterruptNote } from '../system/cleanup.js';
import { listRemoteSessions } from '../gateway/remote-sessions.js';
import { planOfItems, type PrunePlanItem } from '../sessions/plan.js';
import { fingerprintOf } from '../sessions/plan-prune.js';
import { JournalWriter } from '../store/journal.js';
import { journalPathFor } from '../store/journal-path.js';
import { statSync } from 'node:fs';
import { readJsonStore } from '../store/read-json.js';
import { readSqliteStore } from '../store/read-sqlite.js';
import type { SkippedItem } from './apply.js';

export interface RpcApplyResult {
  removed: PrunePlanItem[];
  skipped: SkippedItem[];
  /** Keys the gateway said it deleted but still lists; an Error when its `sessions.list` failed (not checked). */
  stillListed: string[] | Error;
  /** Keys whose delete was sent and never answered nor confirmed: the gateway may still delete them (also in `skipped`). */
  unconfirmed: string[];
  /** How the unconfirmed delete went unanswered (timeout or closed connection); null when none did. */
  unansweredBy: Unanswered | null;
}

export async function applyViaRpc(
  client: GatewayRpc,
  items: readonly PrunePlanItem[],
  options: {
    runId: string;
    toolVersion: string;
    journal: boolean;
    retries?: number;
    backoffMs?: number;
    deleteTranscript?: boolean;
    remote?: boolean;
    deleteTimeoutMs?: number;
    /** The `list` the interrupt note points to, for the install pruned (install-commands.ts); bare when absent. */
    listCommand?: string;
    /** Told of each delete the gateway answered as done (an interrupted run's record). */
    onRemoved?: (count: number) => void;
  },
): Promise<RpcApplyResult> {
  const { byStore } = planOfItems([...items], items.length);
  // One writer per store; a store none of whose keys the gateway deleted keeps no record.
  const journals = new Map<string, JournalWriter>();
  const outcomes: RpcDeleteOutcome[] = [];
  let inFlight: string | null = null;
  let forgetInterrupt = (): void => undefined;
  try {
    if (options.journal) beginJournals(journals, byStore, options);
    forgetInterrupt = recordIfInterrupted({ journals, byStore, outcomes, inFlight: () => inFlight, planned: items.length, runId: options.runId, listCommand: options.listCommand ?? 'openclaw-sessions list' });
    const byKey = new Map(items.map((item) => [item.key, item]));
    const removed: PrunePlanItem[] = [];
    const skipped: SkippedItem[] = [];
    const current = new CurrentStores();
    const planned = new Set(items.map((item) => `${item.storePath}\0${item.key}`));
    let unanswered: { key: string; by: Unanswered } | null = null;
    for (const item of items) {
      if (unanswered !== null) {
        skipped.push({ agentId: item.agentId, key: item.key, storePath: item.storePath, why: notSentAfter(unanswered.key, unanswered.by) });
        continue;
      }
      // Re-checked just before its delete: the plan may be minutes old (a prompt, the deletes before it), and the gateway's
      // delete folds case, so a twin could go along. A gateway named by URL: its sessions.list is the current state.
      const now = options.remote ? await listRemoteSessions(client).then((rows) => new Map(rows.map((row) => [row.key, row] as const)), (error: Error) => error) : current.read(item.storePath);
      const why = recheck(item, now, planned);
      if (why) {
        skipped.push({ agentId: item.agentId, key: item.key, storePath: item.storePath, why });
        continue;
      }
      inFlight = item.key;
      const [outcome] = await deleteViaRpc(client, [item.key], { retries: options.retries, backoffMs: options.backoffMs, deleteTranscript: options.deleteTranscript, timeoutMs: options.deleteTimeoutMs });
      outcomes.push(outcome!);
      inFlight = null;
      if (outcome!.deleted) options.onRemoved?.(1);
      if (outcome!.unconfirmed) unanswered = { key: item.key, by: outcome!.unconfirmed };
    }
    const unconfirmed = outcomes.filter((outcome) => outcome.unconfirmed).map((outcome) => outcome.key);
    for (const outcome of outcomes) {
      const item = byKey.get(outcome.key)!;
      if (outcome.deleted) removed.push(item);
      else skipped.push({ agentId: item.agentId, key: item.key, storePath: item.storePath, why: `gateway: ${outcome.why}` });
    }
    for (const [storePath, group] of byStore) {
      const writer = journals.get(storePath);
      if (!writer) continue;
      const keys = group.filter((item) => removed.includes(item)).map((item) => item.key);
      // A delete that may still happen keeps the run's record: the entry as it was, for the operator.
      const maybe = group.filter((item) => unconfirmed.includes(item.key)).map((item) => item.key);
      if (keys.length > 0 || maybe.length > 0) writer.commit({ runId: options.runId, at: new Date().toISOString(), storePath, removed: keys, ...(maybe.length > 0 ? { unconfirmed: maybe } : {}) });
      else writer.rollback();
    }
    forgetInterrupt();
    // A gateway that left a delete unanswered would not answer this either: it is not asked.
    // The deletes are done and journalled: a list that fails now (the gateway hung after them) is
    // reported as "not checked", never as a failed run that hides what was deleted.
    const stillListed = removed.length > 0 && unanswered === null ? await keysStillListed(client, removed.map((item) => item.key)).catch((error: Error) => error) : [];
    return { removed, skipped, stillListed, unconfirmed, unansweredBy: unanswered?.by ?? null };
  } finally {
    forgetInterrupt();
    for (const writer of journals.values()) writer.close();
  }
}

/** One writer per store, its prune record written before any delete is sent. */
function beginJournals(journals: Map<string, JournalWriter>, byStore: ReadonlyMap<string, readonly PrunePlanItem[]>, options: { runId: string; toolVersion: string }): void {
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
      method: 'rpc',
    });
    writer.editing();
  }
}

/**
 * Ctrl-C or SIGTERM between the deletes: those the gateway answered are done and cannot be taken
 * back, so each store's journal gets its commit record now (the keys deleted; the one whose delete
 * was sent and not answered as `unconfirmed`), and the interrupt line says how many went — not
 * "the store holds either its old or its new content", which is true of a file edit only (seen on a
 * real 2026.9.6 gateway: Ctrl-C after 3 of 4 deletes left a record claiming all 4, uncommitted).
 */
function recordIfInterrupted(run: {
  journals: ReadonlyMap<string, JournalWriter>;
  byStore: ReadonlyMap<string, readonly PrunePlanItem[]>;
  outcomes: readonly RpcDeleteOutcome[];
  inFlight: () => string | null;
  planned: number;
  runId: string;
  listCommand: string;
}): () => void {
  const deleted = (): Set<string> => new Set(run.outcomes.filter((outcome) => outcome.deleted).map((outcome) => outcome.key));
  const forgetCleanup = onInterrupt(() => {
    const done = deleted();
    const maybe = run.inFlight();
    for (const [storePath, group] of run.byStore) {
      const writer = run.journals.get(storePath);
      if (!writer) continue;
      const removed = group.filter((item) => done.has(item.key)).map((item) => item.key);
      const unconfirmed = group.filter((item) => item.key === maybe).map((item) => item.key);
      if (removed.length > 0 || unconfirmed.length > 0) writer.commit({ runId: run.runId, at: new Date().toISOString(), storePath, removed, ...(unconfirmed.length > 0 ? { unconfirmed } : {}) });
      else writer.rollback();
    }
  });
  const forgetNote = setInterruptNote(() => {
    const maybe = run.inFlight();
    const sent = maybe === null ? '' : `; the delete of ${maybe} was sent and may still happen`;
    return `the gateway had deleted ${deleted().size} of ${run.planned} planned session${run.planned === 1 ? '' : 's'} (sessions.delete)${sent}; the others are untouched (${run.listCommand} shows what is left)`;
  });
  return () => {
    forgetCleanup();
    forgetNote();
  };
}

/** The store as it is now: key → raw entry; re-read only when the file changed since the last read. */
class CurrentStores {
  private readonly cache = new Map<string, { stamp: string; entries: Map<string, unknown> }>();

  read(storePath: string): Map<string, unknown> | Error {
    try {
      const stat = statSync(storePath);
      const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      const cached = this.cache.get(storePath);
      if (cached && cached.stamp === stamp) return cached.entries;
      const entries = storePath.endsWith('.sqlite')
        ? new Map(readSqliteStore(storePath).rows.map((row) => [row.key, row.raw] as const))
        : new Map(Object.entries(readJsonStore(storePath).document));
      this.cache.set(storePath, { stamp, entries });
      return entries;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

/**
 * A planned key no longer in the store when its delete's turn came: another run (or the gateway)
 * removed it, which is what the delete was for: not a failure of the gateway.
 */
const GONE_SINCE_PLANNING = 'not deleted: the entry is gone from the store since planning';

/**
 * The skipped deletes that count against the run (exit 5): all but keys gone since planning.
 * Observed on a real 2026.7.35 gateway: of two `prune --yes` started together, the second found
 * both planned keys deleted by the first and exited 5, "the gateway could not delete 2 session(s)".
 */
export function rpcFailures(skipped: readonly SkippedItem[]): number {
  return skipped.filter((skip) => skip.why !== GONE_SINCE_PLANNING).length;
}

/**
 * Why a planned RPC delete must not go ahead, or null: the store cannot be read, the entry is
 * gone or changed since planning (a turn started, the gateway touched it), or another key that
 * differs only in case exists and is not planned — the gateway's `sessions.delete` matches keys
 * case-insensitively (OpenClaw stores keys lower-cased, docs/openclaw.md §4), so it could take that twin.
 */
export function recheck(item: PrunePlanItem, current: Map<string, unknown> | Error, planned: ReadonlySet<string>): string | null {
  if (current instanceof Error) return `not deleted: the store could not be re-read just before the delete (${current.message})`;
  if (!current.has(item.key)) return GONE_SINCE_PLANNING;
  // SQLite stores are planned from parsed rows (raw null): presence and twins are what can be checked.
  if (item.raw !== null && fingerprintOf(current.get(item.key)) !== item.fingerprint) return 'not deleted: the entry changed since planning (the gateway touched it)';
  const folded = item.key.toLowerCase();
  for (const key of current.keys()) {
    if (key !== item.key && key.toLowerCase() === folded && !planned.has(`${item.storePath}\0${key}`)) {
      return `not deleted: "${key}" differs only in case and is not planned; the gateway's sessions.delete could remove it too`;
    }
  }
  return null;
}

/**
 * The prune use-case, in the order a command runs it:
 *
 *   preparePrune   discover, read, classify, plan; probe the gateway (only when there is
 *                  something to prune and it is not a dry run)
 *   choosePruneRoute  how the removals reach the gateway (RPC or file), refusing what cannot be
 *                  done safely — everything that can refuse happens before anyone is asked
 *   executePrune   under the run lock: RPC deletes, then journalled file edits under the
 *                  gateway's lock, then the recompute; returns a plain PruneReport
 *
 * The confirmation question and all output live in cli/commands/prune.ts.
 */
import type { Env } from '../env.js';
import { ToolError } from '../errors.js';
import { explicitTarget } from '../gateway/target.js';
import { connectRpc, probeGateway, readLiveAgain, type GatewayStatus } from '../gateway/probe.js';
import { remoteInventory } from '../gateway/remote-inventory.js';
import { restartGateway } from '../recompute/via-restart.js';
import { takeInventory, type Inventory, type InventoryOptions } from '../inventory.js';
import type { RecomputeDecision, RecomputeRequest } from '../recompute/choose.js';
import type { PruneReport } from '../report/prune-report.js';
import { planOfItems, type PlanCandidate, type PruneCriteria, type PrunePlan, type PrunePlanItem } from '../sessions/plan.js';
import { planPrune } from '../sessions/plan-prune.js';
import { newStoreHash, type Snapshot } from '../store/edit-store.js';
import { withLockedWrites } from '../store/locked-write.js';
import type { TranscriptScope } from '../store/archive-transcripts.js';
import { journalPathFor } from '../store/journal-path.js';
import { applyRetention } from '../store/journal-retention.js';
import { removeStaleTemps } from '../store/safe-fs.js';
import { readJsonStore } from '../store/read-json.js';
import { assertStoreWritable } from '../store/store-safety.js';
import { applyPrunePlan, type StoreApplyResult } from './apply.js';
import { applyViaRpc } from './apply-rpc.js';
import { decideRecompute, decideRemoteRecompute, finishRecompute, hasAcpObject, measureAfter, recomputeReport, rpcRecomputeReport } from './recompute.js';
import { finalReport, isPartial, planReport, type RecomputeReport } from './report.js';

export interface PruneRequest {
  inventory: InventoryOptions;
  /** Store path given explicitly (`--store`): it must exist. */
  explicitStore?: string;
  criteria: PruneCriteria;
  recompute: RecomputeRequest;
  dryRun: boolean;
  /** `--url`, `--token`, `--password`: the gateway to talk to, and its secret. */
  gateway?: { url?: string; token?: string; password?: string };
}

export interface PreparedPrune {
  inventory: Inventory;
  plan: PrunePlan;
  /** Probed (with its live count) when a real run has something to prune or a restart was asked for; null otherwise. */
  gateway: GatewayStatus | null;
  /** The gateway was named by URL: sessions came from its RPC and leave only through it. */
  remote: boolean;
}

/** No selected store could be read: there is nothing to act on. */
export class StoresUnreadableError extends ToolError {
  /** One per store, in discovery order; the message is the first's. */
  readonly errors: Error[];
  /** What was read, healthy stores included (so cli/ can say how to act on those). */
  readonly inventory: Inventory | undefined;
  constructor(errors: Error[], inventory?: Inventory) {
    super(errors[0] instanceof ToolError ? errors[0].kind : 'failed', errors[0]?.message ?? 'a store could not be read', { cause: errors[0] });
    this.name = 'StoresUnreadableError';
    this.errors = errors;
    this.inventory = inventory;
  }
}

/**
 * Reads every selected store and plans. A store that cannot be read is left out of the plan and
 * untouched (`inventory.failures` names it; the command exits 1 at the end): one broken agent
 * store must not keep every other agent stuck. Throws StoresUnreadableError when no store could
 * be read at all.
 */
export async function preparePrune(request: PruneRequest, env: Env): Promise<PreparedPrune> {
  let inventory = takeInventory(env, { ...request.inventory, retainDocuments: true, hash: newStoreHash });
  let gateway: GatewayStatus | null = null;
  const remote = explicitTarget(request.gateway?.url, env, inventory.config) !== null;
  if (remote) {
    // A gateway named by URL: its sessions are listed and deleted through its RPC, never as files.
    if (request.explicitStore) throw new ToolError('usage', 'a store file and a gateway URL were both given: a gateway named by URL is pruned only through its RPC');
    ({ inventory, gateway } = await remoteInventory(inventory, env, { ...request.gateway, live: !request.dryRun, staleAfterMs: request.inventory.staleAfterMs }));
  }
  if (inventory.failures.length > 0 && inventory.stores.length === 0) throw new StoresUnreadableError(inventory.failures.map((failure) => failure.error), inventory);
  if (request.explicitStore && inventory.stores.length === 0) throw new ToolError('failed', `session store not found: ${request.explicitStore}`);
  const plan = planPrune(candidatesOf(inventory), request.criteria);
  // The RPC hello is also how the version (and so the restart signal) is known for sure; the
  // live count is read now so that what the run frees is measured, not assumed.
  const needed = !request.dryRun && (plan.items.length > 0 || request.recompute === 'restart');
  if (!gateway && needed) gateway = await probeGateway(inventory.location, inventory.config, env, { rpc: true, live: true, ...request.gateway });
  return { inventory, plan, gateway, remote };
}

/** How each planned session is removed: RPC for those the gateway still holds, file for the rest. */
export interface PruneRoute {
  decision: Exclude<RecomputeDecision, { method: 'refuse' }>;
  viaRpc: PrunePlanItem[];
  viaFile: PrunePlanItem[];
}

/** The decision, or a ToolError when it refuses; also refuses unsafe stores the file route would write. */
export function choosePruneRoute(prepared: PreparedPrune, requested: RecomputeRequest, allowRestart: boolean): PruneRoute {
  const { plan, inventory } = prepared;
  const decision = prepared.remote ? decideRemoteRecompute(requested, gatewayOf(prepared)) : decideRecompute(requested, gatewayOf(prepared), plan, allowRestart);
  if (decision.method === 'refuse') throw new ToolError(decision.kind, decision.why);
  const viaRpc = decision.method === 'rpc' ? plan.items.filter((item) => decision.allViaRpc || hasAcpObject(item)) : [];
  const viaFile = plan.items.filter((item) => !viaRpc.includes(item));
  for (const store of inventory.stores) if (viaFile.some((item) => item.storePath === store.ref.path)) assertStoreWritable(store.ref);
  return { decision, viaRpc, viaFile };
}

export interface ExecuteOptions {
  runId: string;
  toolVersion: string;
  lockTimeoutMs: number;
  waitMs: number;
  journal: boolean;
  /** Journal runs older than this are dropped (under the run lock) after the prune. */
  journalRetentionMs: number;
  keepTranscripts: boolean;
}

export interface PruneExecution {
  report: PruneReport;
  /** Per-store results (transcript failures are reported from here). */
  results: StoreApplyResult[];
  /** Some stores were changed, others left untouched (busy, refused, failed). */
  partial: boolean;
  /** Journal retention that could not be applied (one line per store). */
  warnings: string[];
}

/** Removes exactly the planned set (what is unchanged since planning) and makes the gateway recompute. */
export async function executePrune(prepared: PreparedPrune, route: PruneRoute, options: ExecuteOptions, env: Env): Promise<PruneExecution> {
  const { plan, inventory } = prepared;
  const gateway = gatewayOf(prepared);
  const { decision, viaRpc, viaFile } = route;
  const scopes = new Map<string, TranscriptScope>(inventory.stores.map((store) => [store.ref.path, { storePath: store.ref.path, shared: store.ref.shared, stateDir: inventory.location.stateDir }]));
  const warnings: string[] = [];
  // A remote gateway's "store" is its URL: no local file, so no run lock and no journal.
  const journal = options.journal && !prepared.remote;
  const written = await withLockedWrites(prepared.remote ? [] : [...plan.byStore.keys()], options, async (writer) => {
    // Under the run lock no other run of this tool works on these stores: a temp file of ours
    // next to them was left by a killed run.
    if (!prepared.remote) for (const storePath of plan.byStore.keys()) removeStaleTemps(storePath);
    const rpc = viaRpc.length > 0 ? await removeViaRpc(prepared, viaRpc, { ...options, journal }) : null;
    let results: StoreApplyResult[] = [];
    if (viaFile.length > 0) {
      const filePlan = viaRpc.length > 0 ? planOfItems(viaFile, plan.totalSessions) : plan;
      // After RPC deletes, the gateway has rewritten the store: plan snapshots are stale.
      const snapshots = viaRpc.length > 0 ? freshSnapshots(filePlan) : snapshotsOf(inventory);
      const scopeOf = (storePath: string): TranscriptScope => scopes.get(storePath) ?? { storePath, shared: false, stateDir: inventory.location.stateDir };
      results = await applyPrunePlan(filePlan, { ...options, snapshots, writer, scopeOf });
    }
    // Retention, still under the run lock.
    if (journal) {
      for (const storePath of plan.byStore.keys()) {
        await applyRetention(journalPathFor(storePath), options.journalRetentionMs).catch((error: Error) => {
          warnings.push(`journal retention skipped for ${storePath}: ${error.message}`);
        });
      }
    }
    return { rpc, results };
  });
  const { rpc, results } = written;
  const removedByFile = results.flatMap((result) => result.removed);
  const finished: RecomputeReport = rpc?.recompute ?? (await finishRecompute(decision, removedByFile, { gateway, inventory, env, waitMs: options.waitMs }));
  // Measure, never assume: the live count after, against the one read before.
  const { recompute, slotsFreed } = await measureAfter(gateway, inventory, finished, [...(rpc?.removed ?? []), ...removedByFile]);
  const runOutcome = {
    runId: journal ? options.runId : null,
    results,
    rpcRemoved: rpc?.removed ?? [],
    rpcSkipped: rpc?.skipped ?? [],
    recompute,
    slotsFreed,
  };
  return { report: finalReport(runOutcome), results, partial: isPartial(runOutcome), warnings };
}

async function removeViaRpc(prepared: PreparedPrune, items: PrunePlanItem[], options: ExecuteOptions) {
  const gateway = gatewayOf(prepared);
  const client = await connectRpc(gateway, 15_000).catch((error: Error) => {
    throw new ToolError('not-recomputed', `cannot reach the gateway's RPC any more (${error.message}); nothing was pruned`);
  });
  try {
    const outcome = await applyViaRpc(client, items, { runId: options.runId, toolVersion: options.toolVersion, journal: options.journal, deleteTranscript: !options.keepTranscripts, remote: prepared.remote });
    return { removed: outcome.removed, skipped: outcome.skipped, recompute: rpcRecomputeReport(gateway, outcome.removed, outcome.skipped.length, outcome.stillListed) };
  } finally {
    client.close();
  }
}

/** Why an orphan restart would not run, or null when it may (checked before anyone is asked). */
export interface OrphanRestartPlan {
  gateway: GatewayStatus;
  /** Live handles, and those held by sessions on disk. */
  live: number | null;
  held: number;
  /** True when there is nothing orphaned to clear (the run ends without a restart). */
  nothingToDo: boolean;
}

/**
 * `prune --recompute restart --allow-restart` with nothing left to prune: orphaned handles
 * (entries gone, handles still counted) are cleared only by a restart that replaces the
 * process. Refuses (ToolError) what cannot be done; says when nothing is orphaned.
 */
export function planOrphanRestart(prepared: PreparedPrune, allowRestart: boolean): OrphanRestartPlan | null {
  const gateway = prepared.gateway;
  if (!gateway || !gateway.running) return null;
  if (!gateway.restart.ok) throw new ToolError('not-recomputed', `--recompute restart: ${gateway.restart.why}; nothing was changed (fix: ${gateway.restart.fix})`);
  if (!allowRestart) throw new ToolError('usage', 'a restart drops running chats: pass --allow-restart to confirm it; nothing was changed');
  const held = prepared.inventory.sessions.filter((session) => session.holdsSlot).length;
  const live = gateway.live.activeRuntimeSessions;
  return { gateway, live, held, nothingToDo: live !== null && live <= held };
}

/** Restarts the verified gateway and confirms the live count fell; a plain PruneReport. */
export async function executeOrphanRestart(prepared: PreparedPrune, orphan: OrphanRestartPlan, options: { waitMs: number }, env: Env): Promise<PruneReport> {
  const { gateway, live, held } = orphan;
  const base = planReport(prepared.plan, false, prepared.inventory);
  if (orphan.nothingToDo) {
    const detail = `nothing to prune, and the gateway holds no orphaned handles (live count ${live}, ${held} held by sessions on disk): not restarted`;
    return { ...base, summary: `Nothing to prune; ${detail.replace(/^nothing to prune, and /, '')}.`, slotsFreed: 0, recompute: recomputeReport('restart', true, detail, gateway, { liveBefore: live, liveAfter: live }) };
  }
  if (!gateway.restart.ok) throw new ToolError('not-recomputed', gateway.restart.why);
  const outcome = await restartGateway(gateway, gateway.restart.signal, { location: prepared.inventory.location, config: prepared.inventory.config, env, waitMs: options.waitMs });
  if (!outcome.ok) {
    const detail = `the gateway was not replaced: ${outcome.why}`;
    return { ...base, summary: `Nothing to prune; ${detail}.`, recompute: recomputeReport('restart', false, detail, gateway, { liveBefore: live, newGatewayPid: outcome.newPid }) };
  }
  const after = await readLiveAgain(gateway, prepared.inventory.config);
  const liveAfter = after.activeRuntimeSessions;
  const fell = liveAfter !== null && (live === null || liveAfter < live || liveAfter <= held);
  const counts = `live count ${live ?? 'unknown'} → ${liveAfter ?? `unreadable (${after.why})`}`;
  const detail = `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}; ${counts}${fell ? '' : ': the count did not fall'}`;
  return {
    ...base,
    summary: `Nothing to prune; restarted the gateway to clear orphaned handles (pid ${outcome.oldPid} → ${outcome.newPid}, ${counts}).`,
    slotsFreed: live !== null && liveAfter !== null ? Math.max(0, live - liveAfter) : null,
    recompute: recomputeReport('restart', fell, detail, gateway, { liveBefore: live, liveAfter, newGatewayPid: outcome.newPid, liveNote: liveAfter === null ? after.why : null }),
  };
}

function gatewayOf(prepared: PreparedPrune): GatewayStatus {
  if (!prepared.gateway) throw new Error('internal: the gateway was not probed (dry run or empty plan)');
  return prepared.gateway;
}


function candidatesOf(inventory: Inventory): PlanCandidate[] {
  const documents = new Map(inventory.stores.map((store) => [store.ref.path, store.document]));
  return inventory.sessions.map((session) => ({ ...session, raw: documents.get(session.storePath)?.[session.key] ?? null }));
}

/**
 * The planned documents, moved out of the inventory into the snapshots the edit consumes: when a
 * store changed since planning, its stale tree is then free to go while the current one is read.
 */
function snapshotsOf(inventory: Inventory): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const store of inventory.stores) {
    if (store.digest && store.document) snapshots.set(store.ref.path, { digest: store.digest, document: store.document });
    store.document = null;
  }
  return snapshots;
}

function freshSnapshots(plan: PrunePlan): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const storePath of plan.byStore.keys()) {
    const read = readJsonStore(storePath, { hash: newStoreHash });
    snapshots.set(storePath, { digest: read.digest!, document: read.document });
  }
  return snapshots;
}

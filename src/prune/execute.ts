/**
 * The prune use-case's execute stage (prepare.ts has the order): the route, the removals under
 * the run lock, the recompute and its measurement, and the orphan restart. Loaded only by a run
 * that may change something (cli/commands/prune.ts): a dry run never loads it.
 */
import type { Env } from '../env.js';
import { ToolError } from '../errors.js';
import { connectRpc, readLiveAgain } from '../gateway/probe.js';
import { probeDeletesSettled, type ProgressLine } from '../gateway/probe-deletes.js';
import { restartGateway } from '../recompute/via-restart.js';
import type { Inventory } from '../inventory.js';
import type { RecomputeDecision, RecomputeRequest } from '../recompute/choose.js';
import type { PruneReport } from '../report/prune-report.js';
import { planOfItems, type PrunePlan, type PrunePlanItem } from '../sessions/plan.js';
import { riseAfterStartNote } from '../sessions/start-count.js';
import { newStoreHash, type Snapshot } from '../store/edit-store.js';
import { withLockedWrites } from '../store/locked-write.js';
import type { TranscriptScope } from '../store/archive-transcripts.js';
import { journalPathFor } from '../store/journal-path.js';
import { applyRetention } from '../store/journal-retention.js';
import { removeStaleTemps } from '../store/safe-fs.js';
import { readJsonStore } from '../store/read-json.js';
import { assertStoreWritable } from '../store/store-safety.js';
import { applyPrunePlan, type StoreApplyResult } from './apply.js';
import { applyViaRpc, rpcFailures } from './apply-rpc.js';
import { gatewayOf, type OrphanRestartPlan, type PreparedPrune } from './prepare.js';
import { decideRecompute, decideRemoteRecompute, finishRecompute, mayHoldHandle, measureAfter, recomputeReport, rpcRecomputeReport } from './recompute.js';
import { finalReport, isPartial, planReport, type RecomputeReport } from './report.js';
import type { InstallCommands } from '../install-commands.js';

/** How each planned session is removed: RPC for those the gateway still holds, file for the rest. */
export interface PruneRoute {
  decision: Exclude<RecomputeDecision, { method: 'refuse' }>;
  viaRpc: PrunePlanItem[];
  viaFile: PrunePlanItem[];
}

/** The decision, or a ToolError when it refuses; also refuses unsafe stores the file route would write. */
export function choosePruneRoute(prepared: PreparedPrune, requested: RecomputeRequest, allowRestart: boolean, commands?: InstallCommands): PruneRoute {
  const { plan, inventory } = prepared;
  const decision = prepared.remote ? decideRemoteRecompute(requested, gatewayOf(prepared)) : decideRecompute(requested, gatewayOf(prepared), plan, allowRestart, inventory, commands);
  if (decision.method === 'refuse') throw new ToolError(decision.kind, decision.why);
  const viaRpc = decision.method === 'rpc' ? plan.items.filter((item) => decision.allViaRpc || mayHoldHandle(item)) : [];
  const viaFile = plan.items.filter((item) => !viaRpc.includes(item));
  for (const store of inventory.stores) if (viaFile.some((item) => item.storePath === store.ref.path)) assertStoreWritable(store.ref, commands);
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
  /** Where a wait on the gateway says what it waits for (a terminal's stderr). */
  progress?: ProgressLine;
  /** This install's commands, for a fix the report names (install-commands.ts). */
  commands?: InstallCommands;
  /** Told each time sessions are removed (a store renamed into place, a delete answered), so an interrupted run can say how many went. */
  onRemoved?: (count: number) => void;
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
  // Each removal re-checks its entry against the fingerprint taken when planning; a dry run's
  // plan has none and is never executed.
  if (plan.items.some((item) => item.fingerprint === null)) throw new Error('internal: a plan made without fingerprints (a dry run) cannot be executed');
  const gateway = gatewayOf(prepared);
  const { decision, viaRpc, viaFile } = route;
  const scopes = new Map<string, TranscriptScope>(inventory.stores.map((store) => [store.ref.path, { storePath: store.ref.path, shared: store.ref.shared, stateDir: inventory.location.stateDir }]));
  const warnings: string[] = [];
  // A remote gateway's "store" is its URL: no local file, so no run lock and no journal.
  const journal = options.journal && !prepared.remote;
  // The plan's live read may still be deleting its probe session: the gateway answers that first
  // (4.29 blocks on it for up to 22 s), so the run's own deletes are not sent behind it on a clock.
  await probeDeletesSettled(options.progress);
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
  // A gateway that left a delete unanswered is not asked again for its count (another minute's wait).
  const unanswered = rpc !== null && rpc.unconfirmed.length > 0;
  const { recompute, slotsFreed } = unanswered
    ? { recompute: { ...finished, liveBefore: gateway?.live.activeRuntimeSessions ?? null, liveAfter: null, liveNote: 'live count after the prune not read: the gateway did not answer a delete' }, slotsFreed: null }
    : await measureAfter(gateway, inventory, finished, [...(rpc?.removed ?? []), ...removedByFile], options.progress, options.commands);
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
    const outcome = await applyViaRpc(client, items, { runId: options.runId, toolVersion: options.toolVersion, journal: options.journal, deleteTranscript: !options.keepTranscripts, remote: prepared.remote, listCommand: options.commands?.tool(['list']), onRemoved: options.onRemoved });
    return { removed: outcome.removed, skipped: outcome.skipped, unconfirmed: outcome.unconfirmed, recompute: rpcRecomputeReport(gateway, outcome.removed, rpcFailures(outcome.skipped), outcome.stillListed, outcome.unconfirmed, outcome.unansweredBy ?? undefined) };
  } finally {
    client.close();
  }
}

/** Restarts the verified gateway and confirms the live count fell; a plain PruneReport. */
export async function executeOrphanRestart(prepared: PreparedPrune, orphan: OrphanRestartPlan, options: { waitMs: number; progress?: ProgressLine }, env: Env): Promise<PruneReport> {
  const { gateway, live, held } = orphan;
  const base = planReport(prepared.plan, false, prepared.inventory);
  if (orphan.nothingToDo) {
    const detail = `nothing to prune, and the gateway holds no orphaned handles (live count ${live}, ${held} held by sessions on disk): not restarted`;
    return { ...base, summary: `Nothing to prune; ${detail.replace(/^nothing to prune, and /, '')}.`, slotsFreed: 0, recompute: recomputeReport('restart', true, detail, gateway, { liveBefore: live, liveAfter: live }) };
  }
  if (!gateway.restart.ok) throw new ToolError('not-recomputed', gateway.restart.why);
  // Never restart a gateway in the middle of the probe's delete: it would stay behind.
  await probeDeletesSettled(options.progress);
  const outcome = await restartGateway(gateway, gateway.restart.signal, { location: prepared.inventory.location, config: prepared.inventory.config, env, waitMs: options.waitMs });
  if (!outcome.ok) {
    const detail = `the gateway was not replaced: ${outcome.why}`;
    return { ...base, summary: `Nothing to prune; ${detail}.`, recompute: recomputeReport('restart', false, detail, gateway, { liveBefore: live, newGatewayPid: outcome.newPid }) };
  }
  const after = await readLiveAgain(gateway, prepared.inventory.config, outcome.newPid ?? undefined, undefined, options.progress);
  const liveAfter = after.activeRuntimeSessions;
  const fell = liveAfter !== null && (live === null || liveAfter < live || liveAfter <= held);
  const note = liveAfter === null ? null : riseAfterStartNote(prepared.inventory.sessions, liveAfter);
  const counts = `live count ${live ?? 'unknown'} → ${liveAfter ?? `unreadable (${after.why})`}${note ? `, ${note}` : ''}`;
  const detail = `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}; ${counts}${fell ? '' : ': the count did not fall'}`;
  return {
    ...base,
    summary: `Nothing to prune; restarted the gateway to clear orphaned handles (pid ${outcome.oldPid} → ${outcome.newPid}, ${counts}).`,
    slotsFreed: live !== null && liveAfter !== null ? Math.max(0, live - liveAfter) : null,
    recompute: recomputeReport('restart', fell, detail, gateway, { liveBefore: live, liveAfter, newGatewayPid: outcome.newPid, liveNote: liveAfter === null ? after.why : note }),
  };
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

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
import { connectRpc, probeGateway, type GatewayStatus } from '../gateway/probe.js';
import { takeInventory, type Inventory, type InventoryOptions } from '../inventory.js';
import type { RecomputeDecision, RecomputeRequest } from '../recompute/choose.js';
import type { PruneReport } from '../report/prune-report.js';
import { planOfItems, planPrune, type PlanCandidate, type PruneCriteria, type PrunePlan, type PrunePlanItem } from '../sessions/plan.js';
import type { Snapshot } from '../store/edit-store.js';
import { withLockedWrites } from '../store/locked-write.js';
import type { TranscriptScope } from '../store/archive-transcripts.js';
import { journalPathFor } from '../store/journal.js';
import { applyRetention } from '../store/journal-retention.js';
import { removeStaleTemps } from '../store/safe-fs.js';
import { readJsonStore } from '../store/read-json.js';
import { assertStoreWritable } from '../store/store-safety.js';
import { applyPrunePlan, type StoreApplyResult } from './apply.js';
import { applyViaRpc } from './apply-rpc.js';
import { decideRecompute, finishRecompute, rpcRecomputeReport } from './recompute.js';
import { finalReport, isPartial, type RecomputeReport } from './report.js';

export interface PruneRequest {
  inventory: InventoryOptions;
  /** Store path given explicitly (`--store`): it must exist. */
  explicitStore?: string;
  criteria: PruneCriteria;
  recompute: RecomputeRequest;
  dryRun: boolean;
}

export interface PreparedPrune {
  inventory: Inventory;
  plan: PrunePlan;
  /** Probed only when a real run has something to prune; null otherwise. */
  gateway: GatewayStatus | null;
}

/** Some selected stores could not be read: prune refuses to act on a partial picture. */
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

/** Reads every selected store and plans; throws StoresUnreadableError when any store fails. */
export async function preparePrune(request: PruneRequest, env: Env): Promise<PreparedPrune> {
  const inventory = takeInventory(env, { ...request.inventory, retainDocuments: true });
  if (inventory.failures.length > 0) throw new StoresUnreadableError(inventory.failures.map((failure) => failure.error), inventory);
  if (request.explicitStore && inventory.stores.length === 0) throw new ToolError('failed', `session store not found: ${request.explicitStore}`);
  const plan = planPrune(candidatesOf(inventory), request.criteria);
  // The RPC hello is also how the version (and so the restart signal) is known for sure.
  const gateway = plan.items.length > 0 && !request.dryRun ? await probeGateway(inventory.location, inventory.config, env, { rpc: request.recompute !== 'none' }) : null;
  return { inventory, plan, gateway };
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
  const decision = decideRecompute(requested, gatewayOf(prepared), plan, allowRestart);
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
  const written = await withLockedWrites([...plan.byStore.keys()], options, async (writer) => {
    // Under the run lock no other run of this tool works on these stores: a temp file of ours
    // next to them was left by a killed run.
    for (const storePath of plan.byStore.keys()) removeStaleTemps(storePath);
    const rpc = viaRpc.length > 0 ? await removeViaRpc(prepared, viaRpc, options, env) : null;
    let results: StoreApplyResult[] = [];
    if (viaFile.length > 0) {
      const filePlan = viaRpc.length > 0 ? planOfItems(viaFile, plan.totalSessions) : plan;
      // After RPC deletes, the gateway has rewritten the store: plan snapshots are stale.
      const snapshots = viaRpc.length > 0 ? freshSnapshots(filePlan) : snapshotsOf(inventory);
      const scopeOf = (storePath: string): TranscriptScope => scopes.get(storePath) ?? { storePath, shared: false, stateDir: inventory.location.stateDir };
      results = await applyPrunePlan(filePlan, { ...options, snapshots, writer, scopeOf });
    }
    // Retention, still under the run lock.
    if (options.journal) {
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
  const recompute: RecomputeReport = rpc?.recompute ?? (await finishRecompute(decision, removedByFile, { gateway, inventory, env, waitMs: options.waitMs }));
  const runOutcome = {
    runId: options.journal ? options.runId : null,
    results,
    rpcRemoved: rpc?.removed ?? [],
    rpcSkipped: rpc?.skipped ?? [],
    recompute,
  };
  return { report: finalReport(runOutcome), results, partial: isPartial(runOutcome), warnings };
}

async function removeViaRpc(prepared: PreparedPrune, items: PrunePlanItem[], options: ExecuteOptions, env: Env) {
  const { inventory } = prepared;
  const gateway = gatewayOf(prepared);
  const client = await connectRpc(inventory.location, inventory.config, env, gateway.port, gateway.tls, 10_000).catch((error: Error) => {
    throw new ToolError('not-recomputed', `cannot reach the gateway's RPC any more (${error.message}); nothing was pruned`);
  });
  try {
    const outcome = await applyViaRpc(client, items, { runId: options.runId, toolVersion: options.toolVersion, journal: options.journal });
    return { removed: outcome.removed, skipped: outcome.skipped, recompute: rpcRecomputeReport(gateway, outcome.removed, outcome.skipped.length, outcome.stillListed) };
  } finally {
    client.close();
  }
}

function gatewayOf(prepared: PreparedPrune): GatewayStatus {
  if (!prepared.gateway) throw new Error('internal: the gateway was not probed (dry run or empty plan)');
  return prepared.gateway;
}

function hasAcpObject(item: PrunePlanItem): boolean {
  const acp = (item.raw as { acp?: unknown } | null)?.acp;
  return typeof acp === 'object' && acp !== null;
}

function candidatesOf(inventory: Inventory): PlanCandidate[] {
  const documents = new Map(inventory.stores.map((store) => [store.ref.path, store.document]));
  return inventory.sessions.map((session) => ({ ...session, raw: documents.get(session.storePath)?.[session.key] ?? null }));
}

function snapshotsOf(inventory: Inventory): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const store of inventory.stores) {
    if (store.bytes && store.document) snapshots.set(store.ref.path, { bytes: store.bytes, document: store.document });
  }
  return snapshots;
}

function freshSnapshots(plan: PrunePlan): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const storePath of plan.byStore.keys()) {
    const read = readJsonStore(storePath, { keepBytes: true });
    snapshots.set(storePath, { bytes: read.bytes!, document: read.document });
  }
  return snapshots;
}

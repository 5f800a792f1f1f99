/**
 * The `prune --json` document (report/prune-report.ts) built from a plan (dry run, nothing to do)
 * or from what a run removed, skipped and how the gateway recomputed.
 */
import type { Inventory } from '../inventory.js';
import { PRUNE_SCHEMA_VERSION, type PruneReport, type PrunedSession } from '../report/prune-report.js';
import { describePlan, type PrunePlan, type PrunePlanItem } from '../sessions/plan.js';
import type { StoreApplyResult } from './apply.js';

export type RecomputeReport = NonNullable<PruneReport['recompute']>;

function prunedOf(item: PrunePlanItem): PrunedSession {
  return { agentId: item.agentId, key: item.key, kind: item.kind, state: item.state, reason: item.reason, ageMs: item.ageMs, holdsSlot: item.holdsSlot, storePath: item.storePath };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** What a run would do (dry run, or nothing to prune): `pruned` is the plan, `recompute` null. */
export function planReport(plan: PrunePlan, dryRun: boolean, inventory: Inventory): PruneReport {
  const counts = new Map<string, number>();
  for (const session of inventory.sessions) counts.set(session.storePath, (counts.get(session.storePath) ?? 0) + 1);
  return {
    schemaVersion: PRUNE_SCHEMA_VERSION,
    dryRun,
    runId: null,
    summary: plan.items.length === 0 ? 'nothing to prune' : describePlan(plan, true),
    pruned: plan.items.map(prunedOf),
    skipped: [],
    stores: [...plan.byStore].map(([path, items]) => ({
      agentId: items[0]!.agentId,
      path,
      before: counts.get(path) ?? 0,
      after: (counts.get(path) ?? 0) - items.length,
      journal: null,
      lockWaitMs: null,
      lockHoldMs: null,
    })),
    transcripts: [],
    slotsFreed: plan.slotsFreed,
    recompute: null,
  };
}

export interface RunOutcome {
  /** The journal run id, or null with --no-journal. */
  runId: string | null;
  results: StoreApplyResult[];
  rpcRemoved: PrunePlanItem[];
  rpcSkipped: PruneReport['skipped'];
  recompute: RecomputeReport;
}

/** What a run did: removed by RPC and by file, skipped, per-store counts and lock timings. */
export function finalReport(outcome: RunOutcome): PruneReport {
  const { runId, results, rpcRemoved, rpcSkipped, recompute } = outcome;
  const removed = [...rpcRemoved, ...results.flatMap((result) => result.removed)];
  const touched = new Set(removed.map((item) => item.storePath)).size;
  const slotsFreed = removed.filter((item) => item.holdsSlot).length;
  const slots = slotsFreed > 0 ? ` (${plural(slotsFreed, 'ACP slot')} freed)` : '';
  const journal = runId && removed.length > 0 ? ` Journal: ${runId}.` : '';
  return {
    schemaVersion: PRUNE_SCHEMA_VERSION,
    dryRun: false,
    runId: removed.length > 0 ? runId : null,
    summary: `Pruned ${plural(removed.length, 'session')} from ${plural(touched, 'store')}${slots}.${journal}`,
    pruned: removed.map(prunedOf),
    skipped: [...rpcSkipped, ...results.flatMap((result) => result.skipped)],
    stores: results.map((result) => ({
      agentId: result.agentId,
      path: result.path,
      before: result.before,
      after: result.after,
      journal: result.journalPath,
      lockWaitMs: round(result.timing.waitMs),
      lockHoldMs: round(result.timing.holdMs),
    })),
    transcripts: results.flatMap((result) => result.transcripts),
    slotsFreed,
    recompute,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

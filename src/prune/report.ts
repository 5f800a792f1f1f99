/**
 * The `prune --json` document (report/prune-report.ts) built from a plan (dry run, nothing to do)
 * or from what a run removed, skipped and how the gateway recomputed.
 */
import type { Inventory } from '../inventory.js';
import type { PruneReport, PrunedSession } from '../report/prune-report.js';
import { PRUNE_SCHEMA_VERSION } from '../report/versions.js';
import { describePlan, type PrunePlan, type PrunePlanItem } from '../sessions/plan.js';
import type { StoreApplyResult } from './apply.js';

export type RecomputeReport = NonNullable<PruneReport['recompute']>;

function prunedOf(item: PrunePlanItem): PrunedSession {
  return { agentId: item.agentId, key: item.key, kind: item.kind, conversation: item.conversation, state: item.state, reason: item.reason, ageMs: item.ageMs, holdsSlot: item.holdsSlot, storePath: item.storePath };
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
      lockAttempts: null,
      outcome: 'planned' as const,
      error: null,
    })),
    transcripts: [],
    transcriptsKept: [],
    // A plan measures nothing: slots freed is the live count's drop after a run, never a plan's.
    slotsFreed: null,
    slotsHeldOnDisk: plan.slotsHeldOnDisk,
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
  /** The measured drop of the gateway's live count; null when it could not be measured. */
  slotsFreed: number | null;
}

/** What a run did: removed by RPC and by file, skipped, per-store counts and lock timings. */
export function finalReport(outcome: RunOutcome): PruneReport {
  const { runId, results, rpcRemoved, rpcSkipped, recompute, slotsFreed } = outcome;
  const removed = [...rpcRemoved, ...results.flatMap((result) => result.removed)];
  const touched = new Set(removed.map((item) => item.storePath)).size;
  const onDisk = removed.filter((item) => item.holdsSlot).length;
  const slots = describeFreed(slotsFreed, onDisk, recompute);
  const journal = runId && removed.length > 0 ? ` Journal: ${runId}.` : '';
  return {
    schemaVersion: PRUNE_SCHEMA_VERSION,
    dryRun: false,
    runId: removed.length > 0 ? runId : null,
    summary: `Pruned ${plural(removed.length, 'session')} from ${plural(touched, 'store')}${slots}.${journal}${untouchedClause(results)}`,
    pruned: removed.map(prunedOf),
    skipped: [...rpcSkipped, ...results.flatMap((result) => result.skipped)],
    stores: results.map((result) => ({
      agentId: result.agentId,
      path: result.path,
      before: result.before,
      after: result.after,
      journal: result.journalPath,
      // null when the gateway's lock was never taken (nothing left to write, or the store failed)
      lockWaitMs: result.timing?.attempts ? round(result.timing.waitMs) : null,
      lockHoldMs: result.timing?.attempts ? round(result.timing.holdMs) : null,
      lockAttempts: result.timing?.attempts ? result.timing.attempts : null,
      outcome: result.outcome,
      error: result.error?.message ?? null,
    })),
    transcripts: results.flatMap((result) => result.transcripts),
    transcriptsKept: results.flatMap((result) => result.transcriptsKept),
    slotsFreed,
    slotsHeldOnDisk: onDisk,
    recompute,
  };
}

/** " 1 store was left untouched (<path>: busy)." — the stores a partial run did not change. */
function untouchedClause(results: StoreApplyResult[]): string {
  const untouched = results.filter((result) => result.outcome !== 'pruned');
  if (untouched.length === 0) return '';
  return ` ${untouched.length} store${untouched.length === 1 ? ' was' : 's were'} left untouched (${untouched.map((result) => `${result.path}: ${result.outcome}`).join('; ')}).`;
}

/** Whether a run changed some store but left another untouched (exit 7, partial). */
export function isPartial(outcome: RunOutcome): boolean {
  const untouched = outcome.results.some((result) => result.outcome !== 'pruned');
  const changed = outcome.rpcRemoved.length > 0 || outcome.results.some((result) => result.removed.length > 0);
  return untouched && changed;
}

/** The summary's claim about slots: the measured drop, or plainly why there is none. */
export function describeFreed(slotsFreed: number | null, onDisk: number, recompute: RecomputeReport): string {
  if (slotsFreed !== null) {
    if (slotsFreed === 0 && onDisk === 0) return '';
    return ` (${plural(slotsFreed, 'ACP slot')} freed: live count ${recompute.liveBefore} → ${recompute.liveAfter}${recompute.liveNote ? `, ${recompute.liveNote}` : ''})`;
  }
  if (onDisk === 0) return '';
  if (recompute.liveNote?.startsWith('no gateway is running')) return ` (${onDisk} of them held ACP slots on disk; no gateway is running, so none was held in memory)`;
  return ` (${onDisk} of them held ACP slots on disk; slots freed not measured: ${recompute.liveNote ?? 'live count unreadable'})`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

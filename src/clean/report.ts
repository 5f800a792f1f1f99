/**
 * The `clean --json` document (report/clean-report.ts) and the run's totals, built from the plan
 * and, after a run, from what each file's execution did. Pure.
 */
import type { CleanReport } from '../report/clean-report.js';
import { CLEAN_SCHEMA_VERSION } from '../report/versions.js';
import type { CleanOutcome } from './execute.js';
import type { CleanStoreResult, PreparedClean } from './run.js';
import { summarizeDisk } from './summary.js';

export interface CleanTotals {
  removed: number;
  archived: number;
  /** Sizes of the files removed (archiving frees nothing until the archive expires). */
  bytes: number;
  skipped: number;
}

export function totalsOf(results: readonly CleanStoreResult[]): CleanTotals {
  const outcomes = results.flatMap((result) => result.outcomes);
  const done = outcomes.filter((o): o is Extract<CleanOutcome, { done: true }> => o.done);
  const removed = done.filter((o) => o.action !== 'archive-orphan');
  return { removed: removed.length, archived: done.length - removed.length, bytes: removed.reduce((sum, o) => sum + o.bytes, 0), skipped: outcomes.length - done.length };
}

/** `results` null: a dry run (or nothing to do) — every planned file is reported not done. */
export function cleanReport(prepared: PreparedClean, results: readonly CleanStoreResult[] | null, keepMs: number): CleanReport {
  const outcomesByStore = new Map((results ?? []).map((result) => [result.storePath, new Map(result.outcomes.map((o) => [o.path, o]))]));
  const stores = prepared.plans.map((plan) => ({
    storePath: plan.scan.storePath,
    disk: summarizeDisk(plan),
    files: plan.actions.map((action) => {
      const outcome = outcomesByStore.get(plan.scan.storePath)?.get(action.file.path);
      return {
        action: action.type,
        path: action.file.path,
        bytes: action.file.bytes,
        done: outcome?.done ?? false,
        ...(outcome?.done && outcome.archivedTo ? { archivedTo: outcome.archivedTo } : {}),
        ...(outcome && !outcome.done ? { why: outcome.why } : {}),
      };
    }),
    kept: plan.kept,
  }));
  const totals = totalsOf(results ?? []);
  return {
    schemaVersion: CLEAN_SCHEMA_VERSION,
    dryRun: results === null,
    keepSeconds: keepMs / 1000,
    stores,
    skippedStores: prepared.skippedStores,
    bytesReclaimed: totals.bytes,
    filesRemoved: totals.removed,
    transcriptsArchived: totals.archived,
  };
}

/**
 * The restore use-case: prepare (find the journalled runs, pick one, refuse unsafe stores —
 * everything that can refuse, before anyone is asked), then execute (under the run and gateway
 * locks, through the same locked-write helper as prune). Returns plain results; cli/ renders.
 */
import type { Inventory } from '../inventory.js';
import type { JournalRun } from '../store/journal.js';
import { withLockedWrites } from '../store/locked-write.js';
import { assertStoreWritable } from '../store/store-safety.js';
import { keysToRestore, listRuns, notRestorableBecause, restoreRun, selectRun, type RestoreResult } from './restore.js';
import { transcriptDirsOf } from '../store/archive-transcripts.js';
import { removeStaleTemps } from '../store/safe-fs.js';
import { parseSessionKey } from '../sessions/keys.js';
import { normalizeAgentId } from '../store/stores.js';

/**
 * Every prune run journalled next to the inventory's stores (read or not), newest first, and each
 * run's agent: its store's, or on a store all agents share (a literal `session.store`) the agents of
 * the keys it pruned, comma-separated (helper-32: every run there read as the default agent's).
 * Reads the journals only: the caller's inventory is the one read of the stores. With `agent`
 * (`--agent ID`), a shared store's runs that pruned none of that agent's keys are left out, as its
 * other agents' sessions are (helper-34: `restore --agent coder` there restored main's last run).
 */
export function findRuns(inventory: Pick<Inventory, 'stores' | 'failures' | 'location'>, agent?: string): { runs: JournalRun[]; agentOf: Map<JournalRun, string> } {
  // A store that does not parse can still have a journal; restore needs it to parse, list does not.
  const refs = [...inventory.stores.map((store) => store.ref), ...inventory.failures.map((failure) => failure.ref)];
  const wanted = agent === undefined ? null : normalizeAgentId(agent);
  const runs: JournalRun[] = [];
  const agentOf = new Map<JournalRun, string>();
  // Where each run's transcripts may be renamed back: the store's directory, plus each agent's
  // default sessions directory when the store is a shared literal `session.store`.
  for (const run of listRuns(refs.map((ref) => ref.path))) {
    const ref = refs.find((candidate) => candidate.path === run.storePath);
    const agentIds = [...new Set(Object.keys(run.entries).map((key) => parseSessionKey(key).agentId ?? 'main'))];
    if (ref?.shared && wanted !== null && !agentIds.includes(wanted)) continue;
    runs.push(run);
    run.transcriptDirs = transcriptDirsOf({ storePath: run.storePath, shared: ref?.shared ?? false, stateDir: inventory.location.stateDir }, agentIds);
    agentOf.set(run, ref?.shared ? agentIds.sort().join(',') : ref?.agentId ?? '-');
  }
  return { runs, agentOf };
}

export interface PreparedRestore {
  runId: string;
  /** One run record per store the run touched. */
  runs: JournalRun[];
  /** Keys that would go back (before checking which exist again). */
  total: number;
}

/** There is nothing to restore: a typed outcome (exit 0), not an error. */
export interface NothingToRestore {
  kind: 'nothing';
  why: string;
}

/**
 * Picks the run (named, or the latest not yet restored). Nothing left to restore is an outcome;
 * a run id that is not in the journals, or an unsafe store, is a ToolError. `listCommand`: the
 * `restore --list` its messages point at, with the run's selection (selectRun).
 */
export function prepareRestore(runs: readonly JournalRun[], runId: string | undefined, listCommand?: string): (PreparedRestore & { kind: 'restore' }) | NothingToRestore {
  // The same test selectRun applies for its default: a bound, committed, unrestored run with keys left.
  // A journal bound to another store (copied or moved) is not "nothing": selectRun refuses it below.
  const unbound = runs.some((run) => run.bindingProblem !== null && run.restoredAt === null);
  // A run the gateway deleted (RPC) or in a SQLite store is never restorable: left out of the default,
  // said in the why; named by id, selectRun refuses it (exit 1).
  if (!runId && !unbound && !runs.some((run) => run.bindingProblem === null && run.removed !== null && run.restoredAt === null && keysToRestore(run).length > 0 && notRestorableBecause(run) === null)) {
    const unrestorable = runs.filter((run) => run.restoredAt === null && notRestorableBecause(run) !== null).length;
    const note = unrestorable > 0 ? ` (${unrestorable} run${unrestorable === 1 ? '' : 's'} cannot be restored; see: ${listCommand ?? 'openclaw-sessions restore --list'})` : '';
    return { kind: 'nothing', why: `no unrestored prune run that removed sessions in the journals of the selected stores${note}` };
  }
  const selected = selectRun(runs, runId, listCommand);
  const total = selected.reduce((sum, run) => sum + keysToRestore(run).length, 0);
  if (total === 0) return { kind: 'nothing', why: `run ${selected[0]!.runId} has nothing left to restore` };
  // The same refusals as prune: never write through a symlink or into a shared directory.
  for (const run of selected) assertStoreWritable({ agentId: 'main', path: run.storePath, format: 'json', source: 'explicit', shared: false });
  return { kind: 'restore', runId: selected[0]!.runId, runs: selected, total };
}

export interface RestoreSummary {
  runId: string;
  results: RestoreResult[];
  restored: number;
  skipped: Array<{ key: string; why: string }>;
  /** Transcripts renamed back. */
  transcripts: number;
}

export async function executeRestore(prepared: PreparedRestore, options: { lockTimeoutMs: number }): Promise<RestoreSummary> {
  const results = await withLockedWrites(
    prepared.runs.map((run) => run.storePath),
    options,
    async (writer) => {
      const done: RestoreResult[] = [];
      for (const run of prepared.runs) {
        removeStaleTemps(run.storePath);
        done.push(await restoreRun(run, writer, { transcriptDirs: run.transcriptDirs ?? [] }));
      }
      return done;
    },
  );
  return {
    runId: prepared.runId,
    results,
    restored: results.reduce((sum, result) => sum + result.restored.length, 0),
    skipped: results.flatMap((result) => result.skipped),
    transcripts: results.reduce((sum, result) => sum + result.transcripts, 0),
  };
}

/**
 * Undo of a prune run from its journal (issue 8 item 4, issue 16 findings 4, 11, 12):
 *
 * - a run is restored only into the store its records are bound to (the store's path and its
 *   directory's device/inode): a journal copied beside another store is refused;
 * - by default the latest run that removed something (a commit record) and is not yet restored;
 *   an interrupted run (no commit: the tool was killed between journal and commit) only when
 *   named, since which of its planned keys really went is unknown;
 * - only keys the run's commit says it removed go back, and only where the key is absent now
 *   (a key that exists again is newer than the journal: kept);
 * - entries are put back as own properties, so keys such as `__proto__` round-trip;
 * - archived transcripts are renamed back only within the store's sessions directories, by the
 *   rules of archive-transcripts.ts; a journal line that breaks them is skipped with why.
 */
import { ToolError } from '../errors.js';
import { unarchiveTranscripts } from '../store/archive-transcripts.js';
import { appendJournal, readJournal, runsOf, type JournalRun } from '../store/journal.js';
import { JOURNAL_SUFFIX, journalPathFor } from '../store/journal-path.js';
import type { LockedWriter } from '../store/locked-write.js';
import { lstatOrNull } from '../store/safe-fs.js';
import { compareCodeUnits } from '../order.js';

/** Every run recorded next to these stores, newest first. */
export function listRuns(storePaths: readonly string[]): JournalRun[] {
  const runs: JournalRun[] = [];
  for (const storePath of new Set(storePaths)) {
    const journalPath = journalPathFor(storePath);
    if (!lstatOrNull(journalPath)) continue;
    runs.push(...runsOf(journalPath, readJournal(journalPath)));
  }
  return runs.sort((a, b) => compareCodeUnits(b.runId, a.runId));
}

/**
 * Why a run cannot be restored, or null when it can. Restore puts journalled entries back into
 * a sessions.json; it cannot when the store is SQLite (8.1+: the tool never writes the gateway's
 * database) or when the gateway itself deleted the sessions (`sessions.delete` closed their
 * ACP runtimes and archived their transcripts: an entry put back would name a runtime and a
 * transcript that are gone).
 */
export function notRestorableBecause(run: Pick<JournalRun, 'storePath' | 'method' | 'removed' | 'unconfirmed'>): string | null {
  if (run.storePath.endsWith('.sqlite')) return 'its store is an OpenClaw SQLite database, which this tool never writes';
  if (run.method !== 'rpc') return null;
  // An unanswered delete may or may not have happened (7.35, helper-17: after SIGCONT the
  // gateway answered UNAVAILABLE and kept the session; helper-16 saw one carried out).
  const unanswered = run.unconfirmed.length;
  const sent = `sent to the gateway and never answered: it may or may not have deleted ${unanswered === 1 ? 'it' : 'them'} (see list)`;
  if (onlyUnanswered(run)) return `its delete${unanswered === 1 ? ' was' : 's were'} ${sent}`;
  const deleted = 'the gateway deleted those sessions (sessions.delete closed their ACP runtimes and archived their transcripts)';
  return unanswered > 0 ? `${deleted}; ${unanswered} more delete${unanswered === 1 ? ' was' : 's were'} ${sent}` : deleted;
}

/** An RPC run that deleted nothing for sure: every delete it sent went unanswered. */
function onlyUnanswered(run: Pick<JournalRun, 'removed' | 'unconfirmed'>): boolean {
  return run.unconfirmed.length > 0 && (run.removed ?? []).length === 0;
}

/** notRestorableBecause in the few words of `restore --list`'s RESTORABLE column ('yes', or 'no: …'). */
export function restorableLabel(run: JournalRun): string {
  if (run.bindingProblem) return 'no: journal not bound to this store';
  // Every key already back: nothing left for a restore to do (helper-28 saw "8 8 yes").
  if (notRestorableBecause(run) === null) return run.removed !== null && keysToRestore(run).length === 0 ? 'no: already restored' : 'yes';
  if (run.method !== 'rpc') return 'no: SQLite store';
  return onlyUnanswered(run) ? 'no: delete sent, never answered' : 'no: deleted by the gateway';
}

/**
 * The runs (one per store) a restore acts on: the named run, or the latest restorable one not yet restored.
 * `listCommand`: the `restore --list` to point at, carrying the run's selection (cli/selection.ts):
 * a bare one, pasted where the environment that chose the install is not set, lists another install's runs.
 */
export function selectRun(runs: readonly JournalRun[], runId: string | undefined, listCommand = 'openclaw-sessions restore --list'): JournalRun[] {
  if (runId) {
    const matching = runs.filter((run) => run.runId === runId);
    if (matching.length === 0) throw new ToolError('failed', `no prune run ${runId} in the journals of the selected stores (see: ${listCommand})`);
    const unbound = matching.find((run) => run.bindingProblem !== null);
    if (unbound) throw new ToolError('unsafe', `refusing to restore run ${runId} into ${unbound.journalPath.slice(0, -JOURNAL_SUFFIX.length)}: ${unbound.bindingProblem}`);
    const why = matching.map(notRestorableBecause).find((reason) => reason !== null);
    if (why) throw new ToolError('failed', `cannot restore run ${runId}: ${why}; nothing was changed`);
    return matching;
  }
  const latest = runs.find((run) => run.bindingProblem === null && run.removed !== null && run.restoredAt === null && keysToRestore(run).length > 0 && notRestorableBecause(run) === null);
  if (!latest) {
    // Only a copied or moved journal left: the refusal README promises (exit 4), with its reason,
    // never "nothing to restore" (observed: cp -a of a state dir, then restore: exit 1, no reason).
    const unbound = runs.find((run) => run.bindingProblem !== null && run.restoredAt === null && run.removed !== null);
    if (unbound) throw new ToolError('unsafe', `refusing to restore run ${unbound.runId} into ${unbound.journalPath.slice(0, -JOURNAL_SUFFIX.length)}: ${unbound.bindingProblem}`);
    const unrestorable = runs.filter((run) => run.restoredAt === null && notRestorableBecause(run) !== null).length;
    const note = unrestorable > 0 ? ` (${unrestorable} run${unrestorable === 1 ? '' : 's'} cannot be restored; see: ${listCommand})` : '';
    throw new ToolError('failed', `nothing to restore: no prune run that removed sessions and is not yet restored in the journals of the selected stores${note}`);
  }
  return runs.filter((run) => run.runId === latest.runId && run.bindingProblem === null && run.removed !== null);
}

/** Keys the run removed (its commit record), else — an interrupted run, named explicitly — every planned key. */
export function keysToRestore(run: JournalRun): string[] {
  const keys = run.removed ?? Object.keys(run.entries);
  return keys.filter((key) => Object.hasOwn(run.entries, key) && !run.restoredKeys.includes(key));
}

export interface RestoreResult {
  storePath: string;
  restored: string[];
  skipped: Array<{ key: string; why: string }>;
  transcripts: number;
  transcriptSkips: Array<{ path: string; why: string }>;
}

/**
 * Puts one run back into its store. `transcriptDirs`: the real directories this store's
 * transcripts may live in (the store's own directory, plus each agent's for a shared store).
 */
export async function restoreRun(run: JournalRun, writer: LockedWriter, options: { transcriptDirs: readonly string[] }): Promise<RestoreResult> {
  if (run.bindingProblem) throw new ToolError('unsafe', `refusing to restore run ${run.runId} into ${run.storePath}: ${run.bindingProblem}`);
  const keys = keysToRestore(run);
  const outcome = await writer.edit(
    run.storePath,
    (document) => {
      const restored: string[] = [];
      const skipped: Array<{ key: string; why: string }> = [];
      for (const key of keys) {
        if (Object.hasOwn(document, key)) {
          skipped.push({ key, why: 'key exists again (newer than the journal); kept as is' });
          continue;
        }
        // Not `document[key] = …`: for `__proto__` that would change the prototype, not add a key.
        Object.defineProperty(document, key, { value: run.entries[key], writable: true, enumerable: true, configurable: true });
        restored.push(key);
      }
      return { result: { restored, skipped }, changed: restored.length > 0 };
    },
  );
  appendJournal(run.journalPath, { type: 'restore', runId: run.runId, at: new Date().toISOString(), storePath: run.storePath, restored: outcome.result.restored });
  const moves = unarchiveTranscripts(run.transcriptMoves, { storePath: run.storePath, dirs: options.transcriptDirs });
  return { storePath: run.storePath, ...outcome.result, transcripts: moves.restored.length, transcriptSkips: moves.skipped };
}

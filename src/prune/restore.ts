/**
 * Undo of a prune run from its journal: entries go back under the same gateway lock, only
 * where their key is absent (a key that exists again is newer than the journal: kept), and
 * archived transcripts are renamed back.
 */
import { existsSync } from 'node:fs';
import { ToolError } from '../errors.js';
import { unarchiveTranscripts } from '../store/archive-transcripts.js';
import { appendJournal, journalPathFor, readJournal, runsOf, type JournalRun } from '../store/journal.js';
import type { LockedWriter } from '../store/locked-write.js';

/** Every run recorded next to these stores, newest first. */
export function listRuns(storePaths: readonly string[]): JournalRun[] {
  const runs: JournalRun[] = [];
  for (const storePath of new Set(storePaths)) {
    const journalPath = journalPathFor(storePath);
    if (!existsSync(journalPath)) continue;
    runs.push(...runsOf(journalPath, readJournal(journalPath)));
  }
  return runs.sort((a, b) => b.runId.localeCompare(a.runId));
}

/**
 * Why a run cannot be restored, or null when it can. Restore puts journalled entries back into
 * a sessions.json; it cannot when the store is SQLite (8.1+: the tool never writes the gateway's
 * database) or when the gateway itself deleted the sessions (`sessions.delete` closed their
 * ACP runtimes and archived their transcripts: an entry put back would name a runtime and a
 * transcript that are gone).
 */
export function notRestorableBecause(run: Pick<JournalRun, 'storePath' | 'method'>): string | null {
  if (run.storePath.endsWith('.sqlite')) return 'its store is an OpenClaw SQLite database, which this tool never writes';
  if (run.method === 'rpc') return 'the gateway deleted those sessions (sessions.delete closed their ACP runtimes and archived their transcripts)';
  return null;
}

/** The runs (one per store) a restore acts on: the named run, or the latest restorable one not yet restored. */
export function selectRun(runs: readonly JournalRun[], runId: string | undefined): JournalRun[] {
  if (runId) {
    const matching = runs.filter((run) => run.runId === runId);
    if (matching.length === 0) throw new ToolError('failed', `no prune run ${runId} in the journals of the selected stores (see: openclaw-sessions restore --list)`);
    const why = matching.map(notRestorableBecause).find((reason) => reason !== null);
    if (why) throw new ToolError('failed', `cannot restore run ${runId}: ${why}; nothing was changed`);
    return matching;
  }
  const latest = runs.find((run) => keysToRestore(run).length > 0 && run.restoredAt === null && notRestorableBecause(run) === null);
  if (!latest) {
    const unrestorable = runs.filter((run) => run.restoredAt === null && notRestorableBecause(run) !== null).length;
    const note = unrestorable > 0 ? ` (${unrestorable} run${unrestorable === 1 ? '' : 's'} cannot be restored; see: openclaw-sessions restore --list)` : '';
    throw new ToolError('failed', `nothing to restore: no unrestored prune run in the journals of the selected stores${note}`);
  }
  return runs.filter((run) => run.runId === latest.runId);
}

/** Keys the run removed: its commit record, else (interrupted run) every planned key. */
export function keysToRestore(run: JournalRun): string[] {
  const keys = run.removed ?? Object.keys(run.entries);
  return keys.filter((key) => !run.restoredKeys.includes(key));
}

export interface RestoreResult {
  storePath: string;
  restored: string[];
  skipped: Array<{ key: string; why: string }>;
  transcripts: number;
  transcriptSkips: Array<{ path: string; why: string }>;
}

/** Puts one run's entries back into its store through `writer` (under the run and gateway locks). */
export async function restoreRun(run: JournalRun, writer: LockedWriter): Promise<RestoreResult> {
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
        document[key] = run.entries[key];
        restored.push(key);
      }
      return { result: { restored, skipped }, changed: restored.length > 0 };
    },
  );
  appendJournal(run.journalPath, { type: 'restore', runId: run.runId, at: new Date().toISOString(), storePath: run.storePath, restored: outcome.result.restored });
  const moves = unarchiveTranscripts(run.transcriptMoves);
  return { storePath: run.storePath, ...outcome.result, transcripts: moves.restored.length, transcriptSkips: moves.skipped };
}

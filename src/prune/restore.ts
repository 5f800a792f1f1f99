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

/** The runs (one per store) a restore acts on: the named run, or the latest not yet restored. */
export function selectRun(runs: readonly JournalRun[], runId: string | undefined): JournalRun[] {
  if (runId) {
    const matching = runs.filter((run) => run.runId === runId);
    if (matching.length === 0) throw new ToolError('failed', `no prune run ${runId} in the journals of the selected stores (see: openclaw-sessions restore --list)`);
    return matching;
  }
  const latest = runs.find((run) => keysToRestore(run).length > 0 && run.restoredAt === null);
  if (!latest) throw new ToolError('failed', 'nothing to restore: no unrestored prune run in the journals of the selected stores');
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

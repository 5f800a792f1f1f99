/**
 * Transcript archives a prune run's undo still needs. A file-route prune archives each pruned
 * transcript as `<file>.deleted.<time>` and prints `restore RUN_ID` to undo it; `restore` renames
 * those archives back. `clean` removes archives older than `--keep`, which may be shorter than
 * the journal's retention (14d by default): without this, `clean --keep 1d` deleted the history
 * of a run `restore --list` still called restorable, and the restore brought back entries without
 * their transcripts. Kept while the run is in the journal and not restored.
 *
 * The transcript's own path is named too: its companions (OpenClaw 2026.7+ `<base>.trajectory.jsonl`,
 * `<base>.trajectory-path.json`, checkpoints) stay where they are when the prune archives the
 * transcript, so they look orphaned until `restore` brings the transcript back beside them
 * (helper-34 on 7.35: prune, clean, restore left the restored session's trace archived).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { journalPathFor } from '../store/journal-path.js';
import { readJournal, runsOf } from '../store/journal.js';
import { lstatOrNull } from '../store/safe-fs.js';

/** Archive path, and the transcript path it is renamed back to (directory real path + name) → the run id whose restore does it. */
export function archivesUndoNeeds(storePath: string): Map<string, string> {
  const needs = new Map<string, string>();
  const journalPath = journalPathFor(storePath);
  if (!lstatOrNull(journalPath)) return needs;
  let records;
  try {
    records = readJournal(journalPath);
  } catch {
    return needs; // an unreadable journal is restore's to report; clean keeps acting as before
  }
  for (const run of runsOf(journalPath, records)) {
    if (run.method !== 'file' || run.restoredAt !== null || run.bindingProblem !== null) continue;
    for (const move of run.transcriptMoves) {
      needs.set(comparable(move.to), run.runId);
      needs.set(comparable(move.from), run.runId);
    }
  }
  return needs;
}

/** The path with its directory resolved (the scan names files under the real sessions dir). */
export function comparable(file: string): string {
  const resolved = path.resolve(file);
  try {
    return path.join(realpathSync(path.dirname(resolved)), path.basename(resolved));
  } catch {
    return resolved;
  }
}

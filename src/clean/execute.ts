/**
 * Carries out a clean plan, one file at a time, each step a single unlink or rename so that a
 * run killed at any point leaves every file either done or untouched (the next run finishes).
 * Every file is re-checked right before it is touched: still a regular file (no link followed),
 * still the same inode, unchanged since the scan; an orphan is still referenced by no entry and
 * no live process holds its transcript lock.
 */
import { linkSync, renameSync, unlinkSync } from 'node:fs';
import { archiveNameFor } from './names.js';
import type { CleanAction } from './plan.js';
import { isReferenced, lockKeeps, regularFile, type FileFact, type TranscriptReferences } from './scan.js';

export type CleanOutcome =
  | { action: CleanAction['type']; path: string; done: true; bytes: number; archivedTo?: string }
  | { action: CleanAction['type']; path: string; done: false; why: string };

export interface ExecuteCleanOptions {
  /** Fresh references, read after the run lock was taken (orphans are re-checked against them). */
  references: TranscriptReferences;
  now: Date;
  /** Called after each file, for JSON-lines events. */
  onOutcome?: (outcome: CleanOutcome) => void;
}

/** Applies the actions in order; never throws for one file's failure (it becomes an outcome). */
export function executeCleanActions(actions: readonly CleanAction[], options: ExecuteCleanOptions): CleanOutcome[] {
  const outcomes: CleanOutcome[] = [];
  for (const action of actions) {
    const outcome = applyOne(action, options);
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return outcomes;
}

function applyOne(action: CleanAction, options: ExecuteCleanOptions): CleanOutcome {
  const { file } = action;
  const skip = (why: string): CleanOutcome => ({ action: action.type, path: file.path, done: false, why });
  const changed = whyChanged(file);
  if (changed) return skip(changed);
  try {
    if (action.type === 'archive-orphan') {
      if (isReferenced(file.path, options.references)) return skip('an entry refers to it now');
      if (lockKeeps(file.path, options.now.getTime())) return skip('a live process holds its transcript lock now (or the lock cannot be read)');
      const to = archiveNameFor(file.path, options.now);
      archiveNoClobber(file.path, to);
      return { action: action.type, path: file.path, done: true, bytes: file.bytes, archivedTo: to };
    }
    unlinkSync(file.path);
    return { action: action.type, path: file.path, done: true, bytes: file.bytes };
  } catch (error) {
    return skip((error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/** Null when the path is still the scanned regular file, unchanged; else why not. */
function whyChanged(file: FileFact): string | null {
  const stat = regularFile(file.path);
  if (!stat) return 'gone, or no longer a regular file';
  if (stat.dev !== file.dev || stat.ino !== file.ino) return 'replaced since the scan';
  if (stat.size !== file.bytes || stat.mtimeMs !== file.mtimeMs) return 'written since the scan';
  return null;
}

/**
 * Renames without ever replacing an existing file: a hard link to the new name (fails if the name
 * exists), then the old name is removed. Killed in between, both names point at one file and the
 * next run archives the old name again; nothing is lost. Filesystems without hard links fall back
 * to a checked rename.
 */
function archiveNoClobber(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    if (regularFile(to)) throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
    renameSync(from, to);
    return;
  }
  unlinkSync(from);
}

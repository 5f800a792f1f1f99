/**
 * What `clean` removes, from a scan and a retention. Pure: the executor re-checks every file
 * before it acts (docs/openclaw-disk.md says why each age is safe).
 */
import path from 'node:path';
import { primaryTranscriptName } from './names.js';
import type { FileFact, OrphanTranscript, StoreDiskScan, Tombstone } from './scan.js';

/**
 * A temp file older than this cannot belong to a write in flight: the gateway's atomic write
 * lasts milliseconds, this tool's at most its lock timeout plus the write of one store.
 */
export const TEMP_SAFE_AGE_MS = 60 * 60_000;
/**
 * A transcript must be quiet this long before it counts as an orphan: a turn appends to its
 * transcript, so a file written in the last day may belong to a session being created.
 */
export const ORPHAN_QUIET_MS = 24 * 3_600_000;

/** The start of a kept file's `why` when an unrestored prune run's undo needs it (past --keep). */
export const UNDO_KEPT = 'prune run';

export interface CleanPolicy {
  /** Tombstones archived longer ago than this are removed (ms). */
  keepMs: number;
  now: number;
  /** Archive path, and the transcript path it goes back to → the unrestored prune run whose `restore` renames it back (undo-archives.ts). */
  undoNeeds?: ReadonlyMap<string, string>;
}

export type CleanAction =
  | { type: 'remove-tombstone'; file: Tombstone }
  | { type: 'archive-orphan'; file: OrphanTranscript }
  | { type: 'remove-temp'; file: FileFact };

export interface KeptFile {
  path: string;
  why: string;
}

export interface StoreCleanPlan {
  scan: StoreDiskScan;
  actions: CleanAction[];
  /** Files that look like candidates but stay, and why (shown with --verbose / in --json). */
  kept: KeptFile[];
}

/** Decides, per file, remove / archive / keep. */
export function planStoreClean(scan: StoreDiskScan, policy: CleanPolicy): StoreCleanPlan {
  const actions: CleanAction[] = [];
  const kept: KeptFile[] = [];
  for (const file of scan.tombstones) {
    const age = policy.now - file.archivedAtMs;
    const run = policy.undoNeeds?.get(file.path);
    if (run !== undefined && age > policy.keepMs) kept.push({ path: file.path, why: `${UNDO_KEPT} ${run} may still be undone (restore ${run} renames it back)` });
    else if (age > policy.keepMs) actions.push({ type: 'remove-tombstone', file });
    else kept.push({ path: file.path, why: age < 0 ? 'archived in the future (clock skew)' : 'younger than the retention (--keep)' });
  }
  for (const file of scan.orphans) {
    const undo = policy.undoNeeds?.get(path.join(path.dirname(file.path), primaryTranscriptName(path.basename(file.path))));
    if (file.liveLock) kept.push({ path: file.path, why: 'a live process holds its transcript lock (or the lock cannot be read)' });
    // A companion (trajectory, pointer, checkpoint) of a transcript a prune archived: restore puts it back beside them.
    else if (undo !== undefined) kept.push({ path: file.path, why: `its transcript comes back with restore ${undo} (prune run ${undo} may still be undone)` });
    else if (policy.now - file.mtimeMs <= ORPHAN_QUIET_MS) kept.push({ path: file.path, why: 'written in the last 24h' });
    else actions.push({ type: 'archive-orphan', file });
  }
  for (const file of scan.temps) {
    if (policy.now - file.mtimeMs > TEMP_SAFE_AGE_MS) actions.push({ type: 'remove-temp', file });
    else kept.push({ path: file.path, why: 'younger than 1h: a write may still be in flight' });
  }
  return { scan, actions, kept };
}

/** Bytes the plan frees now (archiving an orphan frees nothing until its tombstone expires). */
export function bytesToFree(actions: readonly CleanAction[]): number {
  return actions.reduce((sum, action) => sum + (action.type === 'archive-orphan' ? 0 : action.file.bytes), 0);
}

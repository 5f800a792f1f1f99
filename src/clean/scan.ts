/**
 * Reads a sessions directory into disk facts: tombstones, backups, orphan transcripts, leftover
 * temp files, entries whose transcript is missing, and this tool's journal. Read-only: it never
 * opens a file for writing and follows no link (every name is `lstat`ed; only regular files that
 * are direct children of the directory count).
 */
import { existsSync, lstatSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { nameInDir, resolvePath } from '../store/resolve-path.js';
import { READ_CAPS, readRegularFile } from '../store/safe-fs.js';
import { hasLiveTranscriptLock } from '../store/transcripts.js';
import { isStoreTempName, isTrajectoryPointerName, TRAJECTORY_POINTER_SUFFIX, isTranscriptName, parseArchiveName, parseStoreRotation, primaryTranscriptName, sessionIdsInTranscriptName, type ArchiveReason } from './names.js';

/** One regular file as it was when scanned; `dev`/`ino` let the executor prove it is the same file. */
export interface FileFact {
  name: string;
  path: string;
  bytes: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

export interface Tombstone extends FileFact {
  reason: Exclude<ArchiveReason, 'bak'>;
  archivedAtMs: number;
}

export interface OrphanTranscript extends FileFact {
  /**
   * `<file>.lock` is held by a live process (a run in progress), or is there but cannot be read as
   * a lock (a link, a FIFO, garbage): never touched either way.
   */
  liveLock: boolean;
}

/**
 * What refers to transcripts, gathered from every entry of every store of the install (valid or
 * not: an entry that fails validation can still own a transcript). Over-inclusive on purpose.
 */
export interface TranscriptReferences {
  sessionIds: ReadonlySet<string>;
  /** Resolved `sessionFile` paths (realpath where the file exists). */
  files: ReadonlySet<string>;
}

export interface StoreDiskScan {
  storePath: string;
  /** The real path of the store's directory; every file below is a direct child of it. */
  sessionsDir: string;
  tombstones: Tombstone[];
  /** `.bak.<ts>` archives and rotated `sessions.json.bak.<ms>`: OpenClaw's, reported only. */
  backups: FileFact[];
  orphans: OrphanTranscript[];
  temps: FileFact[];
  transcripts: { count: number; bytes: number };
  missingTranscripts: Array<{ key: string; path: string }>;
  journalBytes: number;
}

/** Builds the reference set from raw store documents (`key → entry`), whatever their validity. */
export function collectReferences(stores: ReadonlyArray<{ storePath: string; document: Record<string, unknown> }>): TranscriptReferences {
  const sessionIds = new Set<string>();
  const files = new Set<string>();
  for (const { storePath, document } of stores) {
    const dir = path.dirname(path.resolve(storePath));
    for (const raw of Object.values(document)) {
      if (!raw || typeof raw !== 'object') continue;
      const { sessionId, sessionFile, compactionCheckpoints } = raw as { sessionId?: unknown; sessionFile?: unknown; compactionCheckpoints?: unknown };
      if (typeof sessionId === 'string' && sessionId.trim()) sessionIds.add(sessionId.trim());
      for (const file of [sessionFile, ...checkpointFiles(compactionCheckpoints)]) {
        if (typeof file !== 'string' || !file.trim()) continue;
        const resolved = resolvePath(dir, file.trim());
        files.add(resolved);
        files.add(realOr(resolved));
      }
    }
  }
  return { sessionIds, files };
}

/**
 * The transcripts an entry's compaction checkpoints keep (OpenClaw 2026.7+:
 * `compactionCheckpoints[].preCompaction.sessionFile` / `.postCompaction.sessionFile`, which its own
 * orphan scan, `resolveReferencedSessionArtifactPaths` in 7.35's dist/store-*.js, counts as referenced).
 */
function checkpointFiles(checkpoints: unknown): unknown[] {
  if (!Array.isArray(checkpoints)) return [];
  return checkpoints.flatMap((checkpoint: unknown) => {
    if (!checkpoint || typeof checkpoint !== 'object') return [];
    const { preCompaction, postCompaction } = checkpoint as { preCompaction?: { sessionFile?: unknown } | null; postCompaction?: { sessionFile?: unknown } | null };
    return [preCompaction?.sessionFile, postCompaction?.sessionFile];
  });
}

/** True when some entry may use this transcript (by session id in its name, or by path). */
export function isReferenced(file: string, references: TranscriptReferences): boolean {
  // By name first (no system call); realpath only when some entry names a file of its own.
  if (sessionIdsInTranscriptName(path.basename(file)).some((id) => references.sessionIds.has(id))) return true;
  if (references.files.size === 0) return false;
  // A trajectory or checkpoint file belongs to the transcript it sits beside (names.ts).
  const owners = [file, path.join(path.dirname(file), primaryTranscriptName(path.basename(file)))];
  // 7.35 names the pointer of a sessionFile not ending in .jsonl `<sessionFile>.trajectory-path.json` (dist/paths-*.js).
  if (isTrajectoryPointerName(path.basename(file))) owners.push(file.slice(0, -TRAJECTORY_POINTER_SUFFIX.length));
  return owners.some((name) => references.files.has(name) || references.files.has(realOr(name)));
}

export interface ScanInput {
  storePath: string;
  /** Journal file of this tool beside the store (its size is reported). */
  journalPath: string;
  references: TranscriptReferences;
  /** This store's entries and the transcript each resolves to (null: none can be resolved). */
  entries: ReadonlyArray<{ key: string; transcript: string | null }>;
  now: number;
}

/** Scans the store's directory. Throws only when the directory itself cannot be read. */
export function scanStoreDisk(input: ScanInput): StoreDiskScan {
  const sessionsDir = realpathSync(path.dirname(path.resolve(input.storePath)));
  const storeBase = path.basename(input.storePath);
  const scan: StoreDiskScan = {
    storePath: input.storePath,
    sessionsDir,
    tombstones: [],
    backups: [],
    orphans: [],
    temps: [],
    transcripts: { count: 0, bytes: 0 },
    missingTranscripts: [],
    journalBytes: regularFile(input.journalPath)?.size ?? 0,
  };
  const listing = readdirSync(sessionsDir, { withFileTypes: true });
  for (const { name } of listing) {
    const file = path.join(sessionsDir, name);
    const stat = regularFile(file);
    if (!stat) continue;
    const fact = factOf(name, file, stat);
    const archive = parseArchiveName(name);
    if (archive) {
      if (archive.reason === 'bak') scan.backups.push(fact);
      else scan.tombstones.push({ ...fact, reason: archive.reason, archivedAtMs: archive.archivedAtMs });
    } else if (parseStoreRotation(name, storeBase)) {
      scan.backups.push(fact);
    } else if (isStoreTempName(name, storeBase)) {
      scan.temps.push(fact);
    } else if (isTranscriptName(name)) {
      scan.transcripts.count += 1;
      scan.transcripts.bytes += stat.size;
      if (!isReferenced(file, input.references)) scan.orphans.push({ ...fact, liveLock: lockKeeps(file, input.now) });
    } else if (isTrajectoryPointerName(name) && !isReferenced(file, input.references)) {
      // A deleted session's pointer (7.35 writes one per session; helper-32 saw them stay forever).
      scan.orphans.push({ ...fact, liveLock: false });
    }
  }
  const present = directoryNames(listing);
  const lexicalDir = path.dirname(path.resolve(input.storePath));
  for (const { key, transcript } of input.entries) {
    if (!transcript) continue;
    // A direct child of the directory just listed is looked up in the listing (500 entries, 500
    // stat calls and as many failed lock opens saved: issue 11); anything else is asked of the disk.
    const name = nameInDir(lexicalDir, transcript);
    const listed = name === null ? null : present.get(name);
    if (listed === 'file' || (listed !== 'absent' && existsSync(transcript))) continue;
    if ((name === null || present.get(`${name}.lock`) !== 'absent') && hasLiveTranscriptLock(transcript, input.now)) continue;
    scan.missingTranscripts.push({ key, path: transcript });
  }
  return scan;
}

/**
 * A listing as name → 'file' (exists, not a link), 'link' (ask the disk: it may dangle) or
 * 'absent' (not in it).
 */
function directoryNames(listing: ReadonlyArray<{ name: string; isSymbolicLink(): boolean }>): { get(name: string): 'file' | 'link' | 'absent' } {
  const kinds = new Map<string, 'file' | 'link'>();
  for (const entry of listing) kinds.set(entry.name, entry.isSymbolicLink() ? 'link' : 'file');
  return { get: (name) => kinds.get(name) ?? 'absent' };
}

/** lstat: a regular file, never through a link; null for anything else or a missing file. */
export function regularFile(file: string): Stats | null {
  try {
    const stat = lstatSync(file);
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

function factOf(name: string, file: string, stat: Stats): FileFact {
  return { name, path: file, bytes: stat.size, mtimeMs: stat.mtimeMs, dev: stat.dev, ino: stat.ino };
}

function realOr(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * Whether a transcript's lock file keeps clean away from it: a live holder, or a lock that exists
 * but cannot be read as one. Only a readable lock whose holder is dead (or no lock) lets it go:
 * for a removal, an unreadable lock is a reason to keep, never to act.
 */
export function lockKeeps(file: string, now: number): boolean {
  const lock = `${file}.lock`;
  try {
    lstatSync(lock);
  } catch {
    return false;
  }
  if (hasLiveTranscriptLock(file, now)) return true;
  try {
    readRegularFile(lock, { maxBytes: READ_CAPS.lock, what: 'transcript lock' });
    return false;
  } catch {
    return true;
  }
}

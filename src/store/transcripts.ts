/**
 * Transcript files and their locks. A running turn holds `<transcript>.jsonl.lock` for its
 * whole run (docs/openclaw.md §4), which is how a real run is told apart from a stale "running" claim.
 */
import { READ_CAPS, readRegularFile } from './safe-fs.js';
import path from 'node:path';
import { resolvePath } from './resolve-path.js';
import { parseLockContents, readHolderFacts } from './gateway-lock.js';

const SESSION_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

/**
 * The transcript file of an entry: its `sessionFile` when that resolves inside the sessions
 * directory, else `<sessionsDir>/<sessionId>.jsonl`; null when neither is safe to touch.
 */
export function transcriptPathFor(sessionsDir: string, entry: { sessionId: string; sessionFile?: string | null }): string | null {
  const root = resolvePath('', sessionsDir);
  if (entry.sessionFile) {
    const resolved = resolvePath(root, entry.sessionFile);
    if (resolved.startsWith(root + path.sep)) return resolved;
    return null;
  }
  if (!SESSION_ID.test(entry.sessionId)) return null;
  // The id is one safe name (SESSION_ID) and root is normal: joined as text, as path.join would.
  return `${root.endsWith(path.sep) ? root : root + path.sep}${entry.sessionId}.jsonl`;
}

// A transcript lock shares the store lock's format but not its meaning: the gateway creates it
// when a turn starts, never refreshes it, and removes it when the turn ends; a turn may hold it up
// to its timeout (48 h by default), so its age says nothing (docs/openclaw.md §4, docs/openclaw-sessions-observed.md).

/** A lock file with no readable pid is trusted this long after its last write (its creator may still be writing it). */
const UNREADABLE_LOCK_GRACE_MS = 30_000;

/**
 * True when `<transcript>.lock` exists and its holder is alive with the start time the lock
 * names (or the lock names none): a turn is in progress, whatever the lock's age. Only a dead
 * or recycled holder — or a lock without a pid, untouched for 30 s — is not live.
 */
export function hasLiveTranscriptLock(transcriptPath: string, now = Date.now()): boolean {
  const lockPath = `${transcriptPath}.lock`;
  let contents: string;
  let mtimeMs: number;
  try {
    // Never a FIFO, device or link, at most 64 KiB (issue 16 finding 8).
    const read = readRegularFile(lockPath, { maxBytes: READ_CAPS.lock, what: 'transcript lock' });
    mtimeMs = read.stat.mtimeMs;
    contents = read.bytes.toString('utf8');
  } catch {
    return false;
  }
  const parsed = parseLockContents(contents);
  if (parsed.pid === null) return now - mtimeMs <= UNREADABLE_LOCK_GRACE_MS;
  const holder = readHolderFacts(parsed);
  if (!holder.alive) return false;
  return parsed.starttime === null || holder.startTime === null || parsed.starttime === holder.startTime;
}

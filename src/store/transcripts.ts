/**
 * Transcript files and their locks. A running turn holds `<transcript>.jsonl.lock` for its
 * whole run (docs/openclaw.md §4), which is how a real run is told apart from a stale "running" claim.
 */
import { READ_CAPS, readRegularFile } from './safe-fs.js';
import path from 'node:path';
import { classifyLockHolder, parseLockContents, readHolderFacts } from './gateway-lock.js';

const SESSION_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

/**
 * The transcript file of an entry: its `sessionFile` when that resolves inside the sessions
 * directory, else `<sessionsDir>/<sessionId>.jsonl`; null when neither is safe to touch.
 */
export function transcriptPathFor(sessionsDir: string, entry: { sessionId: string; sessionFile?: string | null }): string | null {
  const root = path.resolve(sessionsDir);
  if (entry.sessionFile) {
    const resolved = path.resolve(root, entry.sessionFile);
    if (resolved.startsWith(root + path.sep)) return resolved;
    return null;
  }
  if (!SESSION_ID.test(entry.sessionId)) return null;
  return path.join(root, `${entry.sessionId}.jsonl`);
}

/**
 * A transcript lock shares the store lock's format but not its limit: the gateway holds it for
 * a whole turn and only treats it as stale after 30 minutes (openclaw 2026.4.2).
 */
export const TRANSCRIPT_LOCK_STALE_MS = 30 * 60_000;

/** True when the transcript's lock file exists and its holder is alive by the gateway's rules. */
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
  // A run holds its lock up to its timeout (48 h by default) and never refreshes it: a live holder
  // with the lock's start time means a live run whatever the lock's age (observed on 2026.4.2).
  return !classifyLockHolder(parsed, mtimeMs, now, readHolderFacts(parsed), Number.POSITIVE_INFINITY).stale;
}

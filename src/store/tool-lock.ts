/**
 * Keeps two runs of this tool (cron and a person, say) from working on the same store at once.
 * proper-lockfile guards a path of our own next to each store — never `sessions.json.lock`,
 * which belongs to the gateway's protocol (a directory there wedges its writes, docs/openclaw.md §5).
 */
import { closeSync, constants, fchmodSync, openSync, realpathSync, rmdirSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../errors.js';
import { onInterrupt } from '../system/cleanup.js';
import { isProcessAlive, readProcStartTime } from '../system/proc.js';
import { READ_CAPS, readRegularFileIfExists } from './safe-fs.js';

export const TOOL_LOCK_SUFFIX = '.openclaw-sessions.lock';
const OWNER_FILE = 'owner.json';

/**
 * `<realpath(dir)>/<store>.openclaw-sessions.lock`: resolved like the gateway's lock, so two runs
 * reaching one store through different symlinks still exclude each other.
 */
export function toolLockPathFor(storePath: string): string {
  const resolved = path.resolve(storePath);
  let dir = path.dirname(resolved);
  try {
    dir = realpathSync(dir);
  } catch {
    // a missing directory fails at lock time with a clear message
  }
  return path.join(dir, `${path.basename(resolved)}${TOOL_LOCK_SUFFIX}`);
}

export interface ToolLocks {
  /** Releases every lock taken; never throws. */
  (): Promise<void>;
  /** Set when proper-lockfile reports a lock compromised (its refresh failed, or it was taken over). */
  compromised: () => string | null;
}

export interface ToolLockOptions {
  timeoutMs: number;
}

/** Takes the run locks of all given stores (sorted, so two runs cannot deadlock). */
export async function acquireToolLocks(storePaths: readonly string[], options: ToolLockOptions): Promise<ToolLocks> {
  const releases: Array<() => Promise<void>> = [];
  let compromised: string | null = null;
  const releaseAll = async (): Promise<void> => {
    for (const release of releases.splice(0).reverse()) await release().catch(() => undefined);
  };
  const started = Date.now();
  try {
    // Keyed by lock path: one store named twice (say, through a symlinked directory) must not
    // wait for its own lock.
    const byLock = new Map(storePaths.map((p) => [toolLockPathFor(p), path.resolve(p)] as const));
    for (const [lockfilePath, storePath] of [...byLock].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      // One budget for all stores: --lock-timeout bounds the whole wait, not each store's.
      const remaining = Math.max(0, options.timeoutMs - (Date.now() - started));
      releases.push(await acquireOne(storePath, lockfilePath, remaining, (why) => (compromised ??= why)));
    }
  } catch (error) {
    await releaseAll();
    throw error;
  }
  const handle = releaseAll as ToolLocks;
  handle.compromised = () => compromised;
  return handle;
}

export function acquireToolLock(storePath: string, options: ToolLockOptions): Promise<ToolLocks> {
  return acquireToolLocks([storePath], options);
}

async function acquireOne(storePath: string, lockfilePath: string, timeoutMs: number, onCompromised: (why: string) => void): Promise<() => Promise<void>> {
  // proper-lockfile keeps its in-process bookkeeping by this path: make it the canonical one.
  const canonical = lockfilePath.slice(0, -TOOL_LOCK_SUFFIX.length);
  // Loaded when a lock is first taken: proper-lockfile's graceful-fs patches fs and loads assert
  // and fs/promises, start-up a dry run or a listing never needs (issue 11).
  const { default: lockfile } = await import('proper-lockfile');
  const started = Date.now();
  let delay = 50;
  for (;;) {
    try {
      const release = await lockfile.lock(canonical, {
        lockfilePath,
        realpath: false,
        retries: 0,
        // For an owner we cannot identify: taken over after this long without a refresh.
        stale: 10_000,
        update: 3_000,
        // proper-lockfile's default throws from a timer, killing the process mid-run.
        onCompromised: (error) => onCompromised(`run lock ${lockfilePath} compromised: ${error.message}`),
      });
      writeOwner(lockfilePath);
      // SIGINT/SIGTERM: remove the note and the directory ourselves (proper-lockfile's own exit
      // hook uses rmdir, which fails while the note is inside).
      const forget = onInterrupt(() => {
        rmSync(path.join(lockfilePath, OWNER_FILE), { force: true });
        rmdirSync(lockfilePath);
      });
      return async () => {
        forget();
        // proper-lockfile removes its directory with rmdir: it must be empty again.
        rmSync(path.join(lockfilePath, OWNER_FILE), { force: true });
        await release();
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY') {
        // proper-lockfile judged the lock stale (no refresh for 10 s) and its rmdir met our owner
        // note inside (a run killed with SIGKILL leaves it): take the note out and try again.
        rmSync(path.join(lockfilePath, OWNER_FILE), { force: true });
        continue;
      }
      if (code !== 'ELOCKED') {
        throw new ToolError('failed', `cannot take the run lock ${lockfilePath}: ${(error as Error).message}`);
      }
    }
    const deadOwner = readDeadOwner(lockfilePath);
    // A run killed mid-way (cron timeout, kill -9) should not block the next for 10 s. Re-read
    // first: another waiter may have cleared it and taken it in the meantime.
    if (deadOwner !== null && readOwnerText(lockfilePath) === deadOwner) {
      rmSync(lockfilePath, { recursive: true, force: true });
      continue;
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new ToolError(
        'lock-busy',
        `another openclaw-sessions run is working on ${storePath}${ownerClause(lockfilePath)} (run lock ${lockfilePath}); waited ${(elapsed / 1000).toFixed(1)}s — nothing was changed`,
      );
    }
    await sleep(Math.min(delay, timeoutMs - elapsed));
    delay = Math.min(500, delay * 2);
  }
}

/**
 * proper-lockfile's lock is a bare directory; we note who holds it so a dead owner is seen.
 * Adding the note bumps the directory's mtime, which proper-lockfile reads at its next refresh as
 * someone else having touched its lock ("compromised"), so the mtime it set is put back.
 */
function writeOwner(lockfilePath: string): void {
  try {
    const before = statSync(lockfilePath);
    const starttime = readProcStartTime(process.pid);
    // Created exclusively and never through a link; the lock directory itself was made by
    // mkdir under the tool's umask (0077), so it is 0700 whatever the caller's umask.
    const fd = openSync(path.join(lockfilePath, OWNER_FILE), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, starttime }));
    } finally {
      closeSync(fd);
    }
    utimesSync(lockfilePath, before.atime, before.mtime);
  } catch {
    // without it, proper-lockfile's mtime staleness still applies
  }
}

function readOwnerText(lockfilePath: string): string | null {
  try {
    return readRegularFileIfExists(path.join(lockfilePath, OWNER_FILE), { maxBytes: READ_CAPS.lock, what: 'run lock owner note' })?.bytes.toString('utf8') ?? null;
  } catch {
    return null;
  }
}

function parseOwner(text: string | null): { pid: number; starttime: number | null } | null {
  if (text === null) return null;
  try {
    const owner = JSON.parse(text) as { pid?: unknown; starttime?: unknown };
    if (typeof owner.pid !== 'number') return null;
    return { pid: owner.pid, starttime: typeof owner.starttime === 'number' ? owner.starttime : null };
  } catch {
    return null;
  }
}

/** The owner note's exact text when it names a process that is gone; else null. */
function readDeadOwner(lockfilePath: string): string | null {
  const text = readOwnerText(lockfilePath);
  // No note: just created, or by an older version — proper-lockfile's mtime rule decides.
  const owner = parseOwner(text);
  if (owner === null) return null;
  const gone = !isProcessAlive(owner.pid) || (owner.starttime !== null && readProcStartTime(owner.pid) !== owner.starttime);
  return gone ? text : null;
}

function ownerClause(lockfilePath: string): string {
  const owner = parseOwner(readOwnerText(lockfilePath));
  return owner ? ` (pid ${owner.pid})` : '';
}

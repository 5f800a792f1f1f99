/**
 * Keeps two runs of this tool (cron and a person, say) from working on the same store at once.
 * proper-lockfile guards a path of our own next to each store — never `sessions.json.lock`,
 * which belongs to the gateway's protocol (a directory there wedges its writes).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { CliError, EXIT } from '../errors.js';
import { isProcessAlive, readProcStartTime } from '../system/proc.js';

export const TOOL_LOCK_SUFFIX = '.openclaw-sessions.lock';
const OWNER_FILE = 'owner.json';

export function toolLockPathFor(storePath: string): string {
  return `${path.resolve(storePath)}${TOOL_LOCK_SUFFIX}`;
}

export interface ToolLocks {
  (): Promise<void>;
  /** Set when proper-lockfile reports a lock compromised (e.g. its mtime refresh failed). */
  compromised: () => string | null;
}

/** Takes the run locks of all given stores (sorted, so two runs cannot deadlock). */
export async function acquireToolLocks(storePaths: readonly string[], options: { timeoutMs: number }): Promise<ToolLocks> {
  const releases: Array<() => Promise<void>> = [];
  let compromised: string | null = null;
  const releaseAll = async (): Promise<void> => {
    for (const release of releases.splice(0).reverse()) await release().catch(() => undefined);
  };
  try {
    for (const storePath of [...new Set(storePaths.map((p) => path.resolve(p)))].sort()) {
      releases.push(await acquireOne(storePath, options.timeoutMs, (why) => (compromised ??= why)));
    }
  } catch (error) {
    await releaseAll();
    throw error;
  }
  const handle = releaseAll as ToolLocks;
  handle.compromised = () => compromised;
  return handle;
}

async function acquireOne(storePath: string, timeoutMs: number, onCompromised: (why: string) => void): Promise<() => Promise<void>> {
  const lockfilePath = toolLockPathFor(storePath);
  const started = Date.now();
  let delay = 50;
  for (;;) {
    try {
      const release = await lockfile.lock(storePath, {
        lockfilePath,
        realpath: false,
        retries: 0,
        // Fallback for an owner we cannot identify: taken over after this long without refresh.
        stale: 10_000,
        update: 3_000,
        onCompromised: (error) => onCompromised(`run lock ${lockfilePath} compromised: ${error.message}`),
      });
      writeOwner(lockfilePath);
      return async () => {
        // proper-lockfile removes its directory with rmdir: it must be empty again.
        rmSync(path.join(lockfilePath, OWNER_FILE), { force: true });
        await release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new CliError(EXIT.error, `cannot take the run lock ${lockfilePath}: ${(error as Error).message}`);
      }
    }
    if (ownerIsDead(lockfilePath)) {
      // A run killed mid-way (cron timeout, kill -9) should not block the next for 10 s.
      rmSync(lockfilePath, { recursive: true, force: true });
      continue;
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new CliError(EXIT.lockBusy, `another openclaw-sessions run is working on ${storePath} (run lock ${lockfilePath}); waited ${(elapsed / 1000).toFixed(1)}s — nothing was changed`);
    }
    await sleep(Math.min(delay, timeoutMs - elapsed));
    delay = Math.min(500, delay * 2);
  }
}

/** proper-lockfile's lock is a bare directory; we note who holds it so a dead owner is seen. */
function writeOwner(lockfilePath: string): void {
  try {
    writeFileSync(path.join(lockfilePath, OWNER_FILE), JSON.stringify({ pid: process.pid, starttime: readProcStartTime(process.pid) }), { mode: 0o600 });
  } catch {
    // without it, proper-lockfile's staleness still applies
  }
}

function ownerIsDead(lockfilePath: string): boolean {
  let owner: { pid?: unknown; starttime?: unknown };
  try {
    owner = JSON.parse(readFileSync(path.join(lockfilePath, OWNER_FILE), 'utf8')) as typeof owner;
  } catch {
    return false; // just created, or written by an older version: trust the mtime rule
  }
  if (typeof owner.pid !== 'number') return false;
  if (!isProcessAlive(owner.pid)) return true;
  return typeof owner.starttime === 'number' && readProcStartTime(owner.pid) !== owner.starttime;
}

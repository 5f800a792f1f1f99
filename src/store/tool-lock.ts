/**
 * Keeps two runs of this tool (cron and a person, say) from working on the same store at once.
 * proper-lockfile guards a path of our own next to each store — never `sessions.json.lock`,
 * which belongs to the gateway's protocol (a directory there wedges its writes).
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { CliError, EXIT } from '../errors.js';

export const TOOL_LOCK_SUFFIX = '.openclaw-sessions.lock';

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
      return await lockfile.lock(storePath, {
        lockfilePath,
        realpath: false,
        retries: 0,
        // A crashed run's lock is taken over after this long without its mtime refresh.
        stale: 15_000,
        update: 5_000,
        onCompromised: (error) => onCompromised(`run lock ${lockfilePath} compromised: ${error.message}`),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new CliError(EXIT.error, `cannot take the run lock ${lockfilePath}: ${(error as Error).message}`);
      }
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new CliError(EXIT.lockBusy, `another openclaw-sessions run is working on ${storePath} (run lock ${lockfilePath}); waited ${(elapsed / 1000).toFixed(1)}s — nothing was changed`);
    }
    await sleep(Math.min(delay, timeoutMs - elapsed));
    delay = Math.min(500, delay * 2);
  }
}

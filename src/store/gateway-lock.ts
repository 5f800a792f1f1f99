/**
 * OpenClaw's own cross-process lock on a session store (facts §5), spoken from outside:
 * `<realpath(dir)>/<store>.lock`, a regular file created exclusively, holding
 * `{pid, createdAt, starttime}`. Waiting, stale-lock reclaiming and release follow the
 * gateway's rules, so the gateway and this tool exclude each other exactly.
 *
 * Never a directory at that path: the gateway then fails every store write (facts §5).
 */
import { promises as fs, constants, realpathSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, EXIT } from '../errors.js';
import { isProcessAlive, readProcStartTime } from '../system/proc.js';

/** The gateway deletes a lock older than this even when its holder lives. */
export const LOCK_STALE_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

export interface LockContents {
  pid: number | null;
  createdAtMs: number | null;
  starttime: number | null;
}

export interface HolderFacts {
  alive: boolean;
  /** The holder pid's current start time; null when unknown (no /proc, no pid). */
  startTime: number | null;
}

export type LockVerdict = { stale: false; reason: string } | { stale: true; reason: string };

export function parseLockContents(text: string): LockContents {
  try {
    const value = JSON.parse(text) as { pid?: unknown; createdAt?: unknown; starttime?: unknown };
    const pid = typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 ? value.pid : null;
    const created = typeof value.createdAt === 'string' ? Date.parse(value.createdAt) : NaN;
    const starttime = typeof value.starttime === 'number' && Number.isFinite(value.starttime) ? value.starttime : null;
    return { pid, createdAtMs: Number.isFinite(created) ? created : null, starttime };
  } catch {
    return { pid: null, createdAtMs: null, starttime: null };
  }
}

/** The gateway's staleness rules, as a pure function of what was read. */
export function classifyLockHolder(contents: LockContents, mtimeMs: number, now: number, facts: HolderFacts): LockVerdict {
  if (contents.pid === null || contents.createdAtMs === null) {
    // Unreadable (possibly mid-write by its creator): only age can tell.
    return now - mtimeMs > LOCK_STALE_MS
      ? { stale: true, reason: `unreadable lock, last modified ${Math.round((now - mtimeMs) / 1000)}s ago` }
      : { stale: false, reason: 'unreadable lock, modified just now (being written?)' };
  }
  if (!facts.alive) return { stale: true, reason: `holder pid ${contents.pid} is not running` };
  if (contents.starttime !== null && facts.startTime !== null && contents.starttime !== facts.startTime) {
    return { stale: true, reason: `holder pid ${contents.pid} was recycled (start time ${facts.startTime}, lock says ${contents.starttime})` };
  }
  if (now - contents.createdAtMs > LOCK_STALE_MS) {
    return { stale: true, reason: `lock held by pid ${contents.pid} for ${Math.round((now - contents.createdAtMs) / 1000)}s (over ${LOCK_STALE_MS / 1000}s)` };
  }
  return { stale: false, reason: `held by live pid ${contents.pid}` };
}

export function readHolderFacts(contents: LockContents): HolderFacts {
  if (contents.pid === null) return { alive: false, startTime: null };
  return { alive: isProcessAlive(contents.pid), startTime: readProcStartTime(contents.pid) };
}

export function lockPathFor(storePath: string): string {
  let dir = path.dirname(path.resolve(storePath));
  try {
    dir = realpathSync(dir);
  } catch {
    // a missing directory fails later with a clear message
  }
  return path.join(dir, `${path.basename(storePath)}.lock`);
}

export interface GatewayLockHandle {
  path: string;
  acquiredAt: number;
  waitedMs: number;
  /** Locks this acquisition deleted as stale, and why (for reports). */
  reclaimed: string[];
  isStillOurs(): Promise<boolean>;
  release(): Promise<void>;
}

export async function acquireGatewayLock(storePath: string, options: { timeoutMs?: number } = {}): Promise<GatewayLockHandle> {
  const lockPath = lockPathFor(storePath);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = Date.now();
  const reclaimed: string[] = [];
  let delay = 50;
  let lastHolder = 'unknown';

  for (;;) {
    const body = JSON.stringify(ourContents(), null, 2);
    const created = await tryCreate(lockPath, body);
    if (created) {
      const acquiredAt = Date.now();
      return {
        path: lockPath,
        acquiredAt,
        waitedMs: acquiredAt - started,
        reclaimed,
        isStillOurs: async () => (await readText(lockPath)) === body,
        release: async () => {
          if ((await readText(lockPath)) === body) await fs.rm(lockPath, { force: true });
        },
      };
    }

    const existing = await inspectExisting(lockPath);
    if (existing) {
      if (existing.verdict.stale) {
        // Delete only the exact lock judged stale; a fresh one created meanwhile is left alone.
        if ((await readText(lockPath)) === existing.text) {
          await fs.rm(lockPath, { force: true });
          reclaimed.push(existing.verdict.reason);
        }
        continue;
      }
      lastHolder = existing.contents.pid !== null ? `pid ${existing.contents.pid}` : 'a process that has not written its pid yet';
    }

    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new CliError(EXIT.lockBusy, `store lock ${lockPath} is held by ${lastHolder} (waited ${(elapsed / 1000).toFixed(1)}s); the gateway is writing — try again, or raise --lock-timeout`);
    }
    await sleep(Math.min(delay, Math.max(1, timeoutMs - elapsed)));
    delay = Math.min(1000, Math.round(delay * 1.5));
  }
}

function ourContents(): { pid: number; createdAt: string; starttime?: number } {
  const starttime = readProcStartTime(process.pid);
  return { pid: process.pid, createdAt: new Date().toISOString(), ...(starttime !== null ? { starttime } : {}) };
}

async function tryCreate(lockPath: string, body: string): Promise<boolean> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EISDIR') throw directoryError(lockPath);
    throw new CliError(EXIT.error, `cannot create store lock ${lockPath}: ${(error as Error).message}`);
  }
  try {
    await handle.writeFile(body, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

async function inspectExisting(lockPath: string): Promise<{ text: string; contents: LockContents; verdict: LockVerdict } | null> {
  let stat;
  try {
    stat = lstatSync(lockPath);
  } catch {
    return null; // released between our attempt and now: just retry
  }
  if (stat.isDirectory()) throw directoryError(lockPath);
  const text = (await readText(lockPath)) ?? '';
  const contents = parseLockContents(text);
  return { text, contents, verdict: classifyLockHolder(contents, stat.mtimeMs, Date.now(), readHolderFacts(contents)) };
}

function directoryError(lockPath: string): CliError {
  return new CliError(
    EXIT.error,
    `${lockPath} is a directory (left by a tool using proper-lockfile?); OpenClaw cannot write the store while it exists — stop that tool and remove it: rmdir ${lockPath}`,
  );
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

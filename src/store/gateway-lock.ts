/**
 * OpenClaw's own cross-process lock on a session store (docs/openclaw.md §5), spoken from outside:
 * `<realpath(dir)>/<store>.lock`, a regular file created exclusively, holding
 * `{pid, createdAt, starttime}`. Waiting, stale-lock reclaiming and release follow the rules of
 * the gateway's `acquireSessionWriteLock` (openclaw 2026.4.2), so the gateway and this tool
 * exclude each other exactly and neither wedges the other.
 *
 * Never a directory at that path: the gateway then fails every store write (docs/openclaw.md §5).
 */
import { promises as fs, constants, lstatSync, realpathSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../defaults.js';
import { ToolError } from '../errors.js';
import { onInterrupt } from '../system/cleanup.js';
import { isProcessAlive, readProcStartTime } from '../system/proc.js';
import { readLockHolder } from './lock-holder.js';
import { READ_CAPS, readRegularFile } from './safe-fs.js';
import { shellQuote } from '../system/shell-quote.js';

/** The gateway deletes a store lock older than this even when its holder lives. */
export const LOCK_STALE_MS = 30_000;

export interface LockContents {
  pid: number | null;
  createdAtMs: number | null;
  starttime: number | null;
}

/** What /proc says about the pid a lock names, read at judging time. */
export interface HolderFacts {
  alive: boolean;
  /** The pid's current start time; null when unknown (no /proc, no pid). */
  startTime: number | null;
}

export interface LockVerdict {
  stale: boolean;
  /** One clause for the operator, e.g. "holder pid 123 is not running". */
  reason: string;
}

function isLockNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Lenient like the gateway: a field it would not accept reads as missing, never as an error. */
export function parseLockContents(text: string): LockContents {
  let value: { pid?: unknown; createdAt?: unknown; starttime?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return { pid: null, createdAtMs: null, starttime: null };
  }
  if (value === null || typeof value !== 'object') return { pid: null, createdAtMs: null, starttime: null };
  const pid = isLockNumber(value.pid) && value.pid > 0 ? value.pid : null;
  const created = typeof value.createdAt === 'string' ? Date.parse(value.createdAt) : NaN;
  const starttime = isLockNumber(value.starttime) ? value.starttime : null;
  return { pid, createdAtMs: Number.isFinite(created) ? created : null, starttime };
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;

/**
 * The gateway's staleness rules as a pure function. Any of dead pid, recycled pid or too old
 * makes a lock stale at once. A lock whose only faults are a missing pid and/or createdAt may be
 * one whose creator has not finished writing it, so then only an old mtime makes it stale.
 */
export function classifyLockHolder(contents: LockContents, mtimeMs: number, now: number, facts: HolderFacts, staleMs = LOCK_STALE_MS): LockVerdict {
  const { pid, createdAtMs, starttime } = contents;
  const hard: string[] = [];
  const soft: string[] = [];

  if (pid === null) soft.push('names no pid');
  else if (!facts.alive) hard.push(`holder pid ${pid} is not running`);
  else if (starttime !== null && facts.startTime !== null && starttime !== facts.startTime) {
    hard.push(`holder pid ${pid} was recycled (its start time is ${facts.startTime}, the lock says ${starttime})`);
  }

  if (createdAtMs === null) soft.push('has no valid createdAt');
  else if (now - createdAtMs > staleMs) hard.push(`created ${seconds(now - createdAtMs)} ago (over ${seconds(staleMs)})`);

  if (hard.length > 0) return { stale: true, reason: hard.join('; ') };
  if (soft.length > 0) {
    const age = now - mtimeMs;
    const what = `lock ${soft.join(' and ')}, last modified ${seconds(age)} ago`;
    return age > staleMs ? { stale: true, reason: what } : { stale: false, reason: `${what} (its creator may still be writing it)` };
  }
  return { stale: false, reason: `held by live pid ${pid} for ${seconds(Math.max(0, now - createdAtMs!))}` };
}

export function readHolderFacts(contents: LockContents): HolderFacts {
  if (contents.pid === null) return { alive: false, startTime: null };
  return { alive: isProcessAlive(contents.pid), startTime: readProcStartTime(contents.pid) };
}

/** The gateway resolves the directory, not the file: a symlinked sessions dir shares one lock. */
export function lockPathFor(storePath: string): string {
  let dir = path.dirname(path.resolve(storePath));
  try {
    dir = realpathSync(dir);
  } catch {
    // a missing directory fails later, at open, with a clear message
  }
  return path.join(dir, `${path.basename(storePath)}.lock`);
}

export interface GatewayLockHandle {
  path: string;
  /** Epoch ms when the lock file was created. */
  acquiredAt: number;
  /** How long acquiring took, waiting for other holders included. */
  waitedMs: number;
  /** Stale locks this acquisition deleted, and why (for reports). */
  reclaimed: string[];
  /** Ms since acquiredAt: the gateway gives up on a lock after 10 s of waiting, so keep this small. */
  heldMs(): number;
  /** True while the file at `path` is still the one we created; check it right before the rename. */
  isStillOurs(): Promise<boolean>;
  /** Deletes the lock if it is still ours; true when it did. Safe to call more than once. */
  release(): Promise<boolean>;
}

export interface AcquireOptions {
  timeoutMs?: number;
}

export async function acquireGatewayLock(storePath: string, options: AcquireOptions = {}): Promise<GatewayLockHandle> {
  const lockPath = lockPathFor(storePath);
  const timeoutMs = Math.max(0, options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const started = Date.now();
  const reclaimed: string[] = [];
  let waits = 0;
  let lastHolder: number | null = null;

  for (;;) {
    const body = JSON.stringify(ourContents(), null, 2);
    const ino = await tryCreate(lockPath, body);
    if (ino !== null) return handleFor(lockPath, body, ino, started, reclaimed);

    const existing = await inspectExisting(lockPath);
    if (existing === null) continue; // released between our open and our look: try again at once
    if (existing.verdict.stale && (await removeIfUnchanged(lockPath, existing))) {
      reclaimed.push(`${lockPath}: ${existing.verdict.reason}`);
      continue;
    }
    lastHolder = existing.contents.pid;

    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      // No process wrote a symlink or FIFO there: "has not written its pid yet" sent people to wait.
      const kind = notALockFile(existing.stat);
      if (kind) throw new ToolError('lock-busy', `store lock ${lockPath} is a ${kind}, not a lock file (OpenClaw and this tool write a regular file there); nothing was changed — if no tool of yours made it: rm ${shellQuote(lockPath)}`, { input: 'lockTimeout' });
      const holder = readLockHolder(lastHolder);
      throw new ToolError('lock-busy', `store lock ${lockPath} is held by ${holder.description} (waited ${(elapsed / 1000).toFixed(1)}s); nothing was changed — ${holder.advice}`, {
        input: 'lockTimeout',
      });
    }
    // The gateway's own pacing (50 ms more per attempt, at most 1 s), so neither side starves.
    waits += 1;
    await sleep(Math.min(50 * waits, 1000, Math.max(1, timeoutMs - elapsed)));
  }
}

function handleFor(lockPath: string, body: string, ino: number, started: number, reclaimed: string[]): GatewayLockHandle {
  const acquiredAt = Date.now();
  // Identity is the inode plus the exact bytes: pid and createdAt (ms) make the bytes unique to
  // this acquisition, and the inode guards the instant between a look and an unlink.
  const isStillOurs = async (): Promise<boolean> => {
    const stat = await fs.lstat(lockPath).catch(() => null);
    if (!stat || !stat.isFile() || stat.ino !== ino) return false;
    return (await readText(lockPath)) === body;
  };
  // SIGINT/SIGTERM while held: release it (if still ours) so the gateway does not wait 30 s.
  const forget = onInterrupt(() => {
    const stat = lstatSync(lockPath, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.ino === ino && readTextSync(lockPath) === body) unlinkSync(lockPath);
  });
  return {
    path: lockPath,
    acquiredAt,
    waitedMs: acquiredAt - started,
    reclaimed,
    heldMs: () => Date.now() - acquiredAt,
    isStillOurs,
    release: async () => {
      forget();
      if (!(await isStillOurs())) return false;
      await fs.unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw new ToolError('failed', `cannot remove store lock ${lockPath}: ${error.message}`);
      });
      return true;
    },
  };
}

function ourContents(): { pid: number; createdAt: string; starttime?: number } {
  const starttime = readProcStartTime(process.pid);
  return { pid: process.pid, createdAt: new Date().toISOString(), ...(starttime !== null ? { starttime } : {}) };
}

/** Creates the lock with O_EXCL; its inode when we won, null when someone else holds it. */
async function tryCreate(lockPath: string, body: string): Promise<number | null> {
  let handle: fs.FileHandle;
  try {
    // 0644 like the gateway's own default, so a gateway under another uid can still read our pid.
    handle = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return null;
    if (code === 'EISDIR') throw directoryError(lockPath);
    throw new ToolError('failed', `cannot create store lock ${lockPath}: ${(error as Error).message}`);
  }
  try {
    // The tool's umask is 0077; the gateway (possibly another uid) must still read our pid.
    await handle.chmod(0o644);
    await handle.writeFile(body, 'utf8');
    const { ino } = await handle.stat();
    await handle.close();
    return ino;
  } catch (error) {
    // A lock left empty would block the gateway for 30 s: take it back before failing.
    await handle.close().catch(() => undefined);
    await fs.unlink(lockPath).catch(() => undefined);
    throw new ToolError('failed', `cannot write store lock ${lockPath}: ${(error as Error).message}`);
  }
}

interface Existing {
  stat: Stats;
  text: string;
  contents: LockContents;
  verdict: LockVerdict;
}

async function inspectExisting(lockPath: string): Promise<Existing | null> {
  let stat: Stats;
  try {
    stat = await fs.lstat(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ToolError('failed', `cannot inspect store lock ${lockPath}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) throw directoryError(lockPath);
  const text = (await readText(lockPath)) ?? '';
  const contents = parseLockContents(text);
  return { stat, text, contents, verdict: classifyLockHolder(contents, stat.mtimeMs, Date.now(), readHolderFacts(contents)) };
}

/**
 * Deletes the lock judged stale only if it is still that same file: its holder may have released
 * it and a live process created a fresh one since we looked.
 */
async function removeIfUnchanged(lockPath: string, judged: Existing): Promise<boolean> {
  const now = await fs.lstat(lockPath).catch(() => null);
  if (!now || now.ino !== judged.stat.ino || now.mtimeMs !== judged.stat.mtimeMs) return false;
  if ((await readText(lockPath)) !== judged.text) return false;
  try {
    await fs.unlink(lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    throw new ToolError('failed', `cannot remove stale store lock ${lockPath} (${judged.verdict.reason}): ${(error as Error).message}`);
  }
}

/** What stands at a lock path that is not a regular file, in words (null for one): never read, followed or removed here (readText). */
export function notALockFile(stat: Stats): string | null {
  if (stat.isFile()) return null;
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isDirectory()) return 'directory';
  return stat.isSocket() ? 'socket' : 'device';
}

function directoryError(lockPath: string): ToolError {
  return new ToolError(
    'failed',
    `${lockPath} is a directory (left by a tool using proper-lockfile?), not OpenClaw's lock file; the gateway cannot save this store while it exists — stop that tool and remove it: rmdir ${lockPath}`,
  );
}

/**
 * A lock file's text: never through a symlink, never a FIFO or device (refused before any
 * blocking read), at most 64 KiB (issue 16 finding 8). Anything else reads as unreadable (null).
 */
async function readText(file: string): Promise<string | null> {
  return readTextSync(file);
}

function readTextSync(file: string): string | null {
  try {
    return readRegularFile(file, { maxBytes: READ_CAPS.lock, what: 'store lock' }).bytes.toString('utf8');
  } catch {
    return null;
  }
}

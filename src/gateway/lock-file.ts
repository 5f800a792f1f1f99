/**
 * The gateway's singleton lock, read without trusting it (docs/openclaw-gateway.md): found in
 * every place a version writes it, opened without following links, and verified against the
 * process it names — ownership and mode of the file and its directory, the start time, the
 * executable and entry (identify.ts), and the listening socket on the gateway port. Only a lock
 * that passes all of these yields a pid that may ever be signalled.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lazySchema, z } from '../store/validate.js';
import type { Env } from '../env.js';
import { packageVersionAbove } from '../store/openclaw-version.js';
import { listeningSockets, pidHoldsSocket } from '../system/proc-net.js';
import { isProcessAlive, readProcCmdline, readProcEnviron, readProcExe, readProcStartTime, readProcUid } from '../system/proc.js';
import { judgeGatewayProcess, judgeLockOwnership, type PathOwnership, type ProcessJudgement } from './identify.js';
import { cgroupSaysContainer } from './respawn.js';

const buildGatewayLockSchema = () => z.object({
  pid: z.int().check(z.positive()),
  createdAt: z.optional(z.string()),
  configPath: z.optional(z.string()),
  startTime: z.optional(z.number()),
  // 9.x adds these
  ownerId: z.optional(z.string()),
  port: z.optional(z.int().check(z.positive(), z.lte(65535))),
  role: z.optional(z.string()),
  stateDir: z.optional(z.string()),
});
const gatewayLockSchema = lazySchema(buildGatewayLockSchema);

export type GatewayLock = z.infer<ReturnType<typeof buildGatewayLockSchema>>;

export const DEFAULT_GATEWAY_PORT = 18789;
/** A real lock is ~200 bytes; anything much larger is not one (and is not read whole). */
const MAX_LOCK_BYTES = 64 * 1024;

export type PidVerdict = { ok: true } | { ok: false; why: 'untrusted-file' | 'unreadable' | 'no-start-time' | 'dead' | 'recycled' | 'not-gateway' | 'not-listening' | 'other-config'; detail: string };

/** A lock file looked at: verified, or why not (reported, never signalled). */
export interface LockFinding {
  lockPath: string;
  lock: GatewayLock | null;
  verdict: PidVerdict;
}

/** A local gateway process proven as described in the module comment. */
export interface VerifiedGateway {
  pid: number;
  uid: number;
  lockPath: string;
  lock: GatewayLock;
  how: Extract<ProcessJudgement, { ok: true }>['how'];
  /** The gateway's environment (for OPENCLAW_NO_RESPAWN and supervisor hints); null when unreadable. */
  environ: Record<string, string> | null;
  /** Whether the gateway sees itself in a container; null when unknown. */
  container: boolean | null;
  /** The openclaw package version its entry script belongs to, when argv still shows it. */
  packageVersion: string | null;
}

export function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * Lock directories to look in: for this process's uid and the state dir owner's (root running
 * against another user's install), under `$TMPDIR`, `os.tmpdir()` and `/tmp` (the gateway uses
 * its *own* tmpdir, which may differ from ours) and `<stateDir>/tmp` (9.x).
 */
export function candidateLockDirs(stateDir: string, env: Env, uids: ReadonlyArray<number | null>): string[] {
  const bases = [env.TMPDIR?.trim() || null, os.tmpdir(), '/tmp'].filter((b): b is string => Boolean(b));
  const dirs: string[] = [];
  for (const uid of new Set(uids)) {
    const segment = uid === null ? 'openclaw' : `openclaw-${uid}`;
    for (const base of bases) dirs.push(path.join(path.resolve(base), segment));
    dirs.push(path.join(stateDir, 'tmp', segment));
  }
  return [...new Set(dirs)];
}

function ownershipOf(stat: Stats): PathOwnership {
  return { kind: stat.isSymbolicLink() ? 'symlink' : stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', uid: stat.uid, mode: stat.mode & 0o7777 };
}

/** Reads a lock without following links, refusing FIFOs/devices and oversized files. */
export function readGatewayLockFile(file: string): { lock: GatewayLock | null; stat: Stats } | { error: string } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'the lock file is a symlink' : (error as Error).message };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { error: 'the lock is not a regular file' };
    if (stat.size > MAX_LOCK_BYTES) return { error: `the lock file is ${stat.size} bytes, too large to be a gateway lock` };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    let lock: GatewayLock | null = null;
    try {
      const parsed = gatewayLockSchema().safeParse(JSON.parse(buffer.subarray(0, read).toString('utf8')));
      lock = parsed.success ? parsed.data : null;
    } catch {
      lock = null;
    }
    return { lock, stat };
  } finally {
    closeSync(fd);
  }
}

/** Does a script path lie inside an installed `openclaw` package (a package.json named openclaw above it)? */
export function isOpenclawEntry(file: string): boolean {
  return packageVersionAbove(file) !== null;
}

/** Does the gateway see itself in a container? Read through its own root (/proc/<pid>/root). */
export function gatewaySeesContainer(pid: number): boolean | null {
  const root = `/proc/${pid}/root`;
  let readable = false;
  for (const sentinel of ['/.dockerenv', '/run/.containerenv', '/var/run/.containerenv']) {
    try {
      lstatSync(root + sentinel);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') readable = true;
    }
  }
  try {
    return cgroupSaysContainer(readFileSync(`${root}/proc/1/cgroup`, 'utf8'));
  } catch {
    return readable ? false : null;
  }
}

/**
 * Verifies one lock against the process it names and the port it must listen on. `port` is
 * the lock's own (9.x) or the configured one.
 */
export function verifyLock(lockPath: string, configPath: string | null, configuredPort: number): LockFinding & { verified: VerifiedGateway | null } {
  const fail = (why: Exclude<PidVerdict, { ok: true }>['why'], detail: string, lock: GatewayLock | null = null) => ({ lockPath, lock, verdict: { ok: false as const, why, detail }, verified: null });
  const read = readGatewayLockFile(lockPath);
  if ('error' in read) return fail('untrusted-file', `${lockPath}: ${read.error}`);
  const { lock } = read;
  if (!lock) return fail('unreadable', `${lockPath} is not a gateway lock (not JSON with a numeric pid, start time and port)`);
  // Another install's gateway (other config) is not ours to judge or signal.
  if (configPath && lock.configPath && path.resolve(lock.configPath) !== path.resolve(configPath)) return fail('other-config', `${lockPath} belongs to the gateway of ${lock.configPath}`, lock);
  const pid = lock.pid;
  let dirStat: Stats;
  try {
    dirStat = lstatSync(path.dirname(lockPath));
  } catch (error) {
    return fail('untrusted-file', `${path.dirname(lockPath)}: ${(error as Error).message}`, lock);
  }
  const pidUid = readProcUid(pid);
  const ownership = judgeLockOwnership(ownershipOf(read.stat), ownershipOf(dirStat), pidUid);
  if (!ownership.ok) return fail('untrusted-file', `${lockPath}: ${ownership.why}`, lock);
  if (!isProcessAlive(pid)) return fail('dead', `pid ${pid} is not running`, lock);
  if (lock.startTime === undefined) return fail('no-start-time', `the lock names pid ${pid} without a start time, so that pid cannot be told from a recycled one`, lock);
  const startTime = readProcStartTime(pid);
  if (startTime === null) return fail('unreadable', `cannot read /proc/${pid}/stat to check its start time`, lock);
  if (startTime !== lock.startTime) return fail('recycled', `pid ${pid} started at ${startTime}, not ${lock.startTime} as the lock says: another process now has that pid`, lock);
  const cmdline = readProcCmdline(pid);
  const judged = judgeGatewayProcess({ exe: readProcExe(pid), cmdline }, isOpenclawEntry);
  if (!judged.ok) return fail('not-gateway', `pid ${pid} is not an OpenClaw gateway: ${judged.why}`, lock);
  const port = lock.port ?? configuredPort;
  const inodes = new Set(listeningSockets(port).map((s) => s.inode));
  if (!pidHoldsSocket(pid, inodes)) return fail('not-listening', `pid ${pid} does not hold the listening socket on port ${port}`, lock);
  const entry = cmdline?.find((arg) => /\.(m?js)$/.test(arg) && isOpenclawEntry(arg)) ?? null;
  return {
    lockPath,
    lock,
    verdict: { ok: true },
    verified: {
      pid,
      uid: pidUid ?? -1,
      lockPath,
      lock,
      how: judged.how,
      environ: readProcEnviron(pid),
      container: gatewaySeesContainer(pid),
      packageVersion: entry ? (packageVersionAbove(entry)?.version ?? null) : null,
    },
  };
}


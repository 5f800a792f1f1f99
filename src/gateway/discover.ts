/**
 * Finding the running gateway by every route OpenClaw offers (docs/openclaw.md §7, docs/openclaw-gateway.md), and proving what was
 * found before trusting it:
 *
 *   url    `--url`, else `OPENCLAW_GATEWAY_URL`, else `gateway.mode: "remote"` +
 *          `gateway.remote.url` (OpenClaw's own client precedence, dist/call-*.js). The operator
 *          named it: RPC and secrets go there; it has no local pid, so it is never signalled.
 *   lock   the singleton lock (4.x–7.x `<tmpdir>/openclaw-<uid>/gateway.<hash>.lock`, 9.x
 *          `<stateDir>/tmp/openclaw-<uid>/`). Its pid is *verified* only when: the lock file
 *          and directory are real, owned by the pid's user and not writable by others; the lock
 *          has a start time equal to the pid's; the process is the OpenClaw gateway by its
 *          executable and entry (identify.ts); and it holds the listening socket on the
 *          gateway port. Only a verified pid is ever signalled.
 *   port   the port from a verified lock (9.x), `OPENCLAW_GATEWAY_PORT`, `gateway.port` or
 *          18789, probed directly with `/healthz`, `/readyz` and the WebSocket challenge (no
 *          secret is sent for any of them) whether or not a lock was found. A gateway that
 *          answers without a verified lock is "running, pid unknown": RPC yes, signals never.
 *          Its secret goes only to a listener owned by the gateway's user.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import type { LoadedConfig } from '../store/config.js';
import { packageVersionAbove } from '../store/openclaw-version.js';
import type { Env } from '../env.js';
import type { StateLocation } from '../store/paths.js';
import { listeningSockets, pidHoldsSocket, pidsHoldingSockets } from '../system/proc-net.js';
import { isProcessAlive, readProcCmdline, readProcEnviron, readProcExe, readProcStartTime, readProcUid } from '../system/proc.js';
import { probeHealth, type HealthProbe } from './health.js';
import { judgeGatewayProcess, judgeLockOwnership, type PathOwnership, type ProcessJudgement } from './identify.js';
import { cgroupSaysContainer } from './respawn.js';

export const gatewayLockSchema = z.object({
  pid: z.number().int().positive(),
  createdAt: z.string().optional(),
  configPath: z.string().optional(),
  startTime: z.number().optional(),
  // 9.x adds these
  ownerId: z.string().optional(),
  port: z.number().int().positive().max(65535).optional(),
  role: z.string().optional(),
  stateDir: z.string().optional(),
});

export type GatewayLock = z.infer<typeof gatewayLockSchema>;

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

export type TargetSource = 'flag --url' | 'env OPENCLAW_GATEWAY_URL' | 'config gateway.remote.url' | 'lock port' | 'env OPENCLAW_GATEWAY_PORT' | 'config gateway.port' | 'default port';

export interface GatewayTarget {
  url: string;
  host: string;
  port: number;
  tls: boolean;
  source: TargetSource;
  /** Named by the operator (--url, env or remote config): RPC only, never signalled. */
  explicit: boolean;
}

export interface ListenerFacts {
  /** Owner uid of the listening socket, from /proc/net/tcp{,6}; null when none is visible (other network namespace). */
  socketUid: number | null;
  /** Pids holding it whose fds could be read. */
  pids: number[];
  /** The first of those judged an OpenClaw gateway process, if any. */
  gatewayPid: number | null;
}

export interface Discovery {
  target: GatewayTarget;
  /** A verified local gateway: the only kind that is ever signalled. */
  verified: VerifiedGateway | null;
  /** Lock files that failed verification. */
  rejected: LockFinding[];
  health: HealthProbe;
  /** The port answers as an OpenClaw gateway (HTTP health or the WebSocket challenge). */
  answers: boolean;
  listener: ListenerFacts | null;
  /** May the token/password be sent to `target`? */
  secrets: { ok: true; why: string } | { ok: false; why: string };
  /** The uid the gateway runs as (or is expected to: the state dir's owner). */
  gatewayUid: number | null;
}

export interface ExplicitTarget {
  url?: string;
}

function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/** 4.x: `<tmpdir>/openclaw-<uid>/gateway.<sha256(configPath)[0:8]>.lock` */
export function gatewayLockPath(configPath: string, tmpDir: string, uid: number | null = currentUid()): string {
  const hash = createHash('sha256').update(configPath).digest('hex').slice(0, 8);
  return path.join(tmpDir, uid === null ? 'openclaw' : `openclaw-${uid}`, `gateway.${hash}.lock`);
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
      const parsed = gatewayLockSchema.safeParse(JSON.parse(buffer.subarray(0, read).toString('utf8')));
      lock = parsed.success ? parsed.data : null;
    } catch {
      lock = null;
    }
    return { lock, stat };
  } finally {
    closeSync(fd);
  }
}

function isOpenclawEntry(file: string): boolean {
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

/** Port precedence of OpenClaw's own resolveGatewayPort (dist/paths-*.js): env, then config, then 18789. */
export function resolveConfiguredPort(env: Env, config: LoadedConfig): { port: number; source: TargetSource } {
  const raw = env.OPENCLAW_GATEWAY_PORT?.trim();
  if (raw && /^\d+$/.test(raw)) {
    const port = Number(raw);
    if (port > 0 && port < 65536) return { port, source: 'env OPENCLAW_GATEWAY_PORT' };
  }
  const configPort = config.facts.gateway?.port;
  if (configPort) return { port: configPort, source: 'config gateway.port' };
  return { port: DEFAULT_GATEWAY_PORT, source: 'default port' };
}

export function gatewayTlsEnabled(config: LoadedConfig): boolean {
  const tls = config.facts.gateway?.tls as { enabled?: unknown } | undefined;
  return tls?.enabled === true;
}

/**
 * The explicit target, if any, by OpenClaw's precedence: `--url`, `OPENCLAW_GATEWAY_URL`,
 * then `gateway.remote.url` when `gateway.mode` is "remote". Plain `ws://` to a non-loopback
 * host is refused as OpenClaw refuses it, unless `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1` and
 * the host is private.
 */
export function explicitTarget(flagUrl: string | undefined, env: Env, config: LoadedConfig): GatewayTarget | null {
  const remoteUrl = config.facts.gateway?.remote?.url;
  const remote = config.facts.gateway?.mode === 'remote' && typeof remoteUrl === 'string' ? remoteUrl.trim() : undefined;
  const choice: [string, TargetSource] | null = flagUrl?.trim()
    ? [flagUrl.trim(), 'flag --url']
    : env.OPENCLAW_GATEWAY_URL?.trim()
      ? [env.OPENCLAW_GATEWAY_URL.trim(), 'env OPENCLAW_GATEWAY_URL']
      : remote
        ? [remote, 'config gateway.remote.url']
        : null;
  if (!choice) return null;
  const [raw, source] = choice;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError('usage', `invalid gateway URL "${raw}" (from ${source}): use ws://host:port or wss://host:port`);
  }
  const protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
  if (protocol !== 'ws:' && protocol !== 'wss:') throw new ToolError('usage', `invalid gateway URL "${raw}" (from ${source}): use ws:// or wss://`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (protocol === 'ws:' && !isLoopbackHost(host) && !(env.OPENCLAW_ALLOW_INSECURE_PRIVATE_WS === '1' && isPrivateHost(host))) {
    throw new ToolError('usage', `refusing plaintext ${raw} (from ${source}): the token would cross the network unencrypted; use wss://, an SSH tunnel to 127.0.0.1, or OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1 on a trusted private network`);
  }
  const tls = protocol === 'wss:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return { url: `${protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`, host, port, tls, source, explicit: true };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

function isPrivateHost(host: string): boolean {
  return isLoopbackHost(host) || /^10\./.test(host) || /^192\.168\./.test(host) || /^172\.(1[6-9]|2\d|3[01])\./.test(host) || /^f[cd][0-9a-f]{2}:/i.test(host) || !/^[\d.:]+$/.test(host);
}

/** The uid the gateway is expected to run as: the owner of the state dir (its files are its). */
export function expectedGatewayUid(stateDir: string): number | null {
  try {
    return lstatSync(stateDir).uid;
  } catch {
    return currentUid();
  }
}

/** Who holds the listening socket on `port` here, judged as a gateway process or not. */
export function inspectListener(port: number): ListenerFacts {
  const sockets = listeningSockets(port);
  if (sockets.length === 0) return { socketUid: null, pids: [], gatewayPid: null };
  const pids = pidsHoldingSockets(new Set(sockets.map((s) => s.inode)));
  const gatewayPid = pids.find((pid) => judgeGatewayProcess({ exe: readProcExe(pid), cmdline: readProcCmdline(pid) }, isOpenclawEntry).ok) ?? null;
  return { socketUid: sockets[0]!.uid, pids, gatewayPid };
}

export interface DiscoverOptions {
  flagUrl?: string;
  timeoutMs?: number;
}

/** Every route, in order; see the module comment. Never throws except for an invalid explicit URL. */
export async function discoverGateway(location: StateLocation, config: LoadedConfig, env: Env, options: DiscoverOptions = {}): Promise<Discovery> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const explicit = explicitTarget(options.flagUrl, env, config);
  if (explicit) {
    const health = await probeHealth(explicit, timeoutMs);
    return {
      target: explicit,
      verified: null,
      rejected: [],
      health,
      answers: health.healthz || health.readyz || health.websocket,
      listener: null,
      secrets: { ok: true, why: `the operator named ${explicit.url} (${explicit.source})` },
      gatewayUid: null,
    };
  }

  const configPath = location.configPath ?? path.join(location.stateDir, 'openclaw.json');
  const gatewayUid = expectedGatewayUid(location.stateDir);
  const configured = resolveConfiguredPort(env, config);
  const tls = gatewayTlsEnabled(config);
  const rejected: LockFinding[] = [];
  let verified: VerifiedGateway | null = null;
  for (const dir of candidateLockDirs(location.stateDir, env, [currentUid(), gatewayUid])) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/^gateway\.([0-9a-f]{8}|state)\.lock$/.test(name)) continue;
      const found = verifyLock(path.join(dir, name), configPath, configured.port);
      if (found.verdict.ok && found.verified) {
        verified ??= found.verified;
      } else if (!found.verdict.ok && found.verdict.why !== 'other-config') {
        rejected.push({ lockPath: found.lockPath, lock: found.lock, verdict: found.verdict });
      }
    }
  }

  const port = verified?.lock.port ?? configured.port;
  const source: TargetSource = verified?.lock.port ? 'lock port' : configured.source;
  const target: GatewayTarget = { url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`, host: '127.0.0.1', port, tls, source, explicit: false };
  const health = await probeHealth(target, timeoutMs);
  const answers = health.healthz || health.readyz || health.websocket;
  const listener = verified ? { socketUid: verified.uid, pids: [verified.pid], gatewayPid: verified.pid } : answers ? inspectListener(port) : null;
  let secrets: Discovery['secrets'];
  if (verified) secrets = { ok: true, why: `pid ${verified.pid} is the verified gateway and holds the socket on port ${port}` };
  else if (!answers) secrets = { ok: false, why: `nothing answers as a gateway on port ${port}` };
  else if (!listener || listener.socketUid === null) secrets = { ok: false, why: `no listening socket on port ${port} is visible here (another network namespace, e.g. a container's published port): pass --url ws://127.0.0.1:${port} to trust it` };
  else if (gatewayUid !== null && listener.socketUid !== gatewayUid) secrets = { ok: false, why: `the socket on port ${port} belongs to uid ${listener.socketUid}, not to the gateway's user (uid ${gatewayUid}, owner of ${location.stateDir})` };
  else if (listener.pids.length > 0 && listener.gatewayPid === null) secrets = { ok: false, why: `the process on port ${port} (pid ${listener.pids.join(', ')}) is not an OpenClaw gateway` };
  else secrets = { ok: true, why: `the socket on port ${port} belongs to the gateway's user (uid ${listener.socketUid})` };
  return { target, verified, rejected, health, answers, listener, secrets, gatewayUid };
}

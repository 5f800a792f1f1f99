/**
 * Finding the running gateway by every route OpenClaw offers (docs/openclaw.md §7,
 * docs/openclaw-gateway.md), and proving what was found before trusting it:
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
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../env.js';
import type { LoadedConfig } from '../store/config.js';
import type { StateLocation } from '../store/paths.js';
import { listeningSockets, pidsHoldingSockets } from '../system/proc-net.js';
import { readProcCmdline, readProcExe, readProcState } from '../system/proc.js';
import { readProcTreeCpuMs } from '../system/proc-tree.js';
import { probeHealth, type HealthProbe } from './health.js';
import { judgeGatewayProcess } from './identify.js';
import { servedStateDir } from './served-state-dir.js';
import type { SilentGateway } from './silent-gateway.js';
import { explicitTarget, type GatewayTarget, type TargetSource } from './target.js';
import { candidateLockDirs, currentUid, DEFAULT_GATEWAY_PORT, isOpenclawEntry, verifyLock, type LockFinding, type VerifiedGateway } from './lock-file.js';

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
  /** The gateway on the port serves another state dir (served-state-dir.ts): another install's, never this one's. */
  foreign?: { pid: number; dir: string } | null;
  /** The verified gateway holds the socket but gave the health probe no response (silent-gateway.ts); null otherwise. */
  silentGateway?: SilentGateway | null;
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
      answers: health.healthz || health.readyz || health.websocket === true,
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
  // The verified gateway's CPU clock across the probe: a silent gateway that works is busy, one
  // that stays idle is stuck (silent-gateway.ts). Read only for a verified pid: no other is judged.
  const probedAt = Date.now();
  const cpuBefore = verified ? readProcTreeCpuMs(verified.pid) : null;
  const health = await probeHealth(target, timeoutMs);
  const answers = health.healthz || health.readyz || health.websocket === true;
  const silentGateway = verified && health.silent ? measuredSilence(verified.pid, Date.now() - probedAt, cpuBefore) : null;
  const listener = verified ? { socketUid: verified.uid, pids: [verified.pid], gatewayPid: verified.pid } : answers ? inspectListener(port) : null;
  // Found by its port alone: another install's gateway (a copy of this state dir keeps the
  // original's port and token) is proven by the directory it serves; neither its count nor a
  // delete is this install's (served-state-dir.ts).
  const served = !verified && listener && listener.gatewayPid !== null ? servedStateDir(listener.gatewayPid, location.stateDir) : null;
  let secrets: Discovery['secrets'];
  if (verified) secrets = { ok: true, why: `pid ${verified.pid} is the verified gateway and holds the socket on port ${port}` };
  else if (!answers) secrets = { ok: false, why: health.listening ? `port ${port} accepts connections, but nothing there answers as a gateway` : `nothing answers as a gateway on port ${port}` };
  else if (!listener || listener.socketUid === null) secrets = { ok: false, why: `no listening socket on port ${port} is visible here (another network namespace, e.g. a container's published port): pass --url ws://127.0.0.1:${port} to trust it` };
  else if (gatewayUid !== null && listener.socketUid !== gatewayUid) secrets = { ok: false, why: `the socket on port ${port} belongs to uid ${listener.socketUid}, not to the gateway's user (uid ${gatewayUid}, owner of ${location.stateDir})` };
  else if (listener.pids.length > 0 && listener.gatewayPid === null) secrets = { ok: false, why: `the process on port ${port} (pid ${listener.pids.join(', ')}) is not an OpenClaw gateway` };
  else if (served?.same === false) secrets = { ok: false, why: `the gateway on port ${port} (pid ${listener.gatewayPid}) serves ${served.dir}, not ${location.stateDir}: another install's gateway` };
  else secrets = { ok: true, why: `the socket on port ${port} belongs to the gateway's user (uid ${listener.socketUid})` };
  const foreign = served?.same === false && listener?.gatewayPid ? { pid: listener.gatewayPid, dir: served.dir } : null;
  return { target, verified, rejected, health, answers, listener, secrets, gatewayUid, foreign, silentGateway };
}

function measuredSilence(pid: number, waitedMs: number, cpuBefore: number | null): SilentGateway {
  const cpuAfter = cpuBefore === null ? null : readProcTreeCpuMs(pid);
  const state = readProcState(pid);
  return { pid, waitedMs, gatewayCpuMs: cpuAfter === null || cpuBefore === null || cpuAfter < cpuBefore ? null : cpuAfter - cpuBefore, stopped: state === 'T' || state === 't', traced: state === 't', diskWait: state === 'D' };
}

/**
 * Finding the running gateway from outside (docs/openclaw.md §7): its singleton lock names a pid, which
 * is trusted only after checking it is alive, started when the lock says, and is an OpenClaw
 * gateway. A pid that fails any check is reported as stale and never signalled.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { isProcessAlive, readProcCmdline, readProcEnviron, readProcStartTime, readProcTitle } from '../system/proc.js';
import type { Env } from '../env.js';

export const gatewayLockSchema = z.object({
  pid: z.number().int().positive(),
  createdAt: z.string().optional(),
  configPath: z.string().optional(),
  startTime: z.number().optional(),
  // 9.x adds these
  ownerId: z.string().optional(),
  port: z.number().int().positive().optional(),
  role: z.string().optional(),
  stateDir: z.string().optional(),
});

export type GatewayLock = z.infer<typeof gatewayLockSchema>;

export type PidVerdict =
  | { ok: true }
  | { ok: false; why: 'dead' | 'recycled' | 'not-gateway' | 'unreadable'; detail: string };

export interface FoundGateway {
  lockPath: string;
  lock: GatewayLock;
  verdict: PidVerdict;
  /** `OPENCLAW_NO_RESPAWN=1` in its environment: SIGUSR1 restarts in-process and keeps the count. */
  noRespawn: boolean | null;
  /** The openclaw package the process runs from, when its command line names it. */
  entryScript: string | null;
}

export function uidSegment(): string {
  return `openclaw-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`;
}

/** 4.x: `<tmpdir>/openclaw-<uid>/gateway.<sha256(configPath)[0:8]>.lock` */
export function gatewayLockPath(configPath: string, tmpDir: string): string {
  const hash = createHash('sha256').update(configPath).digest('hex').slice(0, 8);
  return path.join(tmpDir, uidSegment(), `gateway.${hash}.lock`);
}

/** Candidate lock files: the exact 4.x path, then every gateway lock in the 4.x and 9.x dirs. */
export function candidateLockPaths(configPath: string | null, stateDir: string, env: Env): string[] {
  const tmpDir = env.TMPDIR?.trim() || os.tmpdir();
  const dirs = [path.join(tmpDir, uidSegment()), path.join(stateDir, 'tmp', uidSegment())];
  const exact = configPath ? [gatewayLockPath(configPath, tmpDir), gatewayLockPath(configPath, path.join(stateDir, 'tmp'))] : [];
  const listed: string[] = [];
  for (const dir of dirs) {
    try {
      for (const name of readdirSync(dir)) if (/^gateway\.[0-9a-f]{8}\.lock$/.test(name)) listed.push(path.join(dir, name));
    } catch {
      // no such dir: no gateway has run as this user there
    }
  }
  return [...new Set([...exact, ...listed])];
}

export function readGatewayLock(file: string): GatewayLock | null {
  try {
    const parsed = gatewayLockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Is this pid really the gateway the lock describes? Pure over the facts read from /proc. */
export function judgePid(lock: GatewayLock, facts: { alive: boolean; startTime: number | null; cmdline: string[] | null; title: string | null }): PidVerdict {
  if (!facts.alive) return { ok: false, why: 'dead', detail: `pid ${lock.pid} is not running` };
  if (lock.startTime !== undefined && facts.startTime !== null && lock.startTime !== facts.startTime) {
    return { ok: false, why: 'recycled', detail: `pid ${lock.pid} started at ${facts.startTime}, not ${lock.startTime} as the lock says: another process now has that pid` };
  }
  if (!facts.cmdline && !facts.title) return { ok: false, why: 'unreadable', detail: `cannot read /proc/${lock.pid} to check what it is` };
  if (!looksLikeGateway(facts.cmdline ?? [], facts.title)) {
    return { ok: false, why: 'not-gateway', detail: `pid ${lock.pid} is ${describeProcess(facts.cmdline, facts.title)}, not an OpenClaw gateway` };
  }
  return { ok: true };
}

export function looksLikeGateway(cmdline: string[], title: string | null): boolean {
  // The gateway sets its process title to `openclaw-gateway`, which replaces argv in /proc.
  if (cmdline.some((arg) => /(^|\/)openclaw-gateway\b/.test(arg))) return true;
  if (title === 'openclaw-gateway' || title?.startsWith('openclaw-gatew')) return true;
  const joined = cmdline.join(' ');
  return /openclaw/.test(joined) && /\bgateway\b/.test(joined);
}

function describeProcess(cmdline: string[] | null, title: string | null): string {
  const text = cmdline?.join(' ') || title || 'unknown';
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

export function inspectGateway(lockPath: string, lock: GatewayLock): FoundGateway {
  const cmdline = readProcCmdline(lock.pid);
  const facts = { alive: isProcessAlive(lock.pid), startTime: readProcStartTime(lock.pid), cmdline, title: readProcTitle(lock.pid) };
  const verdict = judgePid(lock, facts);
  let noRespawn: boolean | null = null;
  if (verdict.ok) {
    const environ = readProcEnviron(lock.pid);
    noRespawn = environ ? environ.OPENCLAW_NO_RESPAWN === '1' : null;
  }
  const entryScript = cmdline?.find((arg) => /openclaw/.test(arg) && /\.(m?js)$/.test(arg)) ?? null;
  return { lockPath, lock, verdict, noRespawn, entryScript };
}

/**
 * The gateway serving this config: the verified one if any, else the first stale lock found
 * (to report), else null.
 */
export function findGateway(configPath: string | null, stateDir: string, env: Env): { gateway: FoundGateway | null; stale: FoundGateway[] } {
  const stale: FoundGateway[] = [];
  for (const file of candidateLockPaths(configPath, stateDir, env)) {
    const lock = readGatewayLock(file);
    if (!lock) continue;
    // Another install's gateway (other config) is not ours to judge or signal.
    if (configPath && lock.configPath && path.resolve(lock.configPath) !== path.resolve(configPath)) continue;
    const found = inspectGateway(file, lock);
    if (found.verdict.ok) return { gateway: found, stale };
    stale.push(found);
  }
  return { gateway: null, stale };
}

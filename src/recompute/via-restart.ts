/**
 * Restarting the gateway (docs/openclaw.md §8): the restart signal goes only to the pid verified a moment
 * ago (re-verified right before the signal), and success means a *new* verified gateway process
 * answering /readyz — an in-process restart keeps the stale count and is not a recompute.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { discoverGateway } from '../gateway/discover.js';
import { verifyLock } from '../gateway/lock-file.js';
import type { GatewayStatus } from '../gateway/probe.js';
import type { RestartSignal } from '../gateway/signals.js';
import type { LoadedConfig } from '../store/config.js';
import type { Env } from '../env.js';
import type { StateLocation } from '../store/paths.js';

export interface RestartOutcome {
  ok: boolean;
  oldPid: number;
  newPid: number | null;
  waitedMs: number;
  why?: string;
}

export async function restartGateway(
  status: GatewayStatus,
  signal: RestartSignal,
  context: { location: StateLocation; config: LoadedConfig; env: Env; waitMs: number },
): Promise<RestartOutcome> {
  const gateway = status.gateway;
  if (!gateway) return { ok: false, oldPid: -1, newPid: null, waitedMs: 0, why: 'no verified gateway pid: not signalled' };
  const oldPid = gateway.pid;
  // Re-verify right before signalling: the pid must still be that same gateway, same start time.
  const again = verifyLock(gateway.lockPath, status.configPath, status.port);
  if (!again.verdict.ok || again.lock?.pid !== oldPid || again.lock.startTime !== gateway.lock.startTime) {
    return { ok: false, oldPid, newPid: null, waitedMs: 0, why: `gateway pid ${oldPid} no longer verifies (${again.verdict.ok ? 'its lock changed' : again.verdict.detail}); not signalled` };
  }
  try {
    process.kill(oldPid, signal);
  } catch (error) {
    return { ok: false, oldPid, newPid: null, waitedMs: 0, why: `cannot send ${signal} to pid ${oldPid}: ${(error as Error).message}` };
  }
  const started = Date.now();
  let lastPid: number | null = oldPid;
  while (Date.now() - started < context.waitMs) {
    await sleep(500);
    const found = await discoverGateway(context.location, context.config, context.env, { timeoutMs: 1500 });
    lastPid = found.verified?.pid ?? null;
    if (found.verified && found.verified.pid !== oldPid && found.health.readyz) {
      return { ok: true, oldPid, newPid: found.verified.pid, waitedMs: Date.now() - started };
    }
  }
  const why =
    lastPid === oldPid
      ? `pid ${oldPid} is still the gateway after ${Math.round(context.waitMs / 1000)} s: it restarted in-process (count kept), is waiting for active runs, or ignored the signal`
      : `no new verified, ready gateway within ${Math.round(context.waitMs / 1000)} s`;
  return { ok: false, oldPid, newPid: lastPid, waitedMs: Date.now() - started, why };
}

/**
 * Restarting the gateway from the pruned store (docs/openclaw.md §8): the restart signal goes only to the
 * pid verified a moment ago, and success means a *new* verified gateway process answering
 * /readyz — an in-process restart keeps the stale count and is not a recompute.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { findGateway, inspectGateway, type FoundGateway } from '../gateway/discover.js';
import { isGatewayReady, resolveGatewayPort } from '../gateway/health.js';
import type { RestartSignal } from '../gateway/signals.js';
import type { Env } from '../env.js';

export interface RestartOutcome {
  ok: boolean;
  oldPid: number;
  newPid: number | null;
  waitedMs: number;
  why?: string;
}

export async function restartGateway(
  gateway: FoundGateway,
  signal: RestartSignal,
  context: { configPath: string; stateDir: string; env: Env; configPort: number | undefined; tls: boolean; waitMs: number },
): Promise<RestartOutcome> {
  const oldPid = gateway.lock.pid;
  // Re-verify right before signalling: the pid must still be that same gateway.
  const again = inspectGateway(gateway.lockPath, gateway.lock);
  if (!again.verdict.ok) return { ok: false, oldPid, newPid: null, waitedMs: 0, why: `gateway pid ${oldPid} no longer verifies (${again.verdict.detail}); not signalled` };
  try {
    process.kill(oldPid, signal);
  } catch (error) {
    return { ok: false, oldPid, newPid: null, waitedMs: 0, why: `cannot send ${signal} to pid ${oldPid}: ${(error as Error).message}` };
  }
  const started = Date.now();
  while (Date.now() - started < context.waitMs) {
    await sleep(500);
    const { gateway: current } = findGateway(context.configPath, context.stateDir, context.env);
    if (!current || current.lock.pid === oldPid) continue;
    const port = resolveGatewayPort(current.lock.port, context.env.OPENCLAW_GATEWAY_PORT, context.configPort);
    if (await isGatewayReady(port, { tls: context.tls })) {
      return { ok: true, oldPid, newPid: current.lock.pid, waitedMs: Date.now() - started };
    }
  }
  const { gateway: last } = findGateway(context.configPath, context.stateDir, context.env);
  const why = last && last.lock.pid === oldPid
    ? `pid ${oldPid} is still the gateway after ${Math.round(context.waitMs / 1000)}s: it restarted in-process (count kept), is waiting for active runs, or ignored the signal`
    : `no new ready gateway within ${Math.round(context.waitMs / 1000)}s`;
  return { ok: false, oldPid, newPid: last?.lock.pid ?? null, waitedMs: Date.now() - started, why };
}

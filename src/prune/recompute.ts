/**
 * How a prune's removals reach the running gateway's count: the decision (recompute/choose.ts)
 * from what the probe found, and after the writes, the finishing step (restart and check, or
 * say why the count stays) as a report entry.
 */
import type { Env } from '../env.js';
import type { GatewayStatus } from '../gateway/probe.js';
import type { Inventory } from '../inventory.js';
import { chooseRecompute, type RecomputeDecision, type RecomputeRequest } from '../recompute/choose.js';
import { restartGateway } from '../recompute/via-restart.js';
import type { PrunePlan, PrunePlanItem } from '../sessions/plan.js';
import { readJsonStore } from '../store/read-json.js';
import type { RecomputeReport } from './report.js';

export function decideRecompute(requested: RecomputeRequest, gateway: GatewayStatus, plan: PrunePlan, allowRestart: boolean): RecomputeDecision {
  return chooseRecompute({
    requested,
    gatewayRunning: gateway.running,
    generation: gateway.generation,
    rpc: gateway.rpc.ok ? { ok: true } : { ok: false, why: gateway.rpc.why },
    restart: gateway.restart.ok ? { ok: true } : { ok: false, why: gateway.restart.why },
    allowRestart,
    slotsToFree: plan.slotsFreed,
  });
}

export interface FinishContext {
  gateway: GatewayStatus;
  inventory: Inventory;
  env: Env;
  /** How long to wait for a restarted gateway to be ready. */
  waitMs: number;
}

/** After file writes: restart when decided, or explain why the running count stays. */
export async function finishRecompute(decision: RecomputeDecision, removed: PrunePlanItem[], context: FinishContext): Promise<RecomputeReport> {
  const { gateway } = context;
  const pid = gateway.gateway?.lock.pid ?? null;
  const freed = removed.filter((item) => item.holdsSlot).length;
  const base = { gatewayPid: pid, newGatewayPid: null, viaRpc: [] };
  switch (decision.method) {
    case 'file':
      return { ...base, method: 'file', ok: true, detail: decision.note ?? (gateway.running ? 'no ACP slots to free' : 'no gateway is running: the next start reads the pruned store') };
    case 'none': {
      // Not `prune --recompute restart`: the sessions are gone from the store now, so a second
      // prune has nothing to do and restarts nothing.
      const fix = 'restart the gateway (openclaw gateway restart)';
      const detail = `the running gateway (pid ${pid}) still counts ${freed} pruned ACP session${freed === 1 ? '' : 's'} against its cap (${decision.why}); to fix: ${fix}`;
      return { ...base, method: 'none', ok: !(decision.fallback && freed > 0), detail };
    }
    case 'restart':
      return { ...base, ...(await restartAndCheck(removed, context)) };
    default:
      return { ...base, method: 'file', ok: true, detail: '' };
  }
}

async function restartAndCheck(removed: PrunePlanItem[], { gateway, inventory, env, waitMs }: FinishContext): Promise<Pick<RecomputeReport, 'method' | 'ok' | 'detail' | 'newGatewayPid'>> {
  const method = 'restart';
  if (removed.length === 0) return { method, ok: true, newGatewayPid: null, detail: 'nothing was pruned; gateway not restarted' };
  if (!gateway.gateway || !gateway.restart.ok) return { method, ok: false, newGatewayPid: null, detail: 'gateway not restartable' };
  const outcome = await restartGateway(gateway.gateway, gateway.restart.signal, {
    configPath: gateway.configPath,
    stateDir: inventory.location.stateDir,
    env,
    configPort: inventory.config.facts.gateway?.port,
    tls: gateway.tls,
    waitMs,
  });
  const newGatewayPid = outcome.newPid;
  if (!outcome.ok) return { method, ok: false, newGatewayPid, detail: `store pruned, but the gateway was not replaced: ${outcome.why}` };
  const back = keysBackInStores(removed);
  if (back.length > 0) return { method, ok: false, newGatewayPid, detail: `gateway restarted as pid ${outcome.newPid}, but ${back.length} pruned key(s) are back in the store (${back[0]}): run prune again` };
  const ready = `ready after ${(outcome.waitedMs / 1000).toFixed(1)}s`;
  return { method, ok: true, newGatewayPid, detail: `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}, ${ready}; its count starts from the pruned store` };
}

/** The recompute entry of an RPC prune: the gateway deleted (and closed) the sessions itself. */
export function rpcRecomputeReport(gateway: GatewayStatus, removed: PrunePlanItem[], failed: number, stillListed: string[]): RecomputeReport {
  const base = { method: 'rpc' as const, gatewayPid: gateway.gateway?.lock.pid ?? null, newGatewayPid: null, viaRpc: removed.map((item) => item.key) };
  if (stillListed.length > 0) return { ...base, ok: false, detail: `the gateway still lists ${stillListed.length} deleted session(s) (${stillListed[0]})` };
  if (failed > 0) return { ...base, ok: false, detail: `the gateway could not delete ${failed} session(s); see skipped — run prune again (it retries UNAVAILABLE)` };
  const count = base.viaRpc.length;
  return { ...base, ok: true, detail: `the gateway (pid ${base.gatewayPid}) closed and deleted ${count} ACP session${count === 1 ? '' : 's'}; they no longer count against its cap` };
}

function keysBackInStores(removed: PrunePlanItem[]): string[] {
  const back: string[] = [];
  for (const storePath of new Set(removed.map((item) => item.storePath))) {
    try {
      const { document } = readJsonStore(storePath);
      for (const item of removed) if (item.storePath === storePath && Object.hasOwn(document, item.key)) back.push(item.key);
    } catch {
      // an unreadable store is reported by the next list/doctor
    }
  }
  return back;
}

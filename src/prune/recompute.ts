/**
 * How a prune's removals reach the running gateway's count: the decision (recompute/choose.ts)
 * from what the probe found; after the writes, the finishing step (a verified restart and its
 * check); and the measurement — the gateway's live count before and after, which alone decides
 * whether slots were freed (issue 9: measure, never assume).
 */
import type { Env } from '../env.js';
import { readLiveAgain, type GatewayStatus } from '../gateway/probe.js';
import type { ProgressLine } from '../gateway/probe-deletes.js';
import type { Inventory } from '../inventory.js';
import { unansweringListenerOf, unreachableGatewayOf } from '../gateway/unanswered.js';
import { chooseRecompute, type RecomputeDecision, type RecomputeRequest } from '../recompute/choose.js';
import { restartGateway } from '../recompute/via-restart.js';
import type { PrunePlan, PrunePlanItem } from '../sessions/plan.js';
import { riseAfterStartNote } from '../sessions/start-count.js';
import type { StoreGeneration } from '../store/openclaw-version.js';
import { readJsonStore } from '../store/read-json.js';
import type { Unanswered } from '../recompute/via-rpc.js';
import type { RecomputeReport } from './report.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';

/**
 * A planned session that may have a live runtime handle in the gateway: an `acp` object in the
 * file (4.x), or a slot counted from state/openclaw.sqlite (7.x+, whose entries carry no `acp`).
 * Judged by `acp` objects alone, a real 2026.7.35 gateway whose RPC refused this tool (a wrong
 * token) had two failed sessions pruned from its file, and kept counting them (helper-16).
 */
export function mayHoldHandle(item: PrunePlanItem): boolean {
  const acp = (item.raw as { acp?: unknown } | null)?.acp;
  return (typeof acp === 'object' && acp !== null) || item.holdsSlot;
}

/** `commands`: this install's (install-commands.ts), named in a refusal and in a silent gateway's advice (silent-gateway.ts). */
export function decideRecompute(requested: RecomputeRequest, gateway: GatewayStatus, plan: PrunePlan, allowRestart: boolean, inventory: Inventory, commands?: InstallCommands): RecomputeDecision {
  return chooseRecompute({
    requested,
    gatewayRunning: gateway.running,
    unreachableGateway: unreachableGatewayOf(gateway),
    unansweringListener: unansweringListenerOf(gateway, commands?.openclaw(['gateway', 'restart'])),
    foreignGateway: gateway.discovery.foreign ? { port: gateway.port, ...gateway.discovery.foreign } : null,
    generation: generationOf(gateway, inventory),
    rpc: gateway.rpc.ok ? { ok: true } : { ok: false, why: gateway.rpc.why },
    restart: gateway.restart.ok ? { ok: true } : { ok: false, why: gateway.restart.why, fix: gateway.restart.fix },
    allowRestart,
    slotsToFree: plan.slotsHeldOnDisk,
    acpEntries: plan.items.filter(mayHoldHandle).length,
    commands,
  });
}

/**
 * The store's write protocol: the gateway version's (facts §2). When no version is known (no
 * hello, and neither the gateway process nor PATH names one: seen with the e2e gateways, whose
 * process title hides their entry), what the install shows instead: a SQLite store is 8.1+, and
 * a state/openclaw.sqlite (readable with ACP state, or there and unreadable here) is a release
 * after 4.29 (observed on 7.35 and 9.6; 4.29 keeps ACP state in the entries), whose JSON store
 * has no cross-process lock. Only ever the more careful answer: an unlocked store is written by
 * its gateway alone.
 */
export function generationOf(gateway: GatewayStatus, inventory: Pick<Inventory, 'stores' | 'acpState'>): StoreGeneration {
  if (gateway.generation !== 'unknown') return gateway.generation;
  if (inventory.stores.some((store) => store.ref.format === 'sqlite')) return 'sqlite';
  // The database exists: a release from 2026.6.1 on, even where this Node cannot read it (Node 20
  // has no node:sqlite); neither 4.2's nor 4.29's dist/ names state/openclaw.sqlite at all.
  return inventory.acpState.source === 'state-db' || inventory.acpState.source === 'unreadable' ? 'unlocked-json' : 'unknown';
}

/** A gateway named by URL changes only through its RPC: it has no local pid and no files here. */
export function decideRemoteRecompute(requested: RecomputeRequest, gateway: GatewayStatus): RecomputeDecision {
  if (requested === 'restart' || requested === 'none') {
    return { method: 'refuse', kind: 'not-recomputed', why: `--recompute ${requested}: a gateway named by URL is changed only through its RPC (it has no local pid or files); nothing was changed` };
  }
  return gateway.rpc.ok ? { method: 'rpc', allViaRpc: true } : { method: 'refuse', kind: 'not-recomputed', why: `RPC is unavailable: ${gateway.rpc.why}; nothing was changed` };
}

export function recomputeReport(
  method: RecomputeReport['method'],
  ok: boolean,
  detail: string,
  gateway: GatewayStatus | null,
  extra: { liveBefore?: number | null; liveAfter?: number | null; newGatewayPid?: number | null; liveNote?: string | null; viaRpc?: string[] } = {},
): RecomputeReport {
  return {
    method,
    ok,
    detail,
    gatewayPid: gateway?.gateway?.pid ?? null,
    newGatewayPid: extra.newGatewayPid ?? null,
    viaRpc: extra.viaRpc ?? [],
    liveBefore: extra.liveBefore ?? null,
    liveAfter: extra.liveAfter ?? null,
    liveNote: extra.liveNote ?? null,
  };
}

export interface FinishContext {
  gateway: GatewayStatus;
  inventory: Inventory;
  env: Env;
  /** How long to wait for a restarted gateway to be ready. */
  waitMs: number;
}

/** After file writes: restart when decided (and check the new process), else say what happened. */
export async function finishRecompute(decision: RecomputeDecision, removed: PrunePlanItem[], context: FinishContext): Promise<RecomputeReport> {
  const { gateway } = context;
  if (decision.method === 'restart') return restartAndCheck(removed, context);
  const note = decision.method === 'file' ? decision.note : null;
  return recomputeReport('file', true, note ?? (gateway.running ? "no pruned entry had an ACP handle: the file was edited under the gateway's lock" : 'no gateway is running: the next start reads the pruned store'), gateway);
}

async function restartAndCheck(removed: PrunePlanItem[], { gateway, inventory, env, waitMs }: FinishContext): Promise<RecomputeReport> {
  if (removed.length === 0) return recomputeReport('restart', true, 'nothing was pruned; gateway not restarted', gateway);
  if (!gateway.gateway || !gateway.restart.ok) return recomputeReport('restart', false, 'gateway not restartable', gateway);
  const outcome = await restartGateway(gateway, gateway.restart.signal, { location: inventory.location, config: inventory.config, env, waitMs });
  const newGatewayPid = outcome.newPid;
  if (!outcome.ok) return recomputeReport('restart', false, `store pruned, but the gateway was not replaced: ${outcome.why}`, gateway, { newGatewayPid });
  const back = keysBackInStores(removed);
  if (back.length > 0) return recomputeReport('restart', false, `gateway restarted as pid ${outcome.newPid}, but ${back.length} pruned key(s) are back in the store (${back[0]}): run prune again`, gateway, { newGatewayPid });
  return recomputeReport('restart', true, `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}, ready after ${(outcome.waitedMs / 1000).toFixed(1)} s; its count starts from the pruned store`, gateway, { newGatewayPid });
}

/** The recompute entry of an RPC prune: the gateway deleted (and closed) the sessions itself. */
export function rpcRecomputeReport(gateway: GatewayStatus, removed: PrunePlanItem[], failed: number, stillListed: string[] | Error, unconfirmed: string[] = [], unansweredBy: Unanswered = 'timeout'): RecomputeReport {
  const viaRpc = removed.map((item) => item.key);
  const who = gateway.gateway ? `the gateway (pid ${gateway.gateway.pid})` : `the gateway at ${gateway.url}`;
  if (unconfirmed.length > 0) {
    const rest = failed - unconfirmed.length;
    // What was measured: a reply that timed out, or a connection that closed first.
    const what = unansweredBy === 'closed' ? `closed the connection before it answered the delete of ${unconfirmed[0]}` : `did not answer the delete of ${unconfirmed[0]} (hung or overloaded)`;
    return recomputeReport('rpc', false, `${who} ${what}: it may still delete it, and the run's journal keeps the entry${rest > 0 ? `; ${rest} other session(s) not sent or not deleted, see skipped` : ''} — run prune again once it answers`, gateway, { viaRpc });
  }
  if (stillListed instanceof Error) return recomputeReport('rpc', false, `${who} deleted ${viaRpc.length} session(s), but its sessions.list afterwards failed (${stillListed.message}): not confirmed gone — run list once it answers`, gateway, { viaRpc });
  if (stillListed.length > 0) return recomputeReport('rpc', false, `the gateway still lists ${stillListed.length} deleted session(s) (${stillListed[0]})`, gateway, { viaRpc });
  if (failed > 0) return recomputeReport('rpc', false, `the gateway could not delete ${failed} session(s); see skipped — run prune again (it retries UNAVAILABLE)`, gateway, { viaRpc });
  // `failed` leaves out keys gone from the store since planning (another run deleted them).
  if (viaRpc.length === 0) return recomputeReport('rpc', true, 'nothing left to delete: the planned sessions were gone from the store when their turn came (another run or the gateway removed them)', gateway, { viaRpc });
  return recomputeReport('rpc', true, `${who} closed and deleted ${viaRpc.length} session${viaRpc.length === 1 ? '' : 's'} through sessions.delete`, gateway, { viaRpc });
}

/**
 * Reads the live count after the change and judges it: a prune whose gateway still counts the
 * removed slot holders is not a success (ok false → exit 5, with the command that fixes it).
 * `slotsFreed` is the measured drop, or null when either count is unreadable.
 */
export async function measureAfter(gateway: GatewayStatus | null, inventory: Inventory, recompute: RecomputeReport, removed: PrunePlanItem[], progress?: ProgressLine, commands: InstallCommands = UNPINNED_COMMANDS): Promise<{ recompute: RecomputeReport; slotsFreed: number | null }> {
  if (!gateway || !gateway.running) {
    // Something on the port that does not answer may be a hung gateway, counting still: never "none was held".
    const liveNote = gateway?.discovery.health.listening ? `port ${gateway.port} accepts connections but nothing there answers as a gateway: no live count could be read` : 'no gateway is running: no live count to measure';
    return { recompute: { ...recompute, liveBefore: null, liveAfter: null, liveNote }, slotsFreed: null };
  }
  const before = gateway.live.activeRuntimeSessions;
  if (before === null || !gateway.rpc.ok) {
    return { recompute: { ...recompute, liveBefore: before, liveAfter: null, liveNote: `live count not readable (${gateway.live.why ?? 'unknown'}): slots freed not measured` }, slotsFreed: null };
  }
  // The same process, or the new one a verified restart made; never one that replaced it unseen.
  const after = await readLiveAgain(gateway, inventory.config, recompute.newGatewayPid ?? undefined, undefined, progress);
  if (after.activeRuntimeSessions === null) {
    return { recompute: { ...recompute, liveBefore: before, liveAfter: null, liveNote: `live count after the prune not readable (${after.why}): slots freed not measured` }, slotsFreed: null };
  }
  const liveAfter = after.activeRuntimeSessions;
  const drop = Math.max(0, before - liveAfter);
  const expected = removed.filter((item) => item.holdsSlot).length;
  // After a restart the count read may be low for a while (sessions/start-count.ts): said, not hidden.
  const liveNote = recompute.newGatewayPid ? riseAfterStartNote(sessionsLeft(inventory, removed), liveAfter) : null;
  let next: RecomputeReport = { ...recompute, liveBefore: before, liveAfter, liveNote };
  if (recompute.ok && expected > 0 && drop < expected && liveAfter > 0) {
    const fix = gateway.restart.ok ? commands.tool(['prune', '--recompute', 'restart', '--allow-restart']) : gateway.restart.fix;
    next = { ...next, ok: false, detail: `the gateway still counts ${liveAfter} ACP session${liveAfter === 1 ? '' : 's'} (live count ${before} → ${liveAfter}, ${expected} slot holder${expected === 1 ? '' : 's'} removed): its handles were not released; fix: ${fix}` };
  }
  const freed = slotsFreedBy(removed.length, recompute.newGatewayPid !== null && recompute.newGatewayPid !== undefined, before, liveAfter);
  return { recompute: freed.note ? { ...next, liveNote: freed.note } : next, slotsFreed: freed.slotsFreed };
}

/**
 * The slots a run freed, from the live count before and after it. A run that removed nothing
 * and restarted nothing freed nothing: a drop then is another run's (observed on a real 7.35
 * gateway: of two prunes at once, the one whose keys were all gone said "Pruned 0 sessions
 * (2 ACP slots freed)" and recorded slotsFreed 2 for the metrics).
 */
export function slotsFreedBy(removedCount: number, restarted: boolean, before: number, after: number): { slotsFreed: number; note: string | null } {
  const drop = Math.max(0, before - after);
  if (removedCount > 0 || restarted) return { slotsFreed: drop, note: null };
  return { slotsFreed: 0, note: drop > 0 ? `the live count fell ${before} → ${after} during this run, which removed nothing (another run or the gateway freed those slots)` : null };
}

/** The sessions of `inventory` that `removed` did not take. */
function sessionsLeft<T extends { storePath: string; key: string }>(inventory: { sessions: readonly T[] }, removed: readonly { storePath: string; key: string }[]): T[] {
  const gone = new Set(removed.map((item) => `${item.storePath}\0${item.key}`));
  return inventory.sessions.filter((session) => !gone.has(`${session.storePath}\0${session.key}`));
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

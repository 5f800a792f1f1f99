/**
 * `openclaw-sessions prune`: plan once, show it, confirm, then remove exactly that set — by the
 * gateway's RPC for ACP sessions it still holds, or under its store lock — and make the
 * running gateway recompute its count (rpc, restart or none), journaled for `restore`.
 */
import { CliError, EXIT } from '../../errors.js';
import { connectRpc, probeGateway, readLiveAgain, type GatewayStatus, type LiveAcp } from '../../gateway/probe.js';
import { takeInventory, type Inventory } from '../../inventory.js';
import { applyPrunePlan, type StoreApplyResult } from '../../prune/apply.js';
import { applyViaRpc } from '../../prune/apply-rpc.js';
import { chooseRecompute, RECOMPUTE_REQUESTS, type RecomputeDecision, type RecomputeRequest } from '../../recompute/choose.js';
import { restartGateway } from '../../recompute/via-restart.js';
import { PRUNE_SCHEMA_VERSION, type PruneReport, type PrunedSession } from '../../report/prune-report.js';
import { formatAgo, parseDuration } from '../../sessions/duration.js';
import { parseKindList, parseStateList } from '../../sessions/filter.js';
import { describePlan, planOfItems, planPrune, type PlanCandidate, type PrunePlan, type PrunePlanItem } from '../../sessions/plan.js';
import type { Snapshot } from '../../store/edit-store.js';
import { newRunId } from '../../store/journal.js';
import { readJsonStore } from '../../store/read-json.js';
import { assertStoreWritable } from '../../store/store-safety.js';
import { acquireToolLocks } from '../../store/tool-lock.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { gatewayFlagsFrom, type GatewayTargetFlags } from '../gateway-options.js';
import { explicitTarget } from '../../gateway/discover.js';
import { remoteInventory } from '../../gateway/remote-inventory.js';
import { createEventLog, parseLogFormat, type EventLog } from '../event-log.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { paintState } from '../paint.js';
import { renderTable } from '../table.js';
import { decideStyle, type TerminalStyle } from '../terminal.js';
import { toolVersion } from '../version.js';

export interface PruneFlags extends StoreFlags, GatewayTargetFlags {
  state?: string;
  kind?: string;
  key: string[];
  keep: string[];
  olderThan: string;
  acp?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
  journal: boolean;
  keepTranscripts?: boolean;
  recompute: string;
  allowRestart?: boolean;
  wait: string;
  logFormat?: string;
}

type RecomputeReport = NonNullable<PruneReport['recompute']>;

export async function runPrune(flags: PruneFlags, io: CliIo): Promise<number> {
  const format = parseLogFormat(flags.logFormat);
  if (!format) throw new CliError(EXIT.usage, `invalid --log-format "${flags.logFormat}": use text or json`);
  if (format === 'json' && flags.json) throw new CliError(EXIT.usage, '--json and --log-format json exclude each other: one document, or one line per event');
  const runId = newRunId();
  const log = createEventLog(io, format, runId);
  const started = Date.now();
  log.emit('run.start', { command: 'prune', toolVersion: toolVersion(), dryRun: Boolean(flags.dryRun), recompute: flags.recompute, pid: process.pid });
  try {
    const { exitCode, report } = await pruneOnce(flags, io, runId, log);
    if (report) {
      for (const item of report.pruned) log.emit(report.dryRun ? 'session.planned' : 'session.pruned', { agentId: item.agentId, key: item.key, state: item.state, reason: item.reason, storePath: item.storePath, via: report.recompute?.viaRpc.includes(item.key) ? 'rpc' : 'file' });
      for (const skip of report.skipped) log.emit('session.skipped', { agentId: skip.agentId, key: skip.key, why: skip.why });
      if (report.recompute) log.emit('recompute', report.recompute);
    }
    log.emit('run.end', { exitCode, pruned: report?.dryRun ? 0 : report?.pruned.length ?? 0, planned: report?.dryRun ? report.pruned.length : undefined, skipped: report?.skipped.length ?? 0, slotsFreed: report?.dryRun ? 0 : report?.slotsFreed ?? null, slotsHeldOnDisk: report?.dryRun ? 0 : report?.slotsHeldOnDisk ?? 0, liveBefore: report?.recompute?.liveBefore ?? null, liveAfter: report?.recompute?.liveAfter ?? null, durationMs: Date.now() - started, journal: report?.runId ?? null });
    return exitCode;
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : EXIT.error;
    log.emit('run.error', { exitCode, message: error instanceof Error ? error.message : String(error) });
    log.emit('run.end', { exitCode, pruned: 0, skipped: 0, slotsFreed: null, durationMs: Date.now() - started, journal: null });
    throw error;
  }
}

async function pruneOnce(flags: PruneFlags, io: CliIo, runId: string, log: EventLog): Promise<{ exitCode: number; report: PruneReport | null }> {
  const requested = parseRecompute(flags.recompute);
  const criteria = {
    states: flags.state ? parseStateList(flags.state) : undefined,
    kinds: flags.kind ? parseKindList(flags.kind) : undefined,
    olderThanMs: parseDuration(flags.olderThan, '--older-than'),
    acpOnly: flags.acp,
    keyGlobs: flags.key,
    keepGlobs: flags.keep,
  };
  const lockTimeoutMs = parseDuration(flags.lockTimeout, '--lock-timeout');
  const waitMs = parseDuration(flags.wait, '--wait');
  let inventory = takeInventory(io.env, { ...inventoryOptionsFrom(flags), retainDocuments: true });
  // A gateway named by URL: its sessions are listed and deleted through its RPC, never as files.
  let remoteGateway: GatewayStatus | null = null;
  if (explicitTarget(flags.url, io.env, inventory.config)) {
    if (flags.store) throw new CliError(EXIT.usage, '--store names a local file; a gateway named by --url is pruned only through its RPC');
    ({ inventory, gateway: remoteGateway } = await remoteInventory(inventory, io.env, { ...gatewayFlagsFrom(flags), live: !flags.dryRun, staleAfterMs: inventoryOptionsFrom(flags).staleAfterMs }));
  }
  if (inventory.failures.length > 0) {
    for (const failure of inventory.failures.slice(1)) io.stderr.write(`openclaw-sessions: ${failure.error.message}\n`);
    throw inventory.failures[0]!.error;
  }
  if (flags.store && inventory.stores.length === 0) throw new CliError(EXIT.error, `session store not found: ${flags.store}`);

  const plan = planPrune(candidatesOf(inventory), criteria);
  const style = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  const say = (text: string): void => {
    if (!flags.quiet && !flags.json && !log.enabled) io.stdout.write(text);
  };
  const emit = (report: PruneReport): void => {
    if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  };

  if (plan.items.length === 0 && !flags.dryRun && requested === 'restart') {
    // Nothing on disk to prune, but the operator asked for a restart: orphaned handles (entries
    // gone, handles still counted) are cleared only by one (issue 9).
    return restartForOrphans(flags, io, inventory, plan, waitMs);
  }
  if (plan.items.length === 0) {
    const report = planReport(plan, flags.dryRun ?? false, inventory);
    emit(report);
    say(`Nothing to prune (${plan.totalSessions} session${plan.totalSessions === 1 ? '' : 's'} in ${inventory.stores.length} store${inventory.stores.length === 1 ? '' : 's'} checked).\n`);
    return { exitCode: EXIT.ok, report };
  }
  if (flags.dryRun) {
    const report = planReport(plan, true, inventory);
    emit(report);
    say(`${renderPlan(plan, style)}\n${describePlan(plan, true)}\n`);
    return { exitCode: EXIT.ok, report };
  }

  // Everything that can refuse does so before anyone is asked.
  // The RPC hello is also how the version (and so the restart signal) is known for sure.
  const gateway = remoteGateway ?? (await probeGateway(inventory.location, inventory.config, io.env, { rpc: true, live: true, ...gatewayFlagsFrom(flags) }));
  const interactive = !flags.yes && io.stdinIsTTY;
  if (!flags.yes && !interactive) {
    throw new CliError(EXIT.usage, `refusing to prune ${plan.items.length} session${plan.items.length === 1 ? '' : 's'} without confirmation: not a terminal; pass --yes (or --dry-run to look first)`);
  }
  let decision: RecomputeDecision = remoteGateway
    ? remoteGateway.rpc.ok && requested !== 'restart' && requested !== 'none'
      ? { method: 'rpc', allViaRpc: true }
      : { method: 'refuse', exitCode: EXIT.notRecomputed, why: requested === 'restart' || requested === 'none' ? `--recompute ${requested}: a gateway named by URL is changed only through its RPC (it has no local pid or files); nothing was changed` : `RPC is unavailable: ${remoteGateway.rpc.ok ? '' : remoteGateway.rpc.why}` }
    : decide(requested, gateway, plan, flags.allowRestart ?? false);
  if (interactive && requested === 'auto' && decision.method === 'refuse' && !gateway.rpc.ok && gateway.restart.ok && !flags.allowRestart) {
    // auto could restart if the operator agrees; ask rather than refuse.
    io.stderr.write(`RPC is unavailable (${gateway.rpc.why}); the ACP entries can leave the file only with a restart of the gateway.\n`);
    if (await confirm(io, `Restart the gateway (pid ${gateway.gateway?.pid}) after pruning? It drops running chats. [y/N] `)) decision = decide(requested, gateway, plan, true);
  }
  if (decision.method === 'refuse') throw new CliError(decision.exitCode as never, decision.why);
  const viaRpc = decision.method === 'rpc' ? plan.items.filter((item) => decision.allViaRpc || hasAcpObject(item)) : [];
  const viaFile = plan.items.filter((item) => !viaRpc.includes(item));
  for (const store of inventory.stores) if (viaFile.some((item) => item.storePath === store.ref.path)) assertStoreWritable(store.ref);

  if (interactive) {
    io.stderr.write(`${renderPlan(plan, style)}\n${describePlan(plan, false)}${describeDecision(decision, gateway)}\n`);
    if (!(await confirm(io, 'Prune these sessions? [y/N] '))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      log.emit('run.cancelled');
      return { exitCode: EXIT.ok, report: null };
    }
  }

  // RPC deletes of a remote gateway cannot be restored from here: no journal is written for them.
  const journal = flags.journal && !remoteGateway;
  const journalRunId = journal ? runId : null;
  // A remote gateway's "store" is its URL: no local file, so no run lock.
  const releaseToolLocks = await acquireToolLocks(remoteGateway ? [] : [...plan.byStore.keys()], { timeoutMs: lockTimeoutMs });
  const results: StoreApplyResult[] = [];
  const rpcRemoved: PrunePlanItem[] = [];
  const rpcSkipped: PruneReport['skipped'] = [];
  let recompute: RecomputeReport;
  try {
    if (viaRpc.length > 0) {
      const client = await connectRpc(gateway, 15_000).catch((error: Error) => {
        throw new CliError(EXIT.notRecomputed, `cannot reach the gateway's RPC any more (${error.message}); nothing was pruned`);
      });
      try {
        const outcome = await applyViaRpc(client, viaRpc, { runId, toolVersion: toolVersion(), journal, deleteTranscript: !flags.keepTranscripts });
        rpcRemoved.push(...outcome.removed);
        rpcSkipped.push(...outcome.skipped);
        recompute = rpcRecomputeReport(gateway, outcome.removed, outcome.skipped.length, outcome.stillListed);
      } finally {
        client.close();
      }
    }
    if (viaFile.length > 0) {
      const filePlan = viaRpc.length > 0 ? planOfItems(viaFile, plan.totalSessions) : plan;
      // After RPC deletes, the gateway has rewritten the store: plan snapshots are stale.
      const snapshots = viaRpc.length > 0 ? freshSnapshots(filePlan) : snapshotsOf(inventory);
      results.push(
        ...(await applyPrunePlan(filePlan, {
          runId,
          toolVersion: toolVersion(),
          lockTimeoutMs,
          journal: flags.journal,
          keepTranscripts: flags.keepTranscripts ?? false,
          snapshots,
          assertRunLock: () => {
            const lost = releaseToolLocks.compromised();
            if (lost) throw new CliError(EXIT.lockBusy, `${lost}; stopped before writing`);
          },
        })),
      );
    }
  } finally {
    await releaseToolLocks();
  }

  const removedByFile = results.flatMap((result) => result.removed);
  recompute ??= await finishRecompute(decision, gateway, removedByFile, inventory, io, waitMs);
  // Measure, never assume: the live count after, compared with before.
  const removedAll = [...rpcRemoved, ...removedByFile];
  const measured = await measureAfter(gateway, inventory, recompute, removedAll);
  recompute = measured.recompute;
  const report = finalReport(plan, journalRunId, results, rpcRemoved, rpcSkipped, recompute, measured.slotsFreed);
  emit(report);
  for (const skip of report.skipped) say(`skipped ${skip.key}: ${skip.why}\n`);
  for (const result of results) for (const failure of result.transcriptFailures) io.stderr.write(`openclaw-sessions: could not archive transcript ${failure.path}: ${failure.error}\n`);
  say(`${report.summary}\n`);
  if (!recompute.ok) {
    io.stderr.write(`openclaw-sessions: ${recompute.detail}\n`);
    return { exitCode: EXIT.notRecomputed, report };
  }
  if (recompute.method !== 'file') say(`${recompute.detail}\n`);
  return { exitCode: EXIT.ok, report };
}

/**
 * Reads the live count after the change and judges it: a prune whose gateway still counts the
 * removed slot holders is not a success (exit 5, with the command that fixes it).
 */
async function measureAfter(gateway: GatewayStatus, inventory: Inventory, recompute: RecomputeReport, removed: PrunePlanItem[]): Promise<{ recompute: RecomputeReport; slotsFreed: number | null }> {
  const before = gateway.live.activeRuntimeSessions;
  if (!gateway.running) return { recompute: { ...recompute, liveBefore: null, liveAfter: null, liveNote: 'no gateway is running: no live count to measure' }, slotsFreed: null };
  if (before === null || !gateway.rpc.ok) {
    return { recompute: { ...recompute, liveBefore: before, liveAfter: null, liveNote: `live count not readable (${gateway.live.why ?? 'unknown'}): slots freed not measured` }, slotsFreed: null };
  }
  // A restarted gateway answers on the same target; an unchanged one too.
  const after: LiveAcp = await readLiveAgain(gateway, inventory.config);
  if (after.activeRuntimeSessions === null) {
    return { recompute: { ...recompute, liveBefore: before, liveAfter: null, liveNote: `live count after the prune not readable (${after.why}): slots freed not measured` }, slotsFreed: null };
  }
  const liveAfter = after.activeRuntimeSessions;
  const drop = Math.max(0, before - liveAfter);
  const expected = removed.filter((item) => item.holdsSlot).length;
  let next: RecomputeReport = { ...recompute, liveBefore: before, liveAfter, liveNote: null };
  if (recompute.ok && expected > 0 && drop < expected && liveAfter > 0) {
    const fix = gateway.restart.ok ? 'openclaw-sessions prune --recompute restart --allow-restart' : (gateway.restart as { fix: string }).fix;
    next = { ...next, ok: false, detail: `the gateway still counts ${liveAfter} ACP session${liveAfter === 1 ? '' : 's'} (live count ${before} → ${liveAfter}, ${expected} slot holder${expected === 1 ? '' : 's'} removed): its handles were not released; fix: ${fix}` };
  }
  return { recompute: next, slotsFreed: drop };
}

/**
 * `prune --recompute restart --allow-restart` with nothing left to prune: restarts the verified
 * gateway when it holds handles no entry on disk accounts for (orphans), then confirms the live
 * count fell. Refuses, never half-does.
 */
async function restartForOrphans(flags: PruneFlags, io: CliIo, inventory: Inventory, plan: PrunePlan, waitMs: number): Promise<{ exitCode: number; report: PruneReport | null }> {
  const gateway = await probeGateway(inventory.location, inventory.config, io.env, { rpc: true, live: true, ...gatewayFlagsFrom(flags) });
  const base = planReport(plan, false, inventory);
  const held = inventory.sessions.filter((s) => s.holdsSlot).length;
  const live = gateway.live.activeRuntimeSessions;
  const say = (text: string): void => {
    if (!flags.quiet && !flags.json && !(flags.logFormat === 'json')) io.stdout.write(text);
  };
  const finish = (report: PruneReport, exitCode: number): { exitCode: number; report: PruneReport } => {
    if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return { exitCode, report };
  };
  if (!gateway.running) {
    say('Nothing to prune, and no gateway is running: nothing to restart.\n');
    return finish({ ...base, recompute: recomputeReport('file', true, 'no gateway is running: nothing to restart', gateway, { liveNote: 'no gateway is running' }) }, EXIT.ok);
  }
  if (!gateway.restart.ok) throw new CliError(EXIT.notRecomputed, `--recompute restart: ${gateway.restart.why}; nothing was changed (fix: ${gateway.restart.fix})`);
  if (!flags.allowRestart) throw new CliError(EXIT.usage, 'a restart drops running chats: pass --allow-restart to confirm it; nothing was changed');
  if (live !== null && live <= held) {
    const detail = `nothing to prune, and the gateway holds no orphaned handles (live count ${live}, ${held} held by sessions on disk): not restarted`;
    say(`${detail}\n`);
    return finish({ ...base, recompute: recomputeReport('restart', true, detail, gateway, { liveBefore: live, liveAfter: live }) }, EXIT.ok);
  }
  if (!flags.yes) {
    if (!io.stdinIsTTY) throw new CliError(EXIT.usage, 'refusing to restart the gateway without confirmation: not a terminal; pass --yes');
    if (!(await confirm(io, `Restart the gateway (pid ${gateway.gateway?.pid}) to clear ${live === null ? 'its' : live - held} orphaned ACP handle(s)? It drops running chats. [y/N] `))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return { exitCode: EXIT.ok, report: null };
    }
  }
  const outcome = await restartGateway(gateway, gateway.restart.signal, { location: inventory.location, config: inventory.config, env: io.env, waitMs });
  if (!outcome.ok) {
    const report = { ...base, recompute: recomputeReport('restart', false, `the gateway was not replaced: ${outcome.why}`, gateway, { liveBefore: live, newGatewayPid: outcome.newPid }) };
    io.stderr.write(`openclaw-sessions: ${report.recompute.detail}\n`);
    return finish(report, EXIT.notRecomputed);
  }
  const after = await readLiveAgain(gateway, inventory.config);
  const liveAfter = after.activeRuntimeSessions;
  const fell = liveAfter !== null && (live === null || liveAfter < live);
  const detail = `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}; live count ${live ?? 'unknown'} → ${liveAfter ?? `unreadable (${after.why})`}`;
  const report: PruneReport = {
    ...base,
    summary: `Nothing to prune; restarted the gateway to clear orphaned handles (${detail.replace(/^gateway restarted: /, '')}).`,
    slotsFreed: live !== null && liveAfter !== null ? Math.max(0, live - liveAfter) : null,
    recompute: recomputeReport('restart', fell, fell ? detail : `${detail}: the count did not fall`, gateway, { liveBefore: live, liveAfter, newGatewayPid: outcome.newPid, liveNote: liveAfter === null ? after.why : null }),
  };
  say(`${report.summary}\n`);
  if (!fell) {
    io.stderr.write(`openclaw-sessions: ${report.recompute!.detail}\n`);
    return finish(report, EXIT.notRecomputed);
  }
  return finish(report, EXIT.ok);
}

function recomputeReport(
  method: RecomputeReport['method'],
  ok: boolean,
  detail: string,
  gateway: GatewayStatus,
  extra: { liveBefore?: number | null; liveAfter?: number | null; newGatewayPid?: number | null; liveNote?: string | null; viaRpc?: string[] } = {},
): RecomputeReport {
  return {
    method,
    ok,
    detail,
    gatewayPid: gateway.gateway?.pid ?? null,
    newGatewayPid: extra.newGatewayPid ?? null,
    viaRpc: extra.viaRpc ?? [],
    liveBefore: extra.liveBefore ?? null,
    liveAfter: extra.liveAfter ?? null,
    liveNote: extra.liveNote ?? null,
  };
}

function parseRecompute(value: string): RecomputeRequest {
  if ((RECOMPUTE_REQUESTS as readonly string[]).includes(value)) return value as RecomputeRequest;
  throw new CliError(EXIT.usage, `invalid --recompute "${value}": use ${RECOMPUTE_REQUESTS.join(', ')}`);
}

function decide(requested: RecomputeRequest, gateway: GatewayStatus, plan: PrunePlan, allowRestart: boolean): RecomputeDecision {
  return chooseRecompute({
    requested,
    gatewayRunning: gateway.running,
    generation: gateway.generation,
    rpc: gateway.rpc.ok ? { ok: true } : { ok: false, why: gateway.rpc.why },
    restart: gateway.restart.ok ? { ok: true } : { ok: false, why: gateway.restart.why, fix: gateway.restart.fix },
    allowRestart,
    slotsToFree: plan.slotsFreed,
    acpEntries: plan.items.filter(hasAcpObject).length,
  });
}

function describeDecision(decision: RecomputeDecision, gateway: GatewayStatus): string {
  const who = gateway.gateway ? `the gateway (pid ${gateway.gateway.pid})` : `the gateway at ${gateway.url}`;
  switch (decision.method) {
    case 'rpc':
      return `; ACP sessions are deleted through ${who} so it drops their handles`;
    case 'restart':
      return `; then ${who} is restarted with ${gateway.restart.ok ? gateway.restart.signal : '?'}`;
    default:
      return '';
  }
}

function hasAcpObject(item: PrunePlanItem): boolean {
  const acp = (item.raw as { acp?: unknown } | null)?.acp;
  return typeof acp === 'object' && acp !== null;
}

async function finishRecompute(decision: RecomputeDecision, gateway: GatewayStatus, removed: PrunePlanItem[], inventory: Inventory, io: CliIo, waitMs: number): Promise<RecomputeReport> {
  switch (decision.method) {
    case 'restart': {
      if (removed.length === 0) return recomputeReport('restart', true, 'nothing was pruned; gateway not restarted', gateway);
      if (!gateway.gateway || !gateway.restart.ok) return recomputeReport('restart', false, 'gateway not restartable', gateway);
      const outcome = await restartGateway(gateway, gateway.restart.signal, { location: inventory.location, config: inventory.config, env: io.env, waitMs });
      if (!outcome.ok) return recomputeReport('restart', false, `store pruned, but the gateway was not replaced: ${outcome.why}`, gateway, { newGatewayPid: outcome.newPid });
      const back = keysBackInStores(removed);
      if (back.length > 0) return recomputeReport('restart', false, `gateway restarted as pid ${outcome.newPid}, but ${back.length} pruned key(s) are back in the store (${back[0]}): run prune again`, gateway, { newGatewayPid: outcome.newPid });
      return recomputeReport('restart', true, `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}, ready after ${(outcome.waitedMs / 1000).toFixed(1)} s; its count starts from the pruned store`, gateway, { newGatewayPid: outcome.newPid });
    }
    case 'file':
    default: {
      const note = decision.method === 'file' ? decision.note : null;
      return recomputeReport('file', true, note ?? (gateway.running ? 'no pruned entry had an ACP handle: the file was edited under the gateway\'s lock' : 'no gateway is running: the next start reads the pruned store'), gateway);
    }
  }
}

function rpcRecomputeReport(gateway: GatewayStatus, removed: PrunePlanItem[], failed: number, stillListed: string[]): RecomputeReport {
  const viaRpc = removed.map((item) => item.key);
  const who = gateway.gateway ? `the gateway (pid ${gateway.gateway.pid})` : `the gateway at ${gateway.url}`;
  if (stillListed.length > 0) return recomputeReport('rpc', false, `the gateway still lists ${stillListed.length} deleted session(s) (${stillListed[0]})`, gateway, { viaRpc });
  if (failed > 0) return recomputeReport('rpc', false, `the gateway could not delete ${failed} session(s); see skipped — run prune again (it retries UNAVAILABLE)`, gateway, { viaRpc });
  return recomputeReport('rpc', true, `${who} closed and deleted ${viaRpc.length} session${viaRpc.length === 1 ? '' : 's'} through sessions.delete`, gateway, { viaRpc });
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

function freshSnapshots(plan: PrunePlan): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const storePath of plan.byStore.keys()) {
    const read = readJsonStore(storePath, { keepBytes: true });
    snapshots.set(storePath, { bytes: read.bytes!, document: read.document });
  }
  return snapshots;
}

function candidatesOf(inventory: Inventory): PlanCandidate[] {
  const documents = new Map(inventory.stores.map((store) => [store.ref.path, store.document]));
  return inventory.sessions.map((session) => ({ ...session, raw: documents.get(session.storePath)?.[session.key] ?? null }));
}

function snapshotsOf(inventory: Inventory): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const store of inventory.stores) {
    if (store.bytes && store.document) snapshots.set(store.ref.path, { bytes: store.bytes, document: store.document });
  }
  return snapshots;
}

function prunedOf(item: PrunePlanItem): PrunedSession {
  return { agentId: item.agentId, key: item.key, kind: item.kind, state: item.state, reason: item.reason, ageMs: item.ageMs, holdsSlot: item.holdsSlot, storePath: item.storePath };
}

function planReport(plan: PrunePlan, dryRun: boolean, inventory: Inventory): PruneReport {
  const counts = new Map<string, number>();
  for (const session of inventory.sessions) counts.set(session.storePath, (counts.get(session.storePath) ?? 0) + 1);
  return {
    schemaVersion: PRUNE_SCHEMA_VERSION,
    dryRun,
    runId: null,
    summary: plan.items.length === 0 ? 'nothing to prune' : describePlan(plan, true),
    pruned: plan.items.map(prunedOf),
    skipped: [],
    stores: [...plan.byStore].map(([path, items]) => ({
      agentId: items[0]!.agentId,
      path,
      before: counts.get(path) ?? 0,
      after: (counts.get(path) ?? 0) - items.length,
      journal: null,
      lockWaitMs: null,
      lockHoldMs: null,
    })),
    transcripts: [],
    // A plan measures nothing: it says what the entries hold on disk.
    slotsFreed: dryRun ? plan.slotsFreed : null,
    slotsHeldOnDisk: plan.slotsFreed,
    recompute: null,
  };
}

function finalReport(plan: PrunePlan, runId: string | null, results: StoreApplyResult[], rpcRemoved: PrunePlanItem[], rpcSkipped: PruneReport['skipped'], recompute: RecomputeReport, slotsFreed: number | null): PruneReport {
  const removed = [...rpcRemoved, ...results.flatMap((result) => result.removed)];
  const touched = new Set(removed.map((item) => item.storePath)).size;
  const onDisk = removed.filter((item) => item.holdsSlot).length;
  const slots = describeFreed(slotsFreed, onDisk, recompute);
  const journal = runId && removed.length > 0 ? ` Journal: ${runId}.` : '';
  return {
    schemaVersion: PRUNE_SCHEMA_VERSION,
    dryRun: false,
    runId: removed.length > 0 ? runId : null,
    summary: `Pruned ${removed.length} session${removed.length === 1 ? '' : 's'} from ${touched} store${touched === 1 ? '' : 's'}${slots}.${journal}`,
    pruned: removed.map(prunedOf),
    skipped: [...rpcSkipped, ...results.flatMap((result) => result.skipped)],
    stores: results.map((result) => ({
      agentId: result.agentId,
      path: result.path,
      before: result.before,
      after: result.after,
      journal: result.journalPath,
      lockWaitMs: round(result.timing.waitMs),
      lockHoldMs: round(result.timing.holdMs),
    })),
    transcripts: results.flatMap((result) => result.transcripts),
    slotsFreed,
    slotsHeldOnDisk: onDisk,
    recompute,
  };
}

/** The summary's claim about slots: the measured drop, or plainly why there is none. */
function describeFreed(slotsFreed: number | null, onDisk: number, recompute: RecomputeReport): string {
  const plural = (n: number): string => `${n} ACP slot${n === 1 ? '' : 's'}`;
  if (slotsFreed !== null) {
    if (slotsFreed === 0 && onDisk === 0) return '';
    return ` (${plural(slotsFreed)} freed: live count ${recompute.liveBefore} → ${recompute.liveAfter})`;
  }
  if (onDisk === 0) return '';
  if (recompute.liveNote?.startsWith('no gateway is running')) return ` (${onDisk} of them held ACP slots on disk; no gateway is running, so none was held in memory)`;
  return ` (${onDisk} of them held ACP slots on disk; slots freed not measured: ${recompute.liveNote ?? 'live count unreadable'})`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function renderPlan(plan: PrunePlan, style: TerminalStyle): string {
  return renderTable(
    [
      { header: 'ACTION' },
      { header: 'AGENT', shrink: 'end', minWidth: 8 },
      { header: 'KEY', shrink: 'middle', minWidth: 24 },
      { header: 'STATE' },
      { header: 'AGE' },
      { header: 'REASON', shrink: 'end', minWidth: 20 },
    ],
    plan.items.map((item) => [
      { text: 'prune' },
      { text: item.agentId },
      { text: item.key },
      { text: item.state, paint: (t) => paintState(style.chalk, item.state, t) },
      { text: formatAgo(item.ageMs) },
      { text: item.reason },
    ]),
    style,
  );
}

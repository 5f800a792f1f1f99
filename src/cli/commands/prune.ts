/**
 * `openclaw-sessions prune`: plan once, show it, confirm, then remove exactly that set — by the
 * gateway's RPC for ACP sessions it still holds, or under its store lock — and make the
 * running gateway recompute its count (rpc, restart or none), journaled for `restore`.
 */
import { CliError, EXIT } from '../../errors.js';
import { connectRpc, probeGateway, type GatewayStatus } from '../../gateway/probe.js';
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
import { createEventLog, parseLogFormat, type EventLog } from '../event-log.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { paintState } from '../paint.js';
import { brokenStoreHints } from '../hints.js';
import { openclawCommand, selectionArgs, toolCommand, type SelectionFlags } from '../selection.js';
import { renderTable } from '../table.js';
import { wrapCommand } from '../text.js';
import { listFitSteps } from './list.js';
import { decideStyle, type TerminalStyle } from '../terminal.js';
import { toolVersion } from '../version.js';

export interface PruneFlags extends StoreFlags {
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
  const full = createEventLog(io, format, runId);
  // --quiet with --log-format json: one line per run (run.end, and run.error before it on failure),
  // for a cron job that wants the outcome in the log without a line per session.
  const log: EventLog = flags.quiet && full.enabled ? { enabled: true, emit: (event, fields) => (event === 'run.end' || event === 'run.error' ? full.emit(event, fields) : undefined) } : full;
  const started = Date.now();
  log.emit('run.start', { command: 'prune', toolVersion: toolVersion(), dryRun: Boolean(flags.dryRun), recompute: flags.recompute, pid: process.pid });
  try {
    const { exitCode, report } = await pruneOnce(flags, io, runId, log);
    if (report) {
      for (const item of report.pruned) log.emit(report.dryRun ? 'session.planned' : 'session.pruned', { agentId: item.agentId, key: item.key, state: item.state, reason: item.reason, storePath: item.storePath, via: report.recompute?.viaRpc.includes(item.key) ? 'rpc' : 'file' });
      for (const skip of report.skipped) log.emit('session.skipped', { agentId: skip.agentId, key: skip.key, why: skip.why });
      if (report.recompute) log.emit('recompute', report.recompute);
    }
    log.emit('run.end', { exitCode, pruned: report?.dryRun ? 0 : report?.pruned.length ?? 0, planned: report?.dryRun ? report.pruned.length : undefined, skipped: report?.skipped.length ?? 0, slotsFreed: report?.dryRun ? 0 : report?.slotsFreed ?? 0, durationMs: Date.now() - started, journal: report?.runId ?? null });
    return exitCode;
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : EXIT.error;
    log.emit('run.error', { exitCode, message: error instanceof Error ? error.message : String(error) });
    log.emit('run.end', { exitCode, pruned: 0, skipped: 0, slotsFreed: 0, durationMs: Date.now() - started, journal: null });
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
  const inventory = takeInventory(io.env, { ...inventoryOptionsFrom(flags), retainDocuments: true });
  if (inventory.failures.length > 0) {
    for (const failure of inventory.failures.slice(1)) io.stderr.write(`openclaw-sessions: ${failure.error.message}\n`);
    // Printed before the exit line; the hint keeps this run's own flags (a dry run stays one).
    for (const line of brokenStoreHints(inventory, flags, ['prune', ...(flags.dryRun ? ['--dry-run'] : [])])) io.stderr.write(`${line}\n`);
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

  if (plan.items.length === 0) {
    const report = planReport(plan, flags.dryRun ?? false, inventory);
    emit(report);
    say(`Nothing to prune (${plan.totalSessions} session${plan.totalSessions === 1 ? '' : 's'} in ${inventory.stores.length} store${inventory.stores.length === 1 ? '' : 's'} checked).\n`);
    return { exitCode: EXIT.ok, report };
  }
  if (flags.dryRun) {
    const report = planReport(plan, true, inventory);
    emit(report);
    say(`${renderPlan(plan, style)}\n${describePlan(plan, true)}; to prune them:\n${wrapCommand(toolCommand(['prune', ...planArgs(flags), ...selectionArgs(flags)]), style.width, '  ').join('\n')}\n`);
    return { exitCode: EXIT.ok, report };
  }

  // Everything that can refuse does so before anyone is asked.
  // The RPC hello is also how the version (and so the restart signal) is known for sure.
  const gateway = await probeGateway(inventory.location, inventory.config, io.env, { rpc: requested !== 'none' });
  const interactive = !flags.yes && io.stdinIsTTY;
  if (!flags.yes && !interactive) {
    throw new CliError(EXIT.usage, `refusing to prune ${plan.items.length} session${plan.items.length === 1 ? '' : 's'} without confirmation: not a terminal; pass --yes (or --dry-run to look first)`);
  }
  let decision = decide(requested, gateway, plan, flags.allowRestart ?? false);
  if (interactive && decision.method === 'none' && decision.fallback && gateway.restart.ok && !flags.allowRestart) {
    // auto could restart if the operator agrees; ask rather than leave the gateway stuck.
    io.stderr.write(`RPC is unavailable (${gateway.rpc.ok ? '' : gateway.rpc.why}); the gateway would keep counting the pruned sessions.\n`);
    if (await confirm(io, `Restart the gateway (pid ${gateway.gateway?.lock.pid}) after pruning? It drops running chats. [y/N] `)) decision = decide(requested, gateway, plan, true);
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

  const journalRunId = flags.journal ? runId : null;
  const releaseToolLocks = await acquireToolLocks([...plan.byStore.keys()], { timeoutMs: lockTimeoutMs });
  const results: StoreApplyResult[] = [];
  const rpcRemoved: PrunePlanItem[] = [];
  const rpcSkipped: PruneReport['skipped'] = [];
  let recompute: RecomputeReport;
  try {
    if (viaRpc.length > 0) {
      const client = await connectRpc(inventory.location, inventory.config, io.env, gateway.port, gateway.tls, 10_000).catch((error: Error) => {
        throw new CliError(EXIT.notRecomputed, `cannot reach the gateway's RPC any more (${error.message}); nothing was pruned`);
      });
      try {
        const outcome = await applyViaRpc(client, viaRpc, { runId, toolVersion: toolVersion(), journal: flags.journal });
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
  recompute ??= await finishRecompute(decision, gateway, removedByFile, inventory, io, waitMs, flags);
  const report = finalReport(plan, journalRunId, results, rpcRemoved, rpcSkipped, recompute);
  emit(report);
  for (const skip of report.skipped) say(`skipped ${skip.key}: ${skip.why}\n`);
  for (const result of results) for (const failure of result.transcriptFailures) io.stderr.write(`openclaw-sessions: could not archive transcript ${failure.path}: ${failure.error}\n`);
  say(`${report.summary}\n`);
  if (report.runId) {
    const width = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color }).width;
    say(`To undo:\n${wrapCommand(toolCommand(['restore', report.runId, ...selectionArgs(flags)]), width, '  ').join('\n')}\n`);
  }
  if (!recompute.ok) {
    io.stderr.write(`openclaw-sessions: ${recompute.detail}\n`);
    return { exitCode: EXIT.notRecomputed, report };
  }
  if (recompute.method !== 'file') say(`${recompute.detail}\n`);
  return { exitCode: EXIT.ok, report };
}

/** The flags that chose this plan, so the printed "to prune them" command prunes the same set. */
function planArgs(flags: PruneFlags): string[] {
  return [
    ...(flags.state ? ['--state', flags.state] : []),
    ...(flags.kind ? ['--kind', flags.kind] : []),
    ...flags.key.flatMap((glob) => ['--key', glob]),
    ...flags.keep.flatMap((glob) => ['--keep', glob]),
    ...(flags.olderThan !== '10m' ? ['--older-than', flags.olderThan] : []),
    ...(flags.acp ? ['--acp'] : []),
  ];
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
    restart: gateway.restart.ok ? { ok: true } : { ok: false, why: gateway.restart.why },
    allowRestart,
    slotsToFree: plan.slotsFreed,
  });
}

function describeDecision(decision: RecomputeDecision, gateway: GatewayStatus): string {
  const pid = gateway.gateway?.lock.pid;
  switch (decision.method) {
    case 'rpc':
      return `; ACP sessions are deleted through the gateway (pid ${pid}) so it drops their handles`;
    case 'restart':
      return `; then the gateway (pid ${pid}) is restarted with ${gateway.restart.ok ? gateway.restart.signal : '?'}`;
    case 'none':
      return `; the running gateway (pid ${pid}) will keep counting them (${decision.why})`;
    default:
      return '';
  }
}

function hasAcpObject(item: PrunePlanItem): boolean {
  const acp = (item.raw as { acp?: unknown } | null)?.acp;
  return typeof acp === 'object' && acp !== null;
}

async function finishRecompute(decision: RecomputeDecision, gateway: GatewayStatus, removed: PrunePlanItem[], inventory: Inventory, io: CliIo, waitMs: number, selection: SelectionFlags): Promise<RecomputeReport> {
  const pid = gateway.gateway?.lock.pid ?? null;
  const freed = removed.filter((item) => item.holdsSlot).length;
  const base = { gatewayPid: pid, newGatewayPid: null, viaRpc: [] };
  switch (decision.method) {
    case 'file':
      return { ...base, method: 'file', ok: true, detail: decision.note ?? (gateway.running ? 'no ACP slots to free' : 'no gateway is running: the next start reads the pruned store') };
    case 'none': {
      // Not `prune --recompute restart`: the sessions are gone now, so a second prune has nothing to do and restarts nothing.
      const fix = `restart the gateway (${openclawCommand(selection, ['gateway', 'restart']).join(' ')})`;
      const detail = `the running gateway (pid ${pid}) still counts ${freed} pruned ACP session${freed === 1 ? '' : 's'} against its cap (${decision.why}); to fix: ${fix}`;
      return { ...base, method: 'none', ok: !(decision.fallback && freed > 0), detail };
    }
    case 'restart': {
      if (removed.length === 0) return { ...base, method: 'restart', ok: true, detail: 'nothing was pruned; gateway not restarted' };
      if (!gateway.gateway || !gateway.restart.ok) return { ...base, method: 'restart', ok: false, detail: 'gateway not restartable' };
      const outcome = await restartGateway(gateway.gateway, gateway.restart.signal, {
        configPath: gateway.configPath,
        stateDir: inventory.location.stateDir,
        env: io.env,
        configPort: inventory.config.facts.gateway?.port,
        tls: gateway.tls,
        waitMs,
      });
      if (!outcome.ok) return { ...base, method: 'restart', ok: false, newGatewayPid: outcome.newPid, detail: `store pruned, but the gateway was not replaced: ${outcome.why}` };
      const back = keysBackInStores(removed);
      if (back.length > 0) return { ...base, method: 'restart', ok: false, newGatewayPid: outcome.newPid, detail: `gateway restarted as pid ${outcome.newPid}, but ${back.length} pruned key(s) are back in the store (${back[0]}): run prune again` };
      return { ...base, method: 'restart', ok: true, newGatewayPid: outcome.newPid, detail: `gateway restarted: pid ${outcome.oldPid} → ${outcome.newPid}, ready after ${(outcome.waitedMs / 1000).toFixed(1)}s; its count starts from the pruned store` };
    }
    default:
      return { ...base, method: 'file', ok: true, detail: '' };
  }
}

function rpcRecomputeReport(gateway: GatewayStatus, removed: PrunePlanItem[], failed: number, stillListed: string[]): RecomputeReport {
  const pid = gateway.gateway?.lock.pid ?? null;
  const viaRpc = removed.map((item) => item.key);
  if (stillListed.length > 0) return { method: 'rpc', ok: false, detail: `the gateway still lists ${stillListed.length} deleted session(s) (${stillListed[0]})`, gatewayPid: pid, newGatewayPid: null, viaRpc };
  if (failed > 0) return { method: 'rpc', ok: false, detail: `the gateway could not delete ${failed} session(s); see skipped — run prune again (it retries UNAVAILABLE)`, gatewayPid: pid, newGatewayPid: null, viaRpc };
  return { method: 'rpc', ok: true, detail: `the gateway (pid ${pid}) closed and deleted ${viaRpc.length} ACP session${viaRpc.length === 1 ? '' : 's'}; they no longer count against its cap`, gatewayPid: pid, newGatewayPid: null, viaRpc };
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
    slotsFreed: plan.slotsFreed,
    recompute: null,
  };
}

function finalReport(plan: PrunePlan, runId: string | null, results: StoreApplyResult[], rpcRemoved: PrunePlanItem[], rpcSkipped: PruneReport['skipped'], recompute: RecomputeReport): PruneReport {
  const removed = [...rpcRemoved, ...results.flatMap((result) => result.removed)];
  const touched = new Set(removed.map((item) => item.storePath)).size;
  const slotsFreed = removed.filter((item) => item.holdsSlot).length;
  const slots = slotsFreed > 0 ? ` (${slotsFreed} ACP slot${slotsFreed === 1 ? '' : 's'} freed)` : '';
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
    recompute,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The plan, fitted like `list`: every row is "prune", so no ACTION column; SLOT says what it frees. */
function renderPlan(plan: PrunePlan, style: TerminalStyle): string {
  const agentInKey = plan.items.every((item) => item.key.startsWith(`agent:${item.agentId}:`));
  return renderTable(
    [
      { header: 'AGENT', shrink: 'end' },
      { header: 'KEY', shrink: 'middle' },
      { header: 'STATE' },
      { header: 'AGE' },
      { header: 'SLOT' },
      { header: 'REASON', shrink: 'end' },
    ],
    plan.items.map((item) => [
      { text: item.agentId },
      { text: item.key },
      { text: item.state, paint: (t) => paintState(style.chalk, item.state, t) },
      { text: formatAgo(item.ageMs) },
      { text: item.holdsSlot ? 'yes' : '-' },
      { text: item.reason },
    ]),
    style,
    { steps: listFitSteps(agentInKey) },
  );
}

/**
 * `openclaw-sessions prune`: parse the flags, run the use-case in prune/run.ts (prepare → ask →
 * execute), render the plan, the outcome and the event log. A "no" at the prompt is an outcome
 * (cancelled, exit 0), not an error.
 */
import { CliError, EXIT, exitCodeOf } from '../exit-codes.js';
import { planReport } from '../../prune/report.js';
import { ToolError } from '../../errors.js';
import { planOrphanRestart, preparePrune, refusedJsonStores, StoresUnreadableError, type PreparedPrune, type PruneRequest } from '../../prune/prepare.js';
import type { PruneRoute } from '../../prune/execute.js';
import { RECOMPUTE_REQUESTS, type RecomputeRequest } from '../../recompute/choose.js';
import type { PruneReport } from '../../report/prune-report.js';
import { DEFAULT_CONVERSATION_GRACE_MS, describePlan, isEverPrunable } from '../../sessions/plan.js';
import { DEFAULT_JOURNAL_RETENTION, DEFAULT_PRUNE_GRACE } from '../../defaults.js';
import { newRunId } from '../../store/run-id.js';
import { acpStateFix } from '../../store/read-acp-state.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { gatewayFlagsFrom, type GatewayTargetFlags } from '../gateway-options.js';
import { foldStoreErrors, storeErrorLines } from '../store-errors.js';
import { createEventLog, parseLogFormat, type EventLog } from '../event-log.js';
import { terminalProgress, type CliIo } from '../io.js';
import { parseDurationFlag, parseKindsFlag, parseOptedInStatesFlag, parseTerminalStatesFlag } from '../parse.js';
import { describeDecision, logOutcome, prose, pruneOutput, renderPlan, renderPlanned, renderPruned, type PruneOutcome, type PruneOutput } from '../render/prune.js';
import { toolVersion } from '../version.js';
import { outcomeRecorder, recordingInterrupt, type RecordOutcome } from './prune-record.js';
import { wrapCommand } from '../text.js';
import { brokenStoreHints } from '../hints.js';
import { installCommands, openclawCommand, printedSelection, selectionArgs, toolCommand, type SelectionFlags } from '../selection.js';

export interface PruneFlags extends StoreFlags, GatewayTargetFlags {
  state?: string;
  kind?: string;
  /** Repeatable: undefined when not given. */
  key?: string[];
  keep?: string[];
  olderThan: string;
  /** `--include-conversations` (true) or `--include-conversations 7d`. */
  includeConversations?: boolean | string;
  acp?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
  journal: boolean;
  journalRetention?: string;
  keepTranscripts?: boolean;
  recompute: string;
  allowRestart?: boolean;
  wait: string;
  logFormat?: string;
}

export async function runPrune(flags: PruneFlags, io: CliIo): Promise<number> {
  const format = parseLogFormat(flags.logFormat);
  if (!format) throw new CliError(EXIT.usage, `invalid --log-format "${flags.logFormat}": use text or json`);
  if (format === 'json' && flags.json) throw new CliError(EXIT.usage, '--json and --log-format json exclude each other: one document, or one line per event');
  const runId = newRunId();
  // --quiet silences the text lines only: with --log-format json the event log is the output that
  // was asked for (the systemd unit runs `--quiet --log-format json` into the journal), so every
  // event is still written (README "Run it from cron").
  const log = createEventLog(io, format, runId);
  const started = Date.now();
  // A dry run or a cancelled one is not a prune; `metrics` reports the last real run.
  const record = flags.dryRun ? null : await outcomeRecorder(flags, io, runId, started);
  log.emit('run.start', { command: 'prune', toolVersion: toolVersion(), dryRun: Boolean(flags.dryRun), recompute: flags.recompute, pid: process.pid });
  try {
    const outcome = await pruneOnce(flags, io, runId, log, record);
    logOutcome(log, outcome, started);
    if (outcome.report && !outcome.report.dryRun) record?.(outcome.exitCode, outcome.report.pruned.length, outcome.report.slotsFreed);
    // The report is out; a live read's probe session may still be being deleted (probe-deletes.ts).
    await (await import('../../gateway/probe-deletes.js')).probeDeletesSettledAtEnd(progressOf(flags, io));
    return outcome.exitCode;
  } catch (error) {
    const exitCode = exitCodeOf(error);
    log.emit('run.error', { exitCode, message: error instanceof Error ? error.message : String(error) });
    log.emit('run.end', { exitCode, pruned: 0, skipped: 0, slotsFreed: null, durationMs: Date.now() - started, journal: null });
    record?.(exitCode, 0, null);
    throw error;
  }
}

/**
 * Nothing to prune, yet finished runs are only inside the quiet period (they failed seconds ago,
 * say): say so and how to take them now, as `list`'s footer does.
 */
function sayWhatWaits(out: PruneOutput, prepared: PreparedPrune, request: PruneRequest, flags: PruneFlags, selection: SelectionFlags): void {
  const olderThanMs = request.criteria.olderThanMs ?? 0;
  const waiting = prepared.inventory.sessions.filter((session) => isEverPrunable(session) && session.ageMs !== null && session.ageMs < olderThanMs).length;
  if (waiting === 0) return;
  const command = toolCommand(['prune', '--older-than', '0', ...(request.dryRun ? ['--dry-run'] : []), ...selectionArgs(selection)]);
  out.say(`${prose(`${waiting} finished run${waiting === 1 ? ' is' : 's are'} not yet quiet for ${flags.olderThan}; to take ${waiting === 1 ? 'it' : 'them'} now:`, out)}${wrapCommand(command, out.style.width, '  ').join('\n')}\n`);
}

function requestFrom(flags: PruneFlags, io: CliIo): PruneRequest {
  return {
    inventory: inventoryOptionsFrom(flags, io),
    explicitStore: flags.store,
    criteria: {
      states: flags.state === undefined ? undefined : flags.includeConversations !== undefined ? parseOptedInStatesFlag(flags.state) : parseTerminalStatesFlag(flags.state),
      kinds: flags.kind !== undefined ? parseKindsFlag(flags.kind) : undefined,
      olderThanMs: parseDurationFlag(flags.olderThan, '--older-than'),
      acpOnly: flags.acp,
      keyGlobs: flags.key ?? [],
      keepGlobs: flags.keep ?? [],
      includeConversationsOlderThanMs: includeConversationsMs(flags.includeConversations),
    },
    recompute: parseRecompute(flags.recompute),
    dryRun: flags.dryRun ?? false,
    // --quiet (root's cron) keeps out the line on a withheld secret of root's; a failed RPC's why has it.
    gateway: { ...gatewayFlagsFrom(flags), progress: progressOf(flags, io), warn: flags.quiet ? undefined : (line: string) => void io.stderr.write(`openclaw-sessions: ${line}\n`), commandsFor: (location) => installCommands(printedSelection(flags, io.env, location)) },
  };
}

/** `--include-conversations` alone: OpenClaw's own 30-day default; with a value, that duration. */
function includeConversationsMs(value: boolean | string | undefined): number | undefined {
  return value === undefined || value === false ? undefined : value === true ? DEFAULT_CONVERSATION_GRACE_MS : parseDurationFlag(value, '--include-conversations');
}

/**
 * Prunes the readable stores; a store that could not be read is left untouched, named on stderr
 * (and in `failedStores`), and turns a successful run's exit into 1.
 */
async function pruneOnce(flags: PruneFlags, io: CliIo, runId: string, log: EventLog, record: RecordOutcome | null): Promise<PruneOutcome> {
  const request = requestFrom(flags, io);
  const prepared = await reportingOtherFailures(io, flags, () => preparePrune(request, io.env));
  const failures = prepared.inventory.failures;
  const failedStores = failures.map((failure) => ({ agentId: failure.ref.agentId, path: failure.ref.path, error: failure.error.message }));
  const outcome = await pruneReadable(flags, io, log, request, prepared, { runId, failedStores, record });
  const unjudged = unjudgedLine(prepared);
  if (failures.length === 0 && !unjudged) return outcome;
  for (const line of storeErrorLines(failures.map((failure) => failure.error), 'left untouched: ')) io.stderr.write(`${line}\n`);
  if (unjudged) io.stderr.write(`${unjudged}\n`);
  return { ...outcome, exitCode: outcome.exitCode === EXIT.ok ? EXIT.error : outcome.exitCode };
}

/**
 * ACP sessions left "unknown" because the ACP state (state/openclaw.sqlite, 6.1+) cannot be read:
 * they may be the very ones holding the slots, so a run that took none of them is not a success.
 * Observed (helper-22): a real 2026.7.35 gateway stuck at 3/3, the tool on Node 20 — `prune --yes`
 * said "Nothing to prune" and exited 0, so a scheduled prune would report success forever.
 */
function unjudgedLine(prepared: PreparedPrune): string | null {
  const { acpState, sessions } = prepared.inventory;
  if (acpState.source !== 'unreadable') return null;
  const unknown = sessions.filter((session) => session.state === 'unknown').length;
  if (unknown === 0) return null;
  return `openclaw-sessions: ${unknown} ACP session${unknown === 1 ? '' : 's'} left unjudged, never pruned: cannot read their state (${acpState.reason}); ${acpStateFix(acpState)}`;
}

async function pruneReadable(flags: PruneFlags, io: CliIo, log: EventLog, request: PruneRequest, prepared: PreparedPrune, run: { runId: string; failedStores: NonNullable<PruneReport['failedStores']>; record: RecordOutcome | null }): Promise<PruneOutcome> {
  const { runId, failedStores } = run;
  const lockTimeoutMs = parseDurationFlag(flags.lockTimeout, '--lock-timeout');
  const waitMs = parseDurationFlag(flags.wait, '--wait');
  const { plan, inventory } = prepared;
  const selection = printedSelection(flags, io.env, inventory.location); // printed commands name the install the environment chose
  const out = await pruneOutput(flags, io, log);
  if (plan.items.length === 0 && !request.dryRun && request.recompute === 'restart') {
    const orphans = await restartForOrphans(prepared, flags, io, { waitMs, record: run.record }, out);
    if (orphans) return orphans;
  }
  const named = (report: PruneReport): PruneReport => (failedStores.length > 0 ? Object.assign(report, { failedStores }) : report);
  if (plan.items.length === 0 || request.dryRun) {
    const report = named(planReport(plan, request.dryRun, inventory));
    renderPlanned(out, report, plan, inventory.stores.length, toolCommand(['prune', ...planArgs(flags), ...selectionArgs(selection)]));
    if (plan.items.length === 0) sayWhatWaits(out, prepared, request, flags, selection);
    else for (const error of refusedJsonStores(prepared)) io.stderr.write(`openclaw-sessions: a real prune would be refused (exit 4, nothing changed): ${error.message}\n`);
    return { kind: plan.items.length === 0 ? 'nothing' : 'planned', report, exitCode: EXIT.ok };
  }

  const interactive = !flags.yes && io.stdinIsTTY;
  if (!flags.yes && !interactive) {
    throw new CliError(EXIT.usage, `refusing to prune ${plan.items.length} session${plan.items.length === 1 ? '' : 's'} without confirmation: not a terminal; pass --yes (or --dry-run to look first)`);
  }
  // The execute stage (locks, journal, edits, RPC) loads only now: a dry run never needs it.
  const execute = await import('../../prune/execute.js');
  const route = await chooseRoute(execute.choosePruneRoute, prepared, request.recompute, flags, io, interactive);
  if (interactive) {
    io.stderr.write(`${renderPlan(plan, out.style)}\n${prose(`${describePlan(plan, false)}${describeDecision(route.decision, prepared.gateway!)}`, out)}`);
    if (!(await confirmed(io, 'Prune these sessions? [y/N] '))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return { kind: 'cancelled', report: null, exitCode: EXIT.ok };
    }
  }

  const journalRetentionMs = parseDurationFlag(flags.journalRetention ?? DEFAULT_JOURNAL_RETENTION, '--journal-retention');
  const options = { runId, toolVersion: toolVersion(), lockTimeoutMs, waitMs, journal: flags.journal, journalRetentionMs, keepTranscripts: flags.keepTranscripts ?? false, progress: progressOf(flags, io), commands: installCommands(selection) };
  // From here a SIGINT or SIGTERM ends a run that may have changed something: it is recorded.
  const execution = await recordingInterrupt(run.record, (onRemoved) => execute.executePrune(prepared, route, { ...options, onRemoved }, io.env));
  named(execution.report);
  const hints = {
    undo: (id: string) => toolCommand(['restore', id, ...selectionArgs(selection)]),
    restartGateway: openclawCommand(selection, ['gateway', 'restart']),
  };
  return { kind: 'pruned', report: execution.report, exitCode: renderPruned(out, execution, hints) };
}

/** The route, after asking (on a terminal) whether a restart may stand in for an unavailable RPC. */
async function chooseRoute(choosePruneRoute: typeof import('../../prune/execute.js').choosePruneRoute, prepared: PreparedPrune, requested: RecomputeRequest, flags: PruneFlags, io: CliIo, interactive: boolean): Promise<PruneRoute> {
  const [gateway, allowRestart] = [prepared.gateway!, flags.allowRestart ?? false];
  const commands = installCommands(printedSelection(flags, io.env, prepared.inventory.location)); // this install's, for advice (install-commands.ts)
  try {
    return choosePruneRoute(prepared, requested, allowRestart, commands);
  } catch (error) {
    // auto refuses when RPC is down and no restart was allowed: on a terminal, ask instead.
    const canAsk = interactive && requested === 'auto' && !prepared.remote && !gateway.rpc.ok && gateway.restart.ok && !allowRestart;
    if (!(error instanceof ToolError) || !canAsk) throw error;
    io.stderr.write(`RPC is unavailable (${gateway.rpc.ok ? '' : gateway.rpc.why}); the ACP entries can leave the file only with a restart of the gateway.\n`);
    if (await confirmed(io, `Restart the gateway (pid ${gateway.gateway?.pid}) after pruning? It drops running chats. [y/N] `)) return choosePruneRoute(prepared, requested, true, commands);
    throw error;
  }
}

/**
 * Nothing to prune, but `--recompute restart`: restart the gateway when it holds orphaned
 * handles (issue 9), after confirmation. Null when no gateway runs (the caller says "nothing").
 */
async function restartForOrphans(prepared: PreparedPrune, flags: PruneFlags, io: CliIo, run: { waitMs: number; record: RecordOutcome | null }, out: PruneOutput): Promise<PruneOutcome | null> {
  const orphan = planOrphanRestart(prepared, flags.allowRestart ?? false);
  if (!orphan) return null;
  if (!orphan.nothingToDo && !flags.yes) {
    if (!io.stdinIsTTY) throw new CliError(EXIT.usage, 'refusing to restart the gateway without confirmation: not a terminal; pass --yes');
    const count = orphan.live === null ? 'its' : String(orphan.live - orphan.held);
    if (!(await confirmed(io, `Restart the gateway (pid ${orphan.gateway.gateway?.pid}) to clear ${count} orphaned ACP handle(s)? It drops running chats. [y/N] `))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return { kind: 'cancelled', report: null, exitCode: EXIT.ok };
    }
  }
  const { executeOrphanRestart } = await import('../../prune/execute.js');
  // Recorded from here, not at the prompt: a Ctrl-C there is a cancel, as a declined prompt is.
  const report = await recordingInterrupt(run.record, () => executeOrphanRestart(prepared, orphan, { waitMs: run.waitMs, progress: progressOf(flags, io) }, io.env));
  out.emit(report);
  out.say(`${report.summary}\n`);
  if (!report.recompute!.ok) {
    out.warn(report.recompute!.detail);
    return { kind: 'pruned', report, exitCode: EXIT.notRecomputed };
  }
  return { kind: orphan.nothingToDo ? 'nothing' : 'pruned', report, exitCode: EXIT.ok };
}

async function reportingOtherFailures<T>(io: CliIo, flags: PruneFlags, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StoresUnreadableError)) throw error;
    const [first, ...others] = foldStoreErrors(error.errors);
    for (const other of others) io.stderr.write(`openclaw-sessions: ${other.message}\n`);
    // Printed before the exit line; the hint keeps this run's own flags (a dry run stays one).
    if (error.inventory) for (const line of brokenStoreHints(error.inventory, printedSelection(flags, io.env, error.inventory.location), ['prune', ...planArgs(flags), ...(flags.dryRun ? ['--dry-run'] : [])])) io.stderr.write(`${line}\n`);
    throw first;
  }
}

/** The flags that chose this plan, so a printed prune command prunes the same set. */
function planArgs(flags: PruneFlags): string[] {
  return [
    ...(flags.state ? ['--state', flags.state] : []),
    ...(flags.kind ? ['--kind', flags.kind] : []),
    ...(flags.key ?? []).flatMap((glob) => ['--key', glob]),
    ...(flags.keep ?? []).flatMap((glob) => ['--keep', glob]),
    ...(flags.olderThan !== DEFAULT_PRUNE_GRACE ? ['--older-than', flags.olderThan] : []),
    ...(flags.acp ? ['--acp'] : []),
    // The opted-in conversations are part of the set the printed command must prune again.
    ...(flags.includeConversations === true ? ['--include-conversations'] : typeof flags.includeConversations === 'string' ? ['--include-conversations', flags.includeConversations] : []),
  ];
}

function parseRecompute(value: string): RecomputeRequest {
  if ((RECOMPUTE_REQUESTS as readonly string[]).includes(value)) return value as RecomputeRequest;
  throw new CliError(EXIT.usage, `invalid --recompute "${value}": use ${RECOMPUTE_REQUESTS.join(', ')}`);
}

/** The confirmation prompt; its code (a terminal line reader) loads only when someone is asked. */
async function confirmed(io: CliIo, question: string): Promise<boolean> {
  const { confirm } = await import('../confirm.js');
  return confirm(io, question);
}

/** Progress lines for the gateway waits, on a terminal only; never with --json, --quiet or a JSON event log. */
function progressOf(flags: PruneFlags, io: CliIo): ((line: string) => void) | undefined {
  return terminalProgress(io, { json: Boolean(flags.json) || flags.logFormat === 'json', quiet: flags.quiet });
}

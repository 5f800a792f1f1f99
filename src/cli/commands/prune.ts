/**
 * `openclaw-sessions prune`: parse the flags, run the use-case in prune/run.ts (prepare → ask →
 * execute), render the plan, the outcome and the event log. A "no" at the prompt is an outcome
 * (cancelled, exit 0), not an error.
 */
import { CliError, EXIT, exitCodeOf } from '../exit-codes.js';
import { planReport } from '../../prune/report.js';
import { choosePruneRoute, executePrune, preparePrune, StoresUnreadableError, type PreparedPrune, type PruneRequest, type PruneRoute } from '../../prune/run.js';
import { RECOMPUTE_REQUESTS, type RecomputeRequest } from '../../recompute/choose.js';
import { describePlan } from '../../sessions/plan.js';
import { DEFAULT_JOURNAL_RETENTION } from '../../defaults.js';
import { newRunId } from '../../store/journal.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { confirm } from '../confirm.js';
import { createEventLog, parseLogFormat, type EventLog } from '../event-log.js';
import type { CliIo } from '../io.js';
import { parseDurationFlag, parseKindsFlag, parseTerminalStatesFlag } from '../parse.js';
import { describeDecision, logOutcome, pruneOutput, renderPlan, renderPlanned, renderPruned, type PruneOutcome } from '../render/prune.js';
import { toolVersion } from '../version.js';
import { DEFAULT_PRUNE_GRACE } from '../../defaults.js';
import { brokenStoreHints } from '../hints.js';
import { openclawCommand, selectionArgs, toolCommand } from '../selection.js';

export interface PruneFlags extends StoreFlags {
  state?: string;
  kind?: string;
  /** Repeatable: undefined when not given. */
  key?: string[];
  keep?: string[];
  olderThan: string;
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
  log.emit('run.start', { command: 'prune', toolVersion: toolVersion(), dryRun: Boolean(flags.dryRun), recompute: flags.recompute, pid: process.pid });
  try {
    const outcome = await pruneOnce(flags, io, runId, log);
    logOutcome(log, outcome, started);
    return outcome.exitCode;
  } catch (error) {
    const exitCode = exitCodeOf(error);
    log.emit('run.error', { exitCode, message: error instanceof Error ? error.message : String(error) });
    log.emit('run.end', { exitCode, pruned: 0, skipped: 0, slotsFreed: 0, durationMs: Date.now() - started, journal: null });
    throw error;
  }
}

function requestFrom(flags: PruneFlags, io: CliIo): PruneRequest {
  return {
    inventory: inventoryOptionsFrom(flags, io),
    explicitStore: flags.store,
    criteria: {
      states: flags.state !== undefined ? parseTerminalStatesFlag(flags.state) : undefined,
      kinds: flags.kind !== undefined ? parseKindsFlag(flags.kind) : undefined,
      olderThanMs: parseDurationFlag(flags.olderThan, '--older-than'),
      acpOnly: flags.acp,
      keyGlobs: flags.key ?? [],
      keepGlobs: flags.keep ?? [],
    },
    recompute: parseRecompute(flags.recompute),
    dryRun: flags.dryRun ?? false,
  };
}

async function pruneOnce(flags: PruneFlags, io: CliIo, runId: string, log: EventLog): Promise<PruneOutcome> {
  const request = requestFrom(flags, io);
  const lockTimeoutMs = parseDurationFlag(flags.lockTimeout, '--lock-timeout');
  const waitMs = parseDurationFlag(flags.wait, '--wait');
  const prepared = await reportingOtherFailures(io, flags, () => preparePrune(request, io.env));
  const { plan, inventory } = prepared;
  const out = pruneOutput(flags, io, log);
  if (plan.items.length === 0 || request.dryRun) {
    const report = planReport(plan, request.dryRun, inventory);
    renderPlanned(out, report, plan, inventory.stores.length, toolCommand(['prune', ...planArgs(flags), ...selectionArgs(flags)]));
    return { kind: plan.items.length === 0 ? 'nothing' : 'planned', report, exitCode: EXIT.ok };
  }

  const interactive = !flags.yes && io.stdinIsTTY;
  if (!flags.yes && !interactive) {
    throw new CliError(EXIT.usage, `refusing to prune ${plan.items.length} session${plan.items.length === 1 ? '' : 's'} without confirmation: not a terminal; pass --yes (or --dry-run to look first)`);
  }
  const route = await chooseRoute(prepared, request.recompute, flags, io, interactive);
  if (interactive) {
    io.stderr.write(`${renderPlan(plan, out.style)}\n${describePlan(plan, false)}${describeDecision(route.decision, prepared.gateway!)}\n`);
    if (!(await confirm(io, 'Prune these sessions? [y/N] '))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return { kind: 'cancelled', report: null, exitCode: EXIT.ok };
    }
  }

  const journalRetentionMs = parseDurationFlag(flags.journalRetention ?? DEFAULT_JOURNAL_RETENTION, '--journal-retention');
  const options = { runId, toolVersion: toolVersion(), lockTimeoutMs, waitMs, journal: flags.journal, journalRetentionMs, keepTranscripts: flags.keepTranscripts ?? false };
  const execution = await executePrune(prepared, route, options, io.env);
  const hints = {
    undo: (id: string) => toolCommand(['restore', id, ...selectionArgs(flags)]),
    restartGateway: openclawCommand(flags, ['gateway', 'restart']),
  };
  return { kind: 'pruned', report: execution.report, exitCode: renderPruned(out, execution, hints) };
}

/** The route, after asking (on a terminal) whether a restart may stand in for an unavailable RPC. */
async function chooseRoute(prepared: PreparedPrune, requested: RecomputeRequest, flags: PruneFlags, io: CliIo, interactive: boolean): Promise<PruneRoute> {
  const gateway = prepared.gateway!;
  const allowRestart = flags.allowRestart ?? false;
  const first = choosePruneRoute(prepared, requested, allowRestart);
  const decision = first.decision;
  if (interactive && decision.method === 'none' && decision.fallback && gateway.restart.ok && !allowRestart) {
    // auto could restart if the operator agrees; ask rather than leave the gateway stuck.
    io.stderr.write(`RPC is unavailable (${gateway.rpc.ok ? '' : gateway.rpc.why}); the gateway would keep counting the pruned sessions.\n`);
    if (await confirm(io, `Restart the gateway (pid ${gateway.gateway?.lock.pid}) after pruning? It drops running chats. [y/N] `)) return choosePruneRoute(prepared, requested, true);
  }
  return first;
}

async function reportingOtherFailures<T>(io: CliIo, flags: PruneFlags, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StoresUnreadableError)) throw error;
    for (const other of error.errors.slice(1)) io.stderr.write(`openclaw-sessions: ${other.message}\n`);
    // Printed before the exit line; the hint keeps this run's own flags (a dry run stays one).
    if (error.inventory) for (const line of brokenStoreHints(error.inventory, flags, ['prune', ...planArgs(flags), ...(flags.dryRun ? ['--dry-run'] : [])])) io.stderr.write(`${line}\n`);
    throw error.errors[0];
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
  ];
}

function parseRecompute(value: string): RecomputeRequest {
  if ((RECOMPUTE_REQUESTS as readonly string[]).includes(value)) return value as RecomputeRequest;
  throw new CliError(EXIT.usage, `invalid --recompute "${value}": use ${RECOMPUTE_REQUESTS.join(', ')}`);
}


/**
 * `openclaw-sessions clean`: reclaim disk in sessions directories — expired `.deleted.`/`.reset.`
 * archives, orphan transcripts (archived the way OpenClaw archives), leftover temp files.
 * parse → prepare (clean/run.ts) → ask → execute → render (render/clean.ts).
 */
import { executeClean, prepareClean, type CleanOptions, type CleanStoreResult, type PreparedClean } from '../../clean/run.js';
import { bytesToFree } from '../../clean/plan.js';
import { cleanReport, totalsOf } from '../../clean/report.js';
import { formatBytes } from '../../clean/summary.js';
import { CliError, EXIT } from '../exit-codes.js';
import { newRunId } from '../../store/run-id.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { confirm } from '../confirm.js';
import { createEventLog, parseLogFormat, type EventLog } from '../event-log.js';
import type { CliIo } from '../io.js';
import { parseDurationFlag } from '../parse.js';
import { describeNothingToClean, renderCleanOutcome, renderCleanPlan } from '../render/clean.js';
import { decideStyle } from '../terminal.js';
import { installCommands, printedSelection } from '../selection.js';

export interface CleanFlags extends StoreFlags {
  keep: string;
  dryRun?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
  logFormat?: string;
}

export async function runClean(flags: CleanFlags, io: CliIo): Promise<number> {
  const format = parseLogFormat(flags.logFormat);
  if (!format) throw new CliError(EXIT.usage, `invalid --log-format "${flags.logFormat}": use text or json`);
  if (format === 'json' && flags.json) throw new CliError(EXIT.usage, '--json and --log-format json exclude each other: one document, or one line per event');
  const options: CleanOptions = { ...inventoryOptionsFrom(flags), keepMs: parseDurationFlag(flags.keep, '--keep'), commandsFor: (location) => installCommands(printedSelection(flags, io.env, location)) };
  const lockTimeoutMs = parseDurationFlag(flags.lockTimeout, '--lock-timeout');
  const log = createEventLog(io, format, newRunId());
  const started = Date.now();
  log.emit('run.start', { command: 'clean', dryRun: Boolean(flags.dryRun), keepSeconds: options.keepMs / 1000, pid: process.pid });

  const prepared = prepareClean(io.env, options);
  for (const skipped of prepared.skippedStores) io.stderr.write(`openclaw-sessions: ${skipped.storePath}: not cleaned: ${skipped.why}\n`);
  // A store that could not be read is named above; the others are cleaned, and the run exits 1.
  const exitCode = prepared.skippedStores.some((store) => store.why.startsWith('unreadable')) ? EXIT.error : EXIT.ok;
  const actions = prepared.plans.flatMap((plan) => plan.actions);
  const style = await decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  const say = (text: string): void => {
    if (!flags.quiet && !flags.json && !log.enabled) io.stdout.write(`${text}\n`);
  };

  if (flags.dryRun || actions.length === 0) {
    if (flags.json) io.stdout.write(`${JSON.stringify(cleanReport(prepared, null, options.keepMs), null, 2)}\n`);
    say(actions.length === 0 ? describeNothingToClean(prepared, flags.keep) : `${renderCleanPlan(prepared, style)}\nDry run: nothing was changed. Run without --dry-run to clean.`);
    endLog(log, exitCode, [], actions.length, started);
    return exitCode;
  }
  if (!(await approved(flags, io, prepared, style))) {
    io.stderr.write('Cancelled; nothing was changed.\n');
    return EXIT.ok;
  }
  const results = await executeClean({
    env: io.env,
    options,
    prepared,
    lockTimeoutMs,
    onOutcome: (storePath, outcome) => log.emit(outcome.done ? (outcome.action === 'archive-orphan' ? 'file.archived' : 'file.removed') : 'file.skipped', { storePath, ...outcome }),
  });
  if (flags.json) io.stdout.write(`${JSON.stringify(cleanReport(prepared, results, options.keepMs), null, 2)}\n`);
  say(renderCleanOutcome(results, totalsOf(results), flags.keep));
  endLog(log, exitCode, results, actions.length, started);
  return exitCode;
}

/** --yes, or a "y" at the prompt on a terminal; off a terminal without --yes: a usage error. */
async function approved(flags: CleanFlags, io: CliIo, prepared: PreparedClean, style: Awaited<ReturnType<typeof decideStyle>>): Promise<boolean> {
  if (flags.yes) return true;
  const actions = prepared.plans.flatMap((plan) => plan.actions);
  const files = `${actions.length} file${actions.length === 1 ? '' : 's'}`;
  if (!io.stdinIsTTY) throw new CliError(EXIT.usage, `refusing to clean ${files} without confirmation: not a terminal; pass --yes (or --dry-run to see the plan)`);
  io.stderr.write(`${renderCleanPlan(prepared, style)}\n`);
  return confirm(io, `Clean ${files}, freeing ${formatBytes(bytesToFree(actions))}? [y/N] `);
}

function endLog(log: EventLog, exitCode: number, results: readonly CleanStoreResult[], planned: number, started: number): void {
  const totals = totalsOf(results);
  log.emit('run.end', { exitCode, planned, removed: totals.removed, archived: totals.archived, bytesReclaimed: totals.bytes, skipped: totals.skipped, durationMs: Date.now() - started });
}

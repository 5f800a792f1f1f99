/**
 * `openclaw-sessions clean`: reclaim disk in sessions directories — expired `.deleted.`/`.reset.`
 * archives, orphan transcripts (archived the way OpenClaw archives), leftover temp files.
 * parse → prepare (src/clean/run.ts) → ask → execute → render.
 */
import path from 'node:path';
import type { CleanOutcome } from '../../clean/execute.js';
import { bytesToFree, type CleanAction } from '../../clean/plan.js';
import { executeClean, prepareClean, type CleanStoreResult, type PreparedClean } from '../../clean/run.js';
import { formatBytes, summarizeDisk } from '../../clean/summary.js';
import { CliError, EXIT } from '../../errors.js';
import { CLEAN_SCHEMA_VERSION, type CleanReport } from '../../report/clean-report.js';
import { formatAge, parseDuration } from '../../sessions/duration.js';
import { newRunId } from '../../store/journal.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { confirm } from '../confirm.js';
import { createEventLog, parseLogFormat } from '../event-log.js';
import type { CliIo } from '../io.js';
import { renderTable } from '../table.js';
import { decideStyle } from '../terminal.js';

export interface CleanFlags extends StoreFlags {
  keep: string;
  dryRun?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
  logFormat?: string;
}

const ACTION_WORD: Record<CleanAction['type'], string> = { 'remove-tombstone': 'remove', 'archive-orphan': 'archive', 'remove-temp': 'remove' };
const ACTION_WHAT: Record<CleanAction['type'], string> = { 'remove-tombstone': 'expired archive', 'archive-orphan': 'orphan transcript', 'remove-temp': 'leftover temp file' };

export async function runClean(flags: CleanFlags, io: CliIo): Promise<number> {
  const format = parseLogFormat(flags.logFormat);
  if (!format) throw new CliError(EXIT.usage, `invalid --log-format "${flags.logFormat}": use text or json`);
  if (format === 'json' && flags.json) throw new CliError(EXIT.usage, '--json and --log-format json exclude each other: one document, or one line per event');
  const keepMs = parseDuration(flags.keep, '--keep');
  const lockTimeoutMs = parseDuration(flags.lockTimeout, '--lock-timeout');
  const log = createEventLog(io, format, newRunId());
  const started = Date.now();
  log.emit('run.start', { command: 'clean', dryRun: Boolean(flags.dryRun), keepSeconds: keepMs / 1000, pid: process.pid });

  const options = { ...inventoryOptionsFrom(flags), keepMs };
  const prepared = prepareClean(io.env, options);
  const actions = prepared.plans.flatMap((plan) => plan.actions);
  const partial = prepared.skippedStores.some((store) => store.why.startsWith('unreadable'));
  const exitCode = partial ? EXIT.error : EXIT.ok;

  if (flags.dryRun || actions.length === 0) {
    render(io, flags, prepared, null, keepMs);
    log.emit('run.end', { exitCode, removed: 0, archived: 0, bytesReclaimed: 0, planned: actions.length, durationMs: Date.now() - started });
    return exitCode;
  }
  if (!flags.yes) {
    if (!io.stdinIsTTY) throw new CliError(EXIT.usage, `refusing to clean ${actions.length} file${actions.length === 1 ? '' : 's'} without confirmation: not a terminal; pass --yes (or --dry-run to see the plan)`);
    io.stdout.write(`${planText(io, flags, prepared)}\n`);
    if (!(await confirm(io, `Clean ${actions.length} file${actions.length === 1 ? '' : 's'}, freeing ${formatBytes(bytesToFree(actions))}? [y/N] `))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return EXIT.ok;
    }
  }
  const results = await executeClean({
    env: io.env,
    options,
    prepared,
    lockTimeoutMs,
    onOutcome: (storePath, outcome) => log.emit(outcome.done ? (outcome.action === 'archive-orphan' ? 'file.archived' : 'file.removed') : 'file.skipped', { storePath, ...outcome }),
  });
  const totals = totalsOf(results);
  render(io, flags, prepared, results, keepMs);
  log.emit('run.end', { exitCode, removed: totals.removed, archived: totals.archived, bytesReclaimed: totals.bytes, skipped: totals.skipped, durationMs: Date.now() - started });
  return exitCode;
}

function totalsOf(results: readonly CleanStoreResult[]): { removed: number; archived: number; bytes: number; skipped: number } {
  const outcomes = results.flatMap((result) => result.outcomes);
  const done = outcomes.filter((o): o is Extract<CleanOutcome, { done: true }> => o.done);
  return {
    removed: done.filter((o) => o.action !== 'archive-orphan').length,
    archived: done.filter((o) => o.action === 'archive-orphan').length,
    bytes: done.filter((o) => o.action !== 'archive-orphan').reduce((sum, o) => sum + o.bytes, 0),
    skipped: outcomes.length - done.length,
  };
}

function render(io: CliIo, flags: CleanFlags, prepared: PreparedClean, results: CleanStoreResult[] | null, keepMs: number): void {
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(reportOf(prepared, results, keepMs), null, 2)}\n`);
    return;
  }
  if (flags.logFormat === 'json') return;
  for (const skipped of prepared.skippedStores) io.stderr.write(`openclaw-sessions: ${skipped.storePath}: not cleaned: ${skipped.why}\n`);
  if (flags.quiet) return;
  const actions = prepared.plans.flatMap((plan) => plan.actions);
  if (actions.length === 0) {
    io.stdout.write(`Nothing to clean in ${prepared.plans.length} store${prepared.plans.length === 1 ? '' : 's'} (archives are kept ${flags.keep}).\n`);
    return;
  }
  if (!results) {
    io.stdout.write(`${planText(io, flags, prepared)}\nDry run: nothing was changed. Run without --dry-run to clean.\n`);
    return;
  }
  for (const outcome of results.flatMap((result) => result.outcomes)) {
    if (!outcome.done) io.stdout.write(`skipped ${outcome.path}: ${outcome.why}\n`);
  }
  const totals = totalsOf(results);
  io.stdout.write(`Removed ${totals.removed} file${totals.removed === 1 ? '' : 's'} (${formatBytes(totals.bytes)} reclaimed)${totals.archived ? `, archived ${totals.archived} orphan transcript${totals.archived === 1 ? '' : 's'} (removed after ${flags.keep})` : ''}${totals.skipped ? `, skipped ${totals.skipped}` : ''}.\n`);
}

function planText(io: CliIo, flags: CleanFlags, prepared: PreparedClean): string {
  const style = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  const now = prepared.now;
  const rows = prepared.plans.flatMap((plan) =>
    plan.actions.map((action) => [
      { text: ACTION_WORD[action.type] },
      { text: ACTION_WHAT[action.type] },
      { text: formatBytes(action.file.bytes) },
      { text: formatAge(now - (action.type === 'remove-tombstone' ? action.file.archivedAtMs : action.file.mtimeMs)) },
      { text: path.join(path.basename(path.dirname(path.dirname(plan.scan.storePath))), action.file.name) },
    ]),
  );
  const actions = prepared.plans.flatMap((plan) => plan.actions);
  const table = renderTable([{ header: 'ACTION' }, { header: 'WHAT' }, { header: 'SIZE' }, { header: 'AGE' }, { header: 'FILE', shrink: 'middle', minWidth: 20 }], rows, style);
  return `${table}\n${actions.length} file${actions.length === 1 ? '' : 's'} in ${prepared.plans.filter((p) => p.actions.length).length} store(s); frees ${formatBytes(bytesToFree(actions))} now.`;
}

function reportOf(prepared: PreparedClean, results: CleanStoreResult[] | null, keepMs: number): CleanReport {
  const outcomesByStore = new Map((results ?? []).map((result) => [result.storePath, new Map(result.outcomes.map((o) => [o.path, o]))]));
  const stores = prepared.plans.map((plan) => ({
    storePath: plan.scan.storePath,
    disk: summarizeDisk(plan),
    files: plan.actions.map((action) => {
      const outcome = outcomesByStore.get(plan.scan.storePath)?.get(action.file.path);
      return {
        action: action.type,
        path: action.file.path,
        bytes: action.file.bytes,
        done: outcome?.done ?? false,
        ...(outcome?.done && outcome.archivedTo ? { archivedTo: outcome.archivedTo } : {}),
        ...(outcome && !outcome.done ? { why: outcome.why } : {}),
      };
    }),
    kept: plan.kept,
  }));
  const totals = totalsOf(results ?? []);
  return {
    schemaVersion: CLEAN_SCHEMA_VERSION,
    dryRun: results === null,
    keepSeconds: keepMs / 1000,
    stores,
    skippedStores: prepared.skippedStores,
    bytesReclaimed: totals.bytes,
    filesRemoved: totals.removed,
    transcriptsArchived: totals.archived,
  };
}

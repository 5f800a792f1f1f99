/**
 * `openclaw-sessions restore [RUN_ID]` and `restore --list`: undo a prune from its journal.
 */
import { CliError, EXIT } from '../../errors.js';
import { takeInventory } from '../../inventory.js';
import { keysToRestore, listRuns, restoreRun, selectRun, type RestoreResult } from '../../prune/restore.js';
import { parseDuration } from '../../sessions/duration.js';
import { assertStoreWritable } from '../../store/store-safety.js';
import { acquireToolLocks } from '../../store/tool-lock.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { RESTORE_SCHEMA_VERSION, type RestoreListReport, type RestoreReport } from '../../report/restore-report.js';
import { renderTable } from '../table.js';
import { decideStyle } from '../terminal.js';

export interface RestoreFlags extends StoreFlags {
  list?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
}

export async function runRestore(runId: string | undefined, flags: RestoreFlags, io: CliIo): Promise<number> {
  const lockTimeoutMs = parseDuration(flags.lockTimeout, '--lock-timeout');
  const inventory = takeInventory(io.env, inventoryOptionsFrom(flags));
  // A store that does not parse can still have a journal; restore needs it to parse, list does not.
  const storePaths = [...inventory.stores.map((store) => store.ref.path), ...inventory.failures.map((failure) => failure.ref.path)];
  const runs = listRuns(storePaths);

  if (flags.list) {
    if (flags.json) {
      const report: RestoreListReport = {
        schemaVersion: RESTORE_SCHEMA_VERSION,
        runs: runs.map((run) => ({ runId: run.runId, at: run.at, storePath: run.storePath, removed: run.removed ?? [], committed: run.removed !== null, restoredAt: run.restoredAt, transcripts: run.transcriptMoves.length })),
      };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return EXIT.ok;
    }
    if (runs.length === 0) {
      io.stdout.write('No prune runs recorded in the journals of the selected stores.\n');
      return EXIT.ok;
    }
    const style = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
    const agentOf = new Map([...inventory.stores.map((s) => s.ref), ...inventory.failures.map((f) => f.ref)].map((ref) => [ref.path, ref.agentId]));
    io.stdout.write(
      `${renderTable(
        // STORE shortens keeping stores apart: two agents' stores differ only in their directory.
        [{ header: 'RUN' }, { header: 'WHEN' }, { header: 'AGENT', shrink: 'end' }, { header: 'PRUNED' }, { header: 'RESTORED' }, { header: 'STORE', shrink: 'start', distinct: true }],
        runs.map((run) => [
          { text: run.runId },
          { text: run.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
          { text: agentOf.get(run.storePath) ?? '-' },
          { text: String(run.removed?.length ?? `${Object.keys(run.entries).length} (interrupted)`) },
          { text: run.restoredAt ? `${run.restoredKeys.length}` : '-' },
          { text: run.storePath },
        ]),
        style,
        // The run id is its start time: WHEN goes first.
        { steps: [{ shrink: 'STORE', to: 40 }, { hide: 'WHEN' }, { shrink: 'STORE', to: 24 }, { hide: 'AGENT' }] },
      )}\n`,
    );
    return EXIT.ok;
  }

  // Nothing to restore is not a failure (exit 0, as the exit-code table says): a cron'd
  // "restore if anything" must not alert. A run id that is not in the journals still is (exit 1).
  const anyPending = runs.some((run) => keysToRestore(run).length > 0 && run.restoredAt === null);
  const selected = runId || anyPending ? selectRun(runs, runId) : [];
  const total = selected.reduce((sum, run) => sum + keysToRestore(run).length, 0);
  if (total === 0) {
    const why = selected.length > 0 ? `run ${selected[0]!.runId} has nothing left to restore` : 'no unrestored prune run in the journals of the selected stores';
    if (flags.json) io.stdout.write(`${JSON.stringify({ schemaVersion: RESTORE_SCHEMA_VERSION, runId: null, restored: [], skipped: [], transcripts: 0 } satisfies RestoreReport, null, 2)}\n`);
    else if (!flags.quiet) io.stdout.write(`Nothing to restore: ${why}.\n`);
    return EXIT.ok;
  }
  if (!flags.yes) {
    if (!io.stdinIsTTY) throw new CliError(EXIT.usage, `refusing to restore ${total} session${total === 1 ? '' : 's'} of run ${selected[0]!.runId} without confirmation: not a terminal; pass --yes`);
    if (!(await confirm(io, `Restore ${total} session${total === 1 ? '' : 's'} from run ${selected[0]!.runId}? [y/N] `))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return EXIT.ok;
    }
  }

  // The same refusals as prune: never write through a symlink or into a shared directory.
  for (const run of selected) assertStoreWritable({ agentId: 'main', path: run.storePath, format: 'json', source: 'explicit', shared: false });
  const release = await acquireToolLocks(selected.map((run) => run.storePath), { timeoutMs: lockTimeoutMs });
  const results: RestoreResult[] = [];
  try {
    for (const run of selected) results.push(await restoreRun(run, { lockTimeoutMs }));
  } finally {
    await release();
  }

  const restored = results.reduce((sum, result) => sum + result.restored.length, 0);
  const skipped = results.flatMap((result) => result.skipped);
  if (flags.json) {
    const report: RestoreReport = { schemaVersion: RESTORE_SCHEMA_VERSION, runId: selected[0]!.runId, restored: results.flatMap((r) => r.restored.map((key) => ({ key, storePath: r.storePath }))), skipped, transcripts: results.reduce((s, r) => s + r.transcripts, 0) };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (!flags.quiet) {
    for (const skip of skipped) io.stdout.write(`skipped ${skip.key}: ${skip.why}\n`);
    const transcripts = results.reduce((sum, result) => sum + result.transcripts, 0);
    io.stdout.write(`Restored ${restored} session${restored === 1 ? '' : 's'} from run ${selected[0]!.runId}${skipped.length ? `, skipped ${skipped.length}` : ''}${transcripts ? `; ${transcripts} transcript${transcripts === 1 ? '' : 's'} renamed back` : ''}.\n`);
  }
  return EXIT.ok;
}

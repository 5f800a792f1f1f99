/**
 * `openclaw-sessions restore [RUN_ID]` and `restore --list`: parse, ask, render; the use-case
 * lives in prune/restore-run.ts.
 */
import { EXIT, CliError } from '../exit-codes.js';
import { executeRestore, findRuns, prepareRestore } from '../../prune/restore-run.js';
import { actAsInstallOwner, takeInventory, type Inventory } from '../../inventory.js';
import type { Env } from '../../env.js';
import { notRestorableBecause, restorableLabel } from '../../prune/restore.js';
import type { JournalRun } from '../../store/journal.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { explicitTarget } from '../../gateway/target.js';
import { silentListenerWho } from '../../gateway/unanswered.js';
import { loadConfig, substitutionEnvForOwner } from '../../store/config.js';
import { resolveStateLocation, type StateLocation } from '../../store/paths.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { parseDurationFlag } from '../parse.js';
import type { RestoreListReport, RestoreReport } from '../../report/restore-report.js';
import { RESTORE_SCHEMA_VERSION } from '../../report/versions.js';
import { renderTable } from '../table.js';
import { decideStyle } from '../terminal.js';
import { installCommands, printedSelection } from '../selection.js';

export interface RestoreFlags extends StoreFlags {
  /** Refused: restore works on local files only. */
  url?: string;
  list?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
}

export async function runRestore(runId: string | undefined, flags: RestoreFlags, io: CliIo): Promise<number> {
  if (flags.list && runId !== undefined) throw new CliError(EXIT.usage, `restore --list takes no run id (got "${runId}"): use restore --list, or restore ${runId}`);
  const lockTimeoutMs = parseDurationFlag(flags.lockTimeout, '--lock-timeout');
  const location = resolveStateLocation(io.env, flags);
  // The config is the owner's file and may `$include` anything: read it as the owner, as every
  // other command does (a root read printed a root-only file's gateway.remote.url here).
  const switched = actAsInstallOwner(location, flags.store);
  const remote = explicitTarget(flags.url, io.env, loadConfig(location.configPath, switched ? substitutionEnvForOwner(io.env) : io.env));
  if (remote) {
    throw new CliError(EXIT.usage, `restore re-adds entries to local store files, and the gateway at ${remote.url} (${remote.source}) keeps its stores on its own host; its sessions were deleted through RPC and cannot be restored from here — run restore on the gateway's host against its state dir`);
  }
  // The one read of the stores: the journals are found beside them, and the refusal below judges
  // the install from the same inventory (see refuseBesideUnlockedGateway).
  const inventory = takeInventory(io.env, inventoryOptionsFrom(flags, io));
  const { runs, agentOf } = findRuns(inventory, flags.store ? undefined : flags.agent);
  if (flags.list) {
    await renderRunList(runs, agentOf, flags, io);
    return EXIT.ok;
  }

  // Pointers to `restore --list` name this install, as every printed command does (selection.ts).
  const listCommand = installCommands(printedSelection(flags, io.env, inventory.location)).tool(['restore', '--list']);
  const prepared = prepareRestore(runs, runId, listCommand);
  // Nothing to restore is not a failure (exit 0, as the exit-code table says): a cron'd
  // "restore if anything" must not alert. A run id not in the journals still is (exit 1).
  if (prepared.kind === 'nothing') {
    if (flags.json) io.stdout.write(`${JSON.stringify({ schemaVersion: RESTORE_SCHEMA_VERSION, runId: null, restored: [], skipped: [], transcripts: 0, transcriptsSkipped: [] } satisfies RestoreReport, null, 2)}\n`);
    else if (!flags.quiet) io.stdout.write(`Nothing to restore: ${prepared.why}.\n`);
    return EXIT.ok;
  }
  await refuseBesideUnlockedGateway(location, inventory, io.env);
  const { total } = prepared;
  for (const run of prepared.runs) {
    if (run.removed === null) io.stderr.write(`openclaw-sessions: run ${run.runId} was interrupted before its commit record (${run.storePath}); restoring every planned key that is absent now\n`);
  }
  if (!flags.yes) {
    const what = `${total} session${total === 1 ? '' : 's'} of run ${prepared.runId}`;
    if (!io.stdinIsTTY) throw new CliError(EXIT.usage, `refusing to restore ${what} without confirmation: not a terminal; pass --yes`);
    if (!(await confirm(io, `Restore ${total} session${total === 1 ? '' : 's'} from run ${prepared.runId}? [y/N] `))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return EXIT.ok;
    }
  }

  const summary = await executeRestore(prepared, { lockTimeoutMs });
  if (flags.json) {
    const restored = summary.results.flatMap((r) => r.restored.map((key) => ({ key, storePath: r.storePath })));
    const transcriptsSkipped = summary.results.flatMap((r) => r.transcriptSkips);
    const report: RestoreReport = { schemaVersion: RESTORE_SCHEMA_VERSION, runId: summary.runId, restored, skipped: summary.skipped, transcripts: summary.transcripts, transcriptsSkipped };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (!flags.quiet) {
    for (const skip of summary.skipped) io.stdout.write(`skipped ${skip.key}: ${skip.why}\n`);
    for (const result of summary.results) for (const skip of result.transcriptSkips) io.stdout.write(`transcript ${skip.path} left in place: ${skip.why}\n`);
    const { restored, skipped, transcripts } = summary;
    const skippedText = skipped.length ? `, skipped ${skipped.length}` : '';
    const transcriptText = transcripts ? `; ${transcripts} transcript${transcripts === 1 ? '' : 's'} renamed back` : '';
    io.stdout.write(`Restored ${restored} session${restored === 1 ? '' : 's'} from run ${summary.runId}${skippedText}${transcriptText}.\n`);
  }
  return EXIT.ok;
}

/**
 * A 5.2–7.x store has no cross-process lock: while its gateway runs (or may: its port taken, no
 * answer), only the gateway may write it, as prune already holds (recompute/choose.ts). Observed
 * (helper-22): with a real 2026.7.35 gateway running, restore wrote two entries back behind its back.
 * A 4.x store is restored under the gateway's own lock, and a SQLite run is never restorable.
 *
 * `inventory` is the run's one read of the stores (taken a moment before, with no prompt or wait
 * between): what this decides from it — the config (which port), each store's format and whether
 * state/openclaw.sqlite exists — is not what a gateway's write changes, and the gateway itself is
 * probed now. Reading every store again would not see more: the prompt still follows, and the
 * write re-reads each store under the locks (LockedWriter.edit, store/locked-write.ts).
 */
async function refuseBesideUnlockedGateway(location: StateLocation, inventory: Inventory, env: Env): Promise<void> {
  const { probeGateway } = await import('../../gateway/probe.js');
  const gateway = await probeGateway(location, inventory.config, env, { rpc: false });
  if (!gateway.running && !gateway.discovery.health.listening) return;
  const { generationOf } = await import('../../prune/recompute.js');
  if (generationOf(gateway, inventory) !== 'unlocked-json') return;
  const who = gateway.running ? `a gateway answers on port ${gateway.port}` : `port ${gateway.port} accepts connections but nothing there answers as a gateway (${silentListenerWho(gateway)})`;
  throw new CliError(EXIT.refusedUnsafe, `${who}: this OpenClaw version (5.2–7.x) has no cross-process store lock, so only its gateway may write the store while it runs: stop the gateway, restore, then start it; nothing was changed`);
}

async function renderRunList(runs: JournalRun[], agentOf: ReadonlyMap<JournalRun, string>, flags: RestoreFlags, io: CliIo): Promise<void> {
  if (flags.json) {
    const report: RestoreListReport = {
      schemaVersion: RESTORE_SCHEMA_VERSION,
      runs: runs.map((run) => ({
        runId: run.runId,
        at: run.at,
        storePath: run.storePath,
        removed: run.removed ?? [],
        unconfirmed: run.unconfirmed,
        committed: run.removed !== null,
        restoredAt: run.restoredAt,
        transcripts: run.transcriptMoves.length,
        bound: run.bindingProblem === null,
        problem: run.bindingProblem,
        method: run.method,
        restorable: run.bindingProblem === null && notRestorableBecause(run) === null,
        notRestorableBecause: run.bindingProblem ?? notRestorableBecause(run),
      })),
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (runs.length === 0) {
    io.stdout.write('No prune runs recorded in the journals of the selected stores.\n');
    return;
  }
  const style = await decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  const table = renderTable(
    // STORE is shortened keeping its end and keeping stores apart: two agents' stores differ only in their directory.
    [{ header: 'RUN' }, { header: 'WHEN' }, { header: 'AGENT', shrink: 'end' }, { header: 'PRUNED' }, { header: 'RESTORED' }, { header: 'RESTORABLE', shrink: 'end' }, { header: 'STORE', shrink: 'start', distinct: true }],
    runs.map((run) => [
      { text: run.runId },
      { text: run.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
      { text: agentOf.get(run) ?? '-' },
      { text: `${run.removed?.length ?? `${Object.keys(run.entries).length} (interrupted)`}${run.unconfirmed.length > 0 ? ` (+${run.unconfirmed.length} unconfirmed)` : ''}` },
      { text: run.restoredAt ? `${run.restoredKeys.length}` : '-' },
      { text: restorableLabel(run) },
      { text: run.storePath },
    ]),
    style,
    // The run id is its start time: WHEN goes first.
    { steps: [{ shrink: 'AGENT', to: 12 }, { shrink: 'STORE', to: 40 }, { hide: 'WHEN' }, { shrink: 'STORE', to: 24 }, { hide: 'AGENT' }] },
  );
  io.stdout.write(`${table}\n`);
}

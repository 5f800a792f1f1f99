/**
 * Where `prune` leaves each real run's outcome for `metrics` (prune/run-status.ts): when it
 * finishes, when it fails, and when SIGINT or SIGTERM ends it while it may be changing something.
 * The last case was missing (helper-32): a prune stopped by Ctrl-C, or by systemd's SIGTERM at a
 * timeout or a shutdown, left the previous run in `last-prune.json`, so the metrics went on
 * reporting a success that was not the last run.
 */
import { resolveStateLocation } from '../../store/paths.js';
import { actAsOwnerOf } from '../../system/privileges.js';
import { toolVersion } from '../version.js';
import type { CliIo } from '../io.js';
import type { StoreFlags } from '../common-options.js';

/** Records one run: its exit code, sessions removed, ACP slots freed (null: not measured). Never throws. */
export type RecordOutcome = (exitCode: number, removed: number, slotsFreed: number | null) => void;

/**
 * The recorder of this run, its code loaded now: a signal handler can neither await nor import.
 * Writing is synchronous (temp file + rename), as the install's owner, best effort: a run never
 * fails because its outcome could not be recorded (a warning on stderr says why).
 */
export async function outcomeRecorder(flags: StoreFlags, io: CliIo, runId: string, started: number): Promise<RecordOutcome> {
  const status = await import('../../prune/run-status.js').catch(() => null);
  return (exitCode, removed, slotsFreed) => {
    if (!status) return;
    let stateDir: string;
    try {
      stateDir = resolveStateLocation(io.env, flags).stateDir;
    } catch {
      return; // the flags named no install: nothing to record against
    }
    // A run that failed before the inventory (a bad flag in the cron line) is still root here: the
    // record goes into a directory the owner controls, where a root write (and its chown) could be
    // pointed anywhere by a link swapped in mid-write. Act as the owner first, as the run would have.
    try {
      actAsOwnerOf(stateDir, 'the state directory');
    } catch {
      return; // cannot become the owner: record nothing rather than write there as root
    }
    const scope = flags.store ? `store ${flags.store}` : flags.agent ? `agent ${flags.agent}` : 'all agents';
    const problem = status.recordPruneRun(stateDir, { runId, startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), exitCode, removed, slotsFreed, toolVersion: toolVersion(), scope });
    if (problem) io.stderr.write(`openclaw-sessions: warning: ${problem}\n`);
  };
}

/**
 * Runs `work` (the execute stage); a SIGINT or SIGTERM meanwhile records the run with exit 130 or
 * 143 and the sessions removed so far, as counted by the `onRemoved` given to `work` (a store's
 * rename, a delete the gateway answered). The record is registered first, so it is written after
 * the journals' own interrupt records and the lock releases (system/cleanup.ts runs them in reverse).
 */
export async function recordingInterrupt<T>(record: RecordOutcome | null, work: (onRemoved: (count: number) => void) => Promise<T>): Promise<T> {
  let removed = 0;
  const onRemoved = (count: number): void => {
    removed += count;
  };
  if (!record) return work(onRemoved);
  const { onInterrupt } = await import('../../system/cleanup.js');
  const forget = onInterrupt((signal) => record(signal === 'SIGTERM' ? 143 : 130, removed, null));
  try {
    return await work(onRemoved);
  } finally {
    forget();
  }
}

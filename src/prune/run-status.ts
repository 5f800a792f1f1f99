/**
 * The outcome of the last `prune` run of an install, kept where `metrics` can read it without
 * touching a store or a journal: `<stateDir>/openclaw-sessions/last-prune.json` (this tool's own
 * directory, beside its device identity). The journal only records runs that removed something;
 * alerting also needs the runs that removed nothing, and the ones that failed.
 *
 * Written atomically (temp + rename), 0600, never through a symlinked directory, by a process that
 * already acts as the state directory's owner (the caller switches a root run first: a root write
 * and chown-by-path in a directory another user controls could be redirected by a swapped link).
 * Recording is best effort: a prune never fails because its status could not be written.
 */
import { lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { lazySchema, z } from '../store/validate.js';
import { writeFileAtomicSync } from '../store/atomic-write.js';

export const PRUNE_STATUS_FILE = 'last-prune.json';

const buildRunSchema = () => z.object({
  runId: z.string(),
  /** ISO times; finishedAt is what the metrics report as the last run. */
  startedAt: z.string(),
  finishedAt: z.string(),
  exitCode: z.int(),
  /** Sessions removed (from the stores, or by the gateway over RPC). */
  removed: z.int().check(z.nonnegative()),
  /** ACP slots freed as the gateway's live count measured it; null when it was not measured. */
  slotsFreed: z.nullable(z.int()),
  toolVersion: z.string(),
  /** What the run covered: `all agents`, `agent X` or `store PATH`. */
  scope: z.string(),
});

const buildPruneStatusSchema = () => z.object({
  version: z.literal(1),
  last: buildRunSchema(),
  /** The last run that exited 0 (it may be `last`); null when none has yet. */
  lastSuccess: z.nullable(buildRunSchema()),
});
const pruneStatusSchema = lazySchema(buildPruneStatusSchema);

export type PruneRunOutcome = z.infer<ReturnType<typeof buildRunSchema>>;
export type PruneStatus = z.infer<ReturnType<typeof buildPruneStatusSchema>>;

export function pruneStatusPath(stateDir: string): string {
  return path.join(stateDir, 'openclaw-sessions', PRUNE_STATUS_FILE);
}

/** The recorded status, or null when no run was recorded or the file is unreadable/invalid. */
export function readPruneStatus(stateDir: string): PruneStatus | null {
  const file = pruneStatusPath(stateDir);
  try {
    // Not through a symlink, and never a FIFO or device: a regular file of bounded size only.
    const stat = lstatSync(file);
    if (!stat.isFile() || stat.size > 64 * 1024) return null;
    const parsed = pruneStatusSchema().safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Records a finished run. Returns null on success (or when the state dir does not exist: no
 * install, nothing to record), or why the status was not written (the caller prints it as a
 * warning; the prune's own outcome stands). Synchronous, so a run ended by SIGINT or SIGTERM is
 * recorded too, from the signal handler (exit code 130 or 143).
 */
export function recordPruneRun(stateDir: string, outcome: PruneRunOutcome): string | null {
  const file = pruneStatusPath(stateDir);
  const dir = path.dirname(file);
  try {
    // No install there (a mistyped --state-dir or --profile, already reported as the run's
    // error): there is nothing whose status to record, and nothing to warn about twice.
    if (!isDirectory(stateDir)) return null;
    ensureOwnDirectory(dir);
    const previous = readPruneStatus(stateDir);
    const status: PruneStatus = {
      version: 1,
      last: outcome,
      lastSuccess: outcome.exitCode === 0 ? outcome : previous?.lastSuccess ?? null,
    };
    writeFileAtomicSync(file, `${JSON.stringify(status, null, 2)}\n`, 0o600);
    return null;
  } catch (error) {
    return `could not record the prune outcome in ${file}: ${(error as Error).message}`;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function ensureOwnDirectory(dir: string): void {
  try {
    const stat = lstatSync(dir);
    // A symlink here could point a root run's write anywhere: refuse it.
    if (!stat.isDirectory()) throw new Error(`${dir} is not a directory (a symlink or file is refused)`);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { mode: 0o700 });
}

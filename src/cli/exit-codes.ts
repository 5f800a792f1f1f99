/**
 * Exit codes, the CLI's own error, and how any error becomes the one line and code a run ends
 * with. The table is the single source: `--help`, the README (npm run docs) and the exit path all
 * read it, so a code cannot be documented one way and returned another.
 */
import { ToolError, describeUnexpected, type FailureKind, type InputName } from '../errors.js';
import { oneLine } from './text.js';

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  lockBusy: 3,
  refusedUnsafe: 4,
  notRecomputed: 5,
  problemsFound: 6,
  partial: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCode; name: string; meaning: string }> = [
  { code: EXIT.ok, name: 'ok', meaning: 'success, including nothing to do and a declined confirmation' },
  { code: EXIT.error, name: 'error', meaning: 'unreadable or invalid store or config, I/O failure' },
  { code: EXIT.usage, name: 'usage', meaning: 'bad flag or value, or a change refused without --yes' },
  { code: EXIT.lockBusy, name: 'lock-busy', meaning: 'a lock is held by a live process (the gateway or another run) past --lock-timeout; nothing was changed' },
  { code: EXIT.refusedUnsafe, name: 'refused', meaning: 'refused as unsafe: a symlink where a store is written or the undo journal read or written (a symlinked config is followed), something not a regular file (a directory, FIFO or device) where a store, config or undo journal is read, a shared-writable store, a SQLite store, an unlocked gateway running' },
  { code: EXIT.notRecomputed, name: 'not-recomputed', meaning: 'the gateway could not be made to drop the handles: store pruned but its count not recomputed, or nothing changed because removing the entries would orphan their handles' },
  { code: EXIT.problemsFound, name: 'problems', meaning: 'doctor found problems' },
  { code: EXIT.partial, name: 'partial', meaning: 'partly done: some stores were pruned, others left untouched (busy, refused or failed; see the per-store outcomes)' },
];

/** An error whose message is a complete one-line explanation for the operator. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

const EXIT_OF_KIND: Readonly<Record<FailureKind, ExitCode>> = {
  failed: EXIT.error,
  usage: EXIT.usage,
  'lock-busy': EXIT.lockBusy,
  unsafe: EXIT.refusedUnsafe,
  'not-recomputed': EXIT.notRecomputed,
};

/** What the operator can change, by flag, when a domain error points at an input. */
const INPUT_HINT: Readonly<Record<InputName, string>> = {
  profile: '(--profile)',
  configPath: '(from --config)',
  lockTimeout: '— or raise --lock-timeout',
  journal: '— --no-journal skips it',
};

/** The exit code an error ends the run with: its own (CliError), its kind's (ToolError), else 1. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ToolError) return EXIT_OF_KIND[error.kind];
  return EXIT.error;
}

/**
 * The one line (without the `openclaw-sessions:` prefix) an error is reported as. Messages quote
 * operator input and paths (`--state-dir $'/srv/a\nb'`, a store name): their control characters are
 * written as visible escapes, so the line stays one line and cannot drive the terminal.
 */
export function errorLine(error: unknown): string {
  if (error instanceof CliError) return oneLine(error.message);
  if (error instanceof ToolError) return oneLine(error.input ? `${error.message} ${INPUT_HINT[error.input]}` : error.message);
  return oneLine(`unexpected error: ${describeUnexpected(error)}`);
}

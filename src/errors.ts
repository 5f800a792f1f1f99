/**
 * Exit codes and the one error type that reaches the user.
 *
 * The table is the single source: README, `--help` and the CLI's exit path all read it,
 * so a code cannot be documented one way and returned another.
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  lockBusy: 3,
  refusedUnsafe: 4,
  notRecomputed: 5,
  problemsFound: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCode; name: string; meaning: string }> = [
  { code: EXIT.ok, name: 'ok', meaning: 'success (including nothing to do)' },
  { code: EXIT.error, name: 'error', meaning: 'error: unreadable/invalid store or config, I/O failure' },
  { code: EXIT.usage, name: 'usage', meaning: 'usage: bad flag or value, or a change refused without --yes' },
  { code: EXIT.lockBusy, name: 'lock-busy', meaning: 'a lock is held by a live process (gateway or another run) past --lock-timeout' },
  { code: EXIT.refusedUnsafe, name: 'refused', meaning: 'refused as unsafe (symlinked or shared-writable store, SQLite store, unlocked gateway running)' },
  { code: EXIT.notRecomputed, name: 'not-recomputed', meaning: 'store pruned, but the running gateway could not be made to recompute its count' },
  { code: EXIT.problemsFound, name: 'problems', meaning: 'doctor found problems' },
];

/**
 * What went wrong, as the layer that found it sees it; `cli/` maps each kind to an exit code
 * (failed 1, usage 2, lock-busy 3, unsafe 4, not-recomputed 5).
 */
export type FailureKind = 'failed' | 'usage' | 'lock-busy' | 'unsafe' | 'not-recomputed';

/**
 * A domain failure whose message is a complete one-line explanation for the operator. Thrown by
 * store/, sessions/, gateway/, prune/…; it never names a CLI flag (cli/ adds those).
 */
export class ToolError extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.kind = kind;
  }
}

/**
 * A value that does not parse (a duration, a state name…). It names no flag: cli/ knows which
 * flag the value came from and says so.
 */
export class InvalidValueError extends ToolError {
  readonly value: string;
  /** What would have been accepted, e.g. "a duration such as 90s, 30m, 2h, 7d or 1h30m". */
  readonly expected: string;
  constructor(value: string, expected: string, options?: { empty?: boolean }) {
    super('usage', options?.empty ? `needs at least one of: ${expected}` : `invalid value "${value}": use ${expected}`);
    this.name = 'InvalidValueError';
    this.value = value;
    this.expected = expected;
    this.empty = options?.empty ?? false;
  }
  readonly empty: boolean;
}

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

/** The exit code an error ends the run with: its own (CliError), its kind's (ToolError), else 1. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ToolError) return EXIT_OF_KIND[error.kind];
  return EXIT.error;
}

/** One line, no stack: what a non-CliError becomes at the top level. */
export function describeUnexpected(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split('\n')[0] ?? String(error);
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

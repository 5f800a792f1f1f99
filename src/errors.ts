/**
 * The errors every layer throws. They say what failed in the domain's words and never name a
 * CLI flag; cli/exit-codes.ts maps each kind to an exit code and each input to its flag.
 */
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
  /** The input the failure concerns, when changing it is the fix; cli/ names the flag. */
  readonly input: InputName | undefined;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown; input?: InputName }) {
    super(message, options);
    this.name = 'ToolError';
    this.kind = kind;
    this.input = options?.input;
  }
}

/** Inputs the domain can point at without knowing how the operator gave them. */
export type InputName = 'profile' | 'configPath' | 'lockTimeout' | 'journal';

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

/** One line, no stack: what an error that is not a ToolError becomes at the top level. */
export function describeUnexpected(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split('\n')[0] ?? String(error);
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

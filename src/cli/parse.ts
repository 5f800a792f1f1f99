/**
 * Flag values parsed by the domain's parsers, with the flag's name put back into the error:
 * the domain says what is wrong with a value, only cli/ knows which flag it came from.
 */
import { InvalidValueError } from '../errors.js';
import { CliError, EXIT } from './exit-codes.js';
import { parseDuration } from '../sessions/duration.js';
import { TERMINAL_STATES } from '../sessions/classify.js';
import { parseKindList, parseStateList } from '../sessions/filter.js';

function withFlag<T>(flag: string, parse: () => T, unknownWord = 'invalid'): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    if (error.empty) throw new CliError(EXIT.usage, `${flag} needs at least one of: ${error.expected}`);
    const what = unknownWord === 'invalid' ? `invalid ${flag}` : `unknown ${flag} value`;
    throw new CliError(EXIT.usage, `${what} "${error.value}": use ${error.expected}`);
  }
}

/** A duration flag (`--older-than 30m`) in milliseconds; a usage error names the flag. */
export function parseDurationFlag(text: string, flag: string): number {
  return withFlag(flag, () => parseDuration(text));
}

export function parseStatesFlag(text: string, flag = '--state'): ReturnType<typeof parseStateList> {
  return withFlag(flag, () => parseStateList(text), 'unknown');
}

/** prune's `--state`: only terminal states (the others are never pruned, so asking for them is a mistake). */
export function parseTerminalStatesFlag(text: string, flag = '--state'): ReturnType<typeof parseStateList> {
  const states = parseStatesFlag(text, flag);
  const other = [...states].find((state) => !TERMINAL_STATES.has(state));
  if (other) throw new CliError(EXIT.usage, `${flag} ${other} is not a terminal state: prune takes ${[...TERMINAL_STATES].join(', ')}`);
  return states;
}

export function parseKindsFlag(text: string, flag = '--kind'): ReturnType<typeof parseKindList> {
  return withFlag(flag, () => parseKindList(text), 'unknown');
}

/**
 * How to talk to this terminal: colour and width, decided once and passed to every renderer.
 * chalk's own detection ignores NO_COLOR's empty-string rule and `--no-color`, so it is told.
 * The layout never depends on colour: NO_COLOR, `--no-color` and a coloured run print the same
 * columns, only the escape sequences differ.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Env } from '../env.js';

export { shortenMiddle } from './text.js';

export interface TerminalStyle {
  color: boolean;
  /** Cells per line; Number.MAX_SAFE_INTEGER when nothing is to be fitted (a pipe). */
  width: number;
  chalk: ChalkInstance;
}

export interface StyleInput {
  isTTY: boolean;
  columns: number | undefined;
  env: Env;
  /** `--color` (true) / `--no-color` (false); undefined when neither was given. */
  colorFlag: boolean | undefined;
}

export function decideStyle(input: StyleInput): TerminalStyle {
  const noColorEnv = input.env.NO_COLOR !== undefined && input.env.NO_COLOR !== '';
  const dumb = input.env.TERM === 'dumb';
  const color = input.colorFlag ?? (input.isTTY && !noColorEnv && !dumb);
  // Piped output is for grep and scripts: never shortened, unless COLUMNS asks for it
  // (`watch` sets COLUMNS and reads a pipe).
  const fromEnv = Number(input.env.COLUMNS);
  const columns = input.isTTY ? input.columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
  const width = columns && columns > 0 ? columns : input.isTTY ? 80 : Number.MAX_SAFE_INTEGER;
  return { color, width, chalk: new Chalk({ level: color ? 1 : 0 }) };
}

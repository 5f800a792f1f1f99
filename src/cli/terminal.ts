/**
 * How to talk to this terminal: colour and width, decided once and passed to every renderer.
 * chalk's own detection ignores NO_COLOR's empty-string rule and `--no-color`, so it is told.
 * The layout never depends on colour: NO_COLOR, `--no-color` and a coloured run print the same
 * columns, only the escape sequences differ.
 */
import type { Env } from '../env.js';

export { shortenMiddle } from './text.js';

/** The colours the tables and findings use: chalk's when colouring, the text unchanged otherwise. */
export interface Palette {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

const plain = (text: string): string => text;
const PLAIN: Palette = { red: plain, green: plain, yellow: plain, cyan: plain, magenta: plain };

export interface TerminalStyle {
  color: boolean;
  /** Cells per line; Number.MAX_SAFE_INTEGER when nothing is to be fitted (a pipe). */
  width: number;
  paint: Palette;
}

export interface StyleInput {
  isTTY: boolean;
  columns: number | undefined;
  env: Env;
  /** `--color` (true) / `--no-color` (false); undefined when neither was given. */
  colorFlag: boolean | undefined;
}

/**
 * Colour and width for this output. chalk (whose terminal detection loads node:tty, ~2 ms) is
 * loaded only when colour is on: a pipe, NO_COLOR or --no-color never loads it (issue 11).
 */
export async function decideStyle(input: StyleInput): Promise<TerminalStyle> {
  const noColorEnv = input.env.NO_COLOR !== undefined && input.env.NO_COLOR !== '';
  const dumb = input.env.TERM === 'dumb';
  const color = input.colorFlag ?? (input.isTTY && !noColorEnv && !dumb);
  // Piped output is for grep and scripts: never shortened, unless COLUMNS asks for it
  // (`watch` sets COLUMNS and reads a pipe).
  const fromEnv = Number(input.env.COLUMNS);
  const columns = input.isTTY ? input.columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
  const width = columns && columns > 0 ? columns : input.isTTY ? 80 : Number.MAX_SAFE_INTEGER;
  return { color, width, paint: color ? new (await import('chalk')).Chalk({ level: 1 }) : PLAIN };
}

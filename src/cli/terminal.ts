/**
 * How to talk to this terminal: colour, tables, width. chalk ignores NO_COLOR and cli-table3
 * colours its borders on its own, so the decision is made once here and passed to both.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Env } from '../env.js';

export interface TerminalStyle {
  color: boolean;
  /** Box-drawn tables only for a person at a terminal; scripts get plain columns. */
  table: boolean;
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
  const table = input.isTTY && !noColorEnv && !dumb;
  // Piped output is for grep and scripts: never shortened unless COLUMNS asks for it.
  const fromEnv = Number(input.env.COLUMNS);
  const columns = input.isTTY ? input.columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
  const width = columns && columns > 40 ? columns : input.isTTY ? 120 : Number.MAX_SAFE_INTEGER;
  return { color, table, width, chalk: new Chalk({ level: color ? 1 : 0 }) };
}

/** Keeps both ends of a long key (`agent:main:acp:1234…cdef`), which is where keys differ. */
export function shortenMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

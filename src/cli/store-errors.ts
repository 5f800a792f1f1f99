/**
 * The stores a run could not read, as lines for stderr: one per store, except that stores failing
 * for a reason that is this Node.js's rather than the file's (no `node:sqlite` before 22.13) share
 * one line that names them all. Observed: `list` on Node 20 against a real 2026.9.6 install printed
 * the same "needs Node.js 22.13" line once per agent (helper-18).
 */
import { ToolError } from '../errors.js';
import { sqliteUnsupportedReason } from '../store/sqlite-open.js';
import { errorLine } from './exit-codes.js';

/**
 * `errors`: one per unreadable store, in discovery order (each `cannot read <path>: <why>` or
 * another ToolError). Returns the errors to report, in the same order, with the Node.js ones
 * folded into the first of them: `cannot read 3 SQLite stores (<path>, <path>, <path>): reading
 * SQLite needs Node.js 22.13 or later …` (kind and input of that first one kept).
 */
export function foldStoreErrors(errors: readonly Error[]): Error[] {
  const why = `: ${sqliteUnsupportedReason()}`;
  const paths = errors.filter((error) => isNodeError(error, why)).map((error) => error.message.slice('cannot read '.length, -why.length));
  if (paths.length < 2) return [...errors];
  const folded: Error[] = [];
  for (const error of errors) {
    if (!isNodeError(error, why)) folded.push(error);
    else if (!folded.some((seen) => isNodeError(seen, why))) folded.push(new ToolError(error instanceof ToolError ? error.kind : 'failed', `cannot read ${paths.length} SQLite stores (${paths.join(', ')})${why}`, { cause: error }));
  }
  return folded;
}

/** The lines `foldStoreErrors` leaves, each with the tool's prefix and its input hint (errorLine). */
export function storeErrorLines(errors: readonly Error[], lead = ''): string[] {
  return foldStoreErrors(errors).map((error) => `openclaw-sessions: ${lead}${errorLine(error)}`);
}

function isNodeError(error: Error, why: string): boolean {
  return error.message.startsWith('cannot read ') && error.message.endsWith(why);
}

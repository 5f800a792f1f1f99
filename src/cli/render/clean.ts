/**
 * `clean`'s text: the plan as a table, the outcome line, the files skipped at execution.
 */
import path from 'node:path';
import { bytesToFree, UNDO_KEPT, type CleanAction } from '../../clean/plan.js';
import type { CleanTotals } from '../../clean/report.js';
import type { CleanStoreResult, PreparedClean } from '../../clean/run.js';
import { formatBytes } from '../../clean/summary.js';
import { formatAge } from '../../sessions/duration.js';
import { renderTable } from '../table.js';
import type { TerminalStyle } from '../terminal.js';

const ACTION_WORD: Record<CleanAction['type'], string> = { 'remove-tombstone': 'remove', 'archive-orphan': 'archive', 'remove-temp': 'remove' };
const ACTION_WHAT: Record<CleanAction['type'], string> = { 'remove-tombstone': 'expired archive', 'archive-orphan': 'orphan transcript', 'remove-temp': 'leftover temp file' };

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The plan: one row per file (ACTION, WHAT, SIZE, AGE, agent/FILE) and a line of totals. */
export function renderCleanPlan(prepared: PreparedClean, style: TerminalStyle): string {
  const rows = prepared.plans.flatMap((plan) =>
    plan.actions.map((action) => [
      { text: ACTION_WORD[action.type] },
      { text: ACTION_WHAT[action.type] },
      { text: formatBytes(action.file.bytes) },
      { text: formatAge(prepared.now - (action.type === 'remove-tombstone' ? action.file.archivedAtMs : action.file.mtimeMs)) },
      { text: path.join(path.basename(path.dirname(path.dirname(plan.scan.storePath))), action.file.name) },
    ]),
  );
  const actions = prepared.plans.flatMap((plan) => plan.actions);
  const stores = prepared.plans.filter((plan) => plan.actions.length > 0).length;
  const table = renderTable([{ header: 'ACTION' }, { header: 'WHAT' }, { header: 'SIZE' }, { header: 'AGE' }, { header: 'FILE', shrink: 'start' }], rows, style);
  return `${table}\n${plural(actions.length, 'file')} in ${plural(stores, 'store')}; frees ${formatBytes(bytesToFree(actions))} now.${undoKeptNote(prepared)}`;
}

export function describeNothingToClean(prepared: PreparedClean, keep: string): string {
  return `Nothing to clean in ${plural(prepared.plans.length, 'store')} (archives are kept ${keep}).${undoKeptNote(prepared)}`;
}

/** Archives past --keep left for a prune run's undo (plan.ts), named so the operator knows why. */
function undoKeptNote(prepared: PreparedClean): string {
  const kept = prepared.plans.flatMap((plan) => plan.kept.filter((file) => file.why.startsWith(`${UNDO_KEPT} `)));
  if (kept.length === 0) return '';
  const runs = [...new Set(kept.map((file) => file.why.split(' ')[2]))];
  return `\nKept ${plural(kept.length, 'expired archive')}: ${runs.length === 1 ? `prune run ${runs[0]} may` : `prune runs ${runs.join(', ')} may`} still be undone (restore renames ${kept.length === 1 ? 'it' : 'them'} back); kept until restored or dropped from the journal (prune --journal-retention).`;
}

/** Lines for files skipped at execution, then the outcome. */
export function renderCleanOutcome(results: readonly CleanStoreResult[], totals: CleanTotals, keep: string): string {
  const lines = results.flatMap((result) => result.outcomes.flatMap((o) => (o.done ? [] : [`skipped ${o.path}: ${o.why}`])));
  const archived = totals.archived ? `, archived ${plural(totals.archived, 'orphan transcript')} (removed after ${keep})` : '';
  lines.push(`Removed ${plural(totals.removed, 'file')} (${formatBytes(totals.bytes)} reclaimed)${archived}${totals.skipped ? `, skipped ${totals.skipped}` : ''}.`);
  return lines.join('\n');
}

/**
 * How `list` shows itself on a terminal or a pipe: the session table (fitted by listFitSteps,
 * which the prune plan shares), and the footer — counts, the gateway-wide slot line, and the
 * next command to paste, with the selection flags in use.
 */
import { DEFAULT_PRUNE_GRACE } from '../../defaults.js';
import type { Inventory } from '../../inventory.js';
import type { ListReport } from '../../report/list-report.js';
import { formatAgo } from '../../sessions/duration.js';
import { heldOnDiskUnknown, unreadStoresClause, type GatewaySlots } from '../../sessions/gateway-slots.js';
import { describeSlots } from '../../sessions/summary.js';
import { describeDisk } from '../../clean/summary.js';
import { paintState } from '../paint.js';
import { selectionArgs, toolCommand, type SelectionFlags } from '../selection.js';
import { tableLines, type Cell, type FitStep } from '../table.js';
import type { TerminalStyle } from '../terminal.js';
import { keyCell, wrapCommand, wrapProse } from '../text.js';
import { compareCodeUnits } from '../../order.js';

/**
 * The table, then the footer, written in pieces of about 64 KiB as the lines are made: the table
 * of a 100k-session store is tens of MiB of text, never held whole (issue 16 #10).
 */
export function writeListText(inventory: Inventory, report: ListReport, style: TerminalStyle, wide: boolean, selection: SelectionFlags, write: (chunk: string) => void): void {
  let pending = '';
  for (const line of listTextLines(inventory, report, style, wide, selection)) {
    pending += `${line}\n`;
    if (pending.length >= 1 << 16) {
      write(pending);
      pending = '';
    }
  }
  if (pending) write(pending);
}

function* listTextLines(inventory: Inventory, report: ListReport, style: TerminalStyle, wide: boolean, selection: SelectionFlags): Generator<string> {
  const { paint } = style;
  if (inventory.stores.length === 0) {
    yield noStoresMessage(inventory);
    return;
  }
  if (report.sessions.length === 0) {
    yield report.summary.total === 0 ? 'No sessions in the stores below.' : 'No sessions match the filters.';
  } else {
    // --wide: the gateway's own error text whole, where the reason does not already quote it all
    // (it folds whitespace and stops at 200 characters); no column when no row needs one.
    const withError = wide && report.sessions.some((s) => errorBeyondReason(s) !== null);
    const rows: Cell[][] = report.sessions.map((s) => [
      { text: s.agentId },
      { text: keyCell(s.key) },
      { text: s.kind },
      { text: s.state, paint: (t) => paintState(paint, s.state, t) },
      { text: formatAgo(s.ageMs) },
      { text: s.acp ? [s.acp.backend, s.acp.agent].filter(Boolean).join('/') + (s.acp.mode ? ` ${s.acp.mode}` : '') : '-' },
      { text: s.holdsSlot ? 'yes' : '-' },
      { text: s.reason },
      ...(withError ? [{ text: errorBeyondReason(s) ?? '-' }] : []),
    ]);
    // The key names the agent (`agent:<id>:…`) and the kind; those columns go before the reason does.
    const agentInKey = report.sessions.every((s) => s.key.startsWith(`agent:${s.agentId}:`));
    yield* tableLines(
      [
        { header: 'AGENT', shrink: 'end' },
        { header: 'KEY', shrink: 'key' },
        { header: 'KIND' },
        { header: 'STATE' },
        { header: 'AGE' },
        { header: 'ACP', shrink: 'end' },
        { header: 'SLOT' },
        { header: 'REASON', shrink: 'end' },
        ...(withError ? [{ header: 'ERROR', shrink: 'end' as const }] : []),
      ],
      rows,
      style,
      { wide, steps: listFitSteps(agentInKey) },
    );
  }
  yield '';
  yield* footer(inventory, report, style, selection);
}

function errorBeyondReason(s: ListReport['sessions'][number]): string | null {
  const error = s.acp?.lastError;
  return error && !s.reason.includes(error.replace(/\s+/g, ' ')) ? error : null;
}

/**
 * The order in which `list` (and the prune plan) give way on a narrow terminal, least useful text
 * first: a long agent id, the reason's tail beyond 60 cells, the key's middle beyond 40, the ACP
 * detail, then the columns the key repeats (AGENT, KIND). At 80 columns the example store shows
 * KEY, STATE, AGE, SLOT and 30 cells of REASON; at 120 only ACP is hidden.
 */
export function listFitSteps(agentInKey: boolean): FitStep[] {
  return [
    // A long agent id is repeated in every key.
    { shrink: 'AGENT', to: agentInKey ? 12 : 20 },
    { shrink: 'REASON', to: 60 },
    { shrink: 'KEY', to: 40 },
    { shrink: 'ACP', to: 14 },
    { hide: 'ACP' },
    { shrink: 'REASON', to: 40 },
    { shrink: 'KEY', to: 32 },
    ...(agentInKey ? [{ hide: 'AGENT' }] : []),
    { shrink: 'REASON', to: 30 },
    { hide: 'KIND' },
    { shrink: 'KEY', to: 24 },
    { shrink: 'REASON', to: 20 },
  ];
}

function footer(inventory: Inventory, report: ListReport, style: TerminalStyle, selection: SelectionFlags): string[] {
  const { summary } = report;
  const lines: string[] = [];
  const agents = Object.entries(summary.byAgent)
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([agent, counts]) => `${agent} ${counts.total}${counts.terminal ? ` (${counts.terminal} terminal)` : ''}`);
  const shown = report.sessions.length === summary.total ? '' : ` (${report.sessions.length} shown)`;
  lines.push(...wrapProse(`${summary.total} session${summary.total === 1 ? '' : 's'}${shown} in ${inventory.stores.length} store${inventory.stores.length === 1 ? '' : 's'}: ${agents.join(', ') || 'none'}`, style.width));
  // ACP state unreadable: every ACP session is "unknown", so the count held on disk is too.
  const heldUnknown = heldOnDiskUnknown(inventory);
  const slots = heldUnknown ? describeSlots({ acp: report.gatewaySlots }, { heldUnknown }) : describeGatewaySlots(report.gatewaySlots, summary, inventory.stores.some((store) => store.ref.format === 'sqlite'));
  const full = report.gatewaySlots.cap !== null && report.gatewaySlots.slotsHeld !== null && report.gatewaySlots.slotsHeld >= report.gatewaySlots.cap;
  lines.push(...wrapProse(slots, style.width).map((line) => (full && style.color ? style.paint.red(line) : line)));
  const stuck = summary.byState.stuck;
  if (stuck > 0) {
    lines.push(...wrapProse(`${stuck} conversation${stuck === 1 ? '' : 's'} stuck (last turn says running, nobody holds it): not pruned; the next message to the chat clears it`, style.width));
  }
  const selected = selectionArgs(selection);
  if (summary.prunable > 0) {
    lines.push(...wrapProse(`${summary.prunable} prunable (finished runs quiet for ${DEFAULT_PRUNE_GRACE}; conversations are never pruned by default); to see the plan:`, style.width));
    lines.push(...wrapCommand(toolCommand(['prune', '--dry-run', ...selected]), style.width, '  '));
  } else if (summary.terminal > 0) {
    lines.push(...wrapProse(`${summary.terminal} terminal, none quiet for ${DEFAULT_PRUNE_GRACE} yet; to take them now:`, style.width));
    lines.push(...wrapCommand(toolCommand(['prune', '--older-than', '0', '--dry-run', ...selected]), style.width, '  '));
  } else {
    lines.push('Nothing to prune.');
  }
  for (const legacy of inventory.legacyStores) {
    lines.push(...wrapProse(`legacy ${legacy.ref.path}: left beside agent ${legacy.ref.agentId}'s SQLite store, which OpenClaw 8.1+ reads instead; not counted, never pruned (use --store to look at it)`, style.width));
  }
  const reclaimable = report.stores.map((store) => (store.disk ? describeDisk(store.disk) : null)).filter((text) => text !== null);
  if (reclaimable.length > 0) {
    lines.push(...wrapProse(`Disk: ${reclaimable.join('; ')}; to see what clean would remove:`, style.width));
    lines.push(...wrapCommand(toolCommand(['clean', '--dry-run', ...selected]), style.width, '  '));
  }
  if (inventory.openclaw.version) lines.push(`OpenClaw ${inventory.openclaw.version}`);
  return lines;
}

/**
 * The slot line. Narrowed by --agent (or --store inside a known install), it still counts every
 * agent — the cap is gateway-wide — and says so, with the selection's own share.
 */
function describeGatewaySlots(slots: GatewaySlots, summary: ListReport['summary'], capRemoved: boolean): string {
  const sentence = `${describeSlots({ acp: slots }, { capKnown: slots.capKnown, capRemoved })}${unreadStoresClause(slots.unreadStores)}`;
  if (slots.scope === 'selected-stores') return `${sentence}, in this store only (other agents' slots count against the same cap)`;
  if (!slots.narrowed) return sentence;
  // Where the cap was removed (8.1+), "the cap is gateway-wide" contradicted the sentence before it.
  return `${sentence} across all agents${capRemoved ? '' : ' (the cap is gateway-wide)'}; ${summary.acp.slotsHeld} by the selection`;
}

function noStoresMessage(inventory: Inventory): string {
  const looked = [...new Set([...inventory.location.looked, ...inventory.missingStores])];
  return [`No OpenClaw session stores found (state dir ${inventory.location.stateDir}).`, 'Looked at:', ...looked.map((p) => `  ${p}`), 'Use --state-dir, --profile or --store to point at an install.'].join('\n');
}

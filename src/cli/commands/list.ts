/**
 * `openclaw-sessions list`: every session of every agent, its state and why, and what holds
 * the gateway's ACP slots.
 */
import { CliError, EXIT } from '../exit-codes.js';
import { takeInventory, type Inventory, type SessionView } from '../../inventory.js';
import { DEFAULT_PRUNE_GRACE } from '../../defaults.js';
import { formatAgo } from '../../sessions/duration.js';
import { parseDurationFlag, parseKindsFlag, parseStatesFlag } from '../parse.js';
import { matchesFilter, type SessionFilter } from '../../sessions/filter.js';
import { isPrunableByDefault } from '../../sessions/plan.js';
import { describeSlots, summarize } from '../../sessions/summary.js';
import { LIST_SCHEMA_VERSION, sessionReport, type ListReport, type StoreReport } from '../../report/list-report.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import type { CliIo } from '../io.js';
import { renderTable, type Cell } from '../table.js';
import { decideStyle, type TerminalStyle } from '../terminal.js';
import { writeJsonStreaming } from '../json-stream.js';
import { inventoryDisk } from '../../clean/run.js';
import { DEFAULT_ARCHIVE_KEEP_MS } from '../../defaults.js';
import { describeDisk } from '../../clean/summary.js';
import { paintState } from '../paint.js';

export interface ListFlags extends StoreFlags {
  state?: string;
  kind?: string;
  olderThan?: string;
  acp?: boolean;
  terminal?: boolean;
  wide?: boolean;
}

export async function runList(flags: ListFlags, io: CliIo): Promise<number> {
  const filter: SessionFilter = {
    states: flags.state !== undefined ? parseStatesFlag(flags.state) : undefined,
    kinds: flags.kind !== undefined ? parseKindsFlag(flags.kind) : undefined,
    olderThanMs: flags.olderThan !== undefined ? parseDurationFlag(flags.olderThan, '--older-than') : undefined,
    acpOnly: flags.acp,
    terminalOnly: flags.terminal,
  };
  const options = inventoryOptionsFrom(flags, io);
  const inventory = takeInventory(io.env, options);
  if (options.store && inventory.failures.length === 0 && inventory.stores.length === 0) {
    throw new CliError(EXIT.error, `session store not found: ${options.store}`);
  }
  if (inventory.failures.length > 0) {
    // Every broken store is named; the first one's message is the exit reason.
    for (const failure of inventory.failures.slice(1)) io.stderr.write(`openclaw-sessions: ${failure.error.message}\n`);
    throw inventory.failures[0]!.error;
  }

  const report = buildListReport(inventory, filter);
  if (flags.json) {
    writeJsonStreaming(report, 'sessions', (chunk) => io.stdout.write(chunk));
    return EXIT.ok;
  }
  const style = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  io.stdout.write(renderListText(inventory, report, style, flags.wide ?? false));
  return EXIT.ok;
}

export function buildListReport(inventory: Inventory, filter: SessionFilter): ListReport {
  const shown = inventory.sessions.filter((session) => matchesFilter(session, filter)).sort(newestFirst);
  const cap = inventory.config.facts.acp?.maxConcurrentSessions ?? null;
  // The summary speaks of the whole gateway: slots are held whatever the filter shows.
  const summary = summarize(inventory.sessions, cap, isPrunableByDefault);
  const disk = inventoryDisk(inventory, DEFAULT_ARCHIVE_KEEP_MS);
  const counts = new Map<string, number>();
  for (const session of inventory.sessions) counts.set(session.storePath, (counts.get(session.storePath) ?? 0) + 1);
  return {
    schemaVersion: LIST_SCHEMA_VERSION,
    generatedAt: new Date(inventory.now).toISOString(),
    stateDir: inventory.location.stateDir,
    configPath: inventory.config.path,
    openclaw: { version: inventory.openclaw.version, source: inventory.openclaw.source },
    stores: inventory.stores.map((store): StoreReport => ({
      agentId: store.ref.agentId,
      path: store.ref.path,
      format: store.ref.format,
      source: store.ref.source,
      shared: store.ref.shared,
      ...storeVersion(inventory, store.ref.format, store.sqliteUserVersion),
      sessions: counts.get(store.ref.path) ?? 0,
      sizeBytes: store.sizeBytes,
      ...(disk.has(store.ref.path) ? { disk: disk.get(store.ref.path)! } : {}),
    })),
    sessions: shown.map((session) => sessionReport(session, isPrunableByDefault(session))),
    summary,
  };
}

function storeVersion(inventory: Inventory, format: 'json' | 'sqlite', userVersion: number | null): { openclawVersion?: string } {
  if (inventory.openclaw.version) return { openclawVersion: inventory.openclaw.version };
  if (format === 'sqlite') return { openclawVersion: `>=2026.8.1${userVersion !== null ? ` (schema ${userVersion})` : ''}` };
  return {};
}

/** Newest first, then by key; plain code-unit comparison (localeCompare costs 0.3 s at 100k). */
function newestFirst(a: SessionView, b: SessionView): number {
  const byTime = (b.lastActivityAt ?? -Infinity) - (a.lastActivityAt ?? -Infinity);
  if (byTime !== 0) return byTime;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function renderListText(inventory: Inventory, report: ListReport, style: TerminalStyle, wide: boolean): string {
  const { chalk } = style;
  const out: string[] = [];
  if (inventory.stores.length === 0) {
    out.push(noStoresMessage(inventory));
    return `${out.join('\n')}\n`;
  }
  if (report.sessions.length === 0) {
    out.push(report.summary.total === 0 ? 'No sessions in the stores below.' : 'No sessions match the filters.');
  } else {
    const rows: Cell[][] = report.sessions.map((s) => [
      { text: s.agentId },
      { text: s.key },
      { text: s.kind },
      { text: s.state, paint: (t) => paintState(chalk, s.state, t) },
      { text: formatAgo(s.ageMs) },
      { text: s.acp ? [s.acp.backend, s.acp.agent].filter(Boolean).join('/') + (s.acp.mode ? ` ${s.acp.mode}` : '') : '-' },
      { text: s.holdsSlot ? 'yes' : '-' },
      { text: s.reason, paint: s.terminal ? (t) => chalk.dim(t) : undefined },
    ]);
    out.push(
      renderTable(
        [
          { header: 'AGENT', shrink: 'end', minWidth: 8 },
          { header: 'KEY', shrink: 'middle', minWidth: 24, wideKeepsWhole: true },
          { header: 'KIND' },
          { header: 'STATE' },
          { header: 'AGE' },
          { header: 'ACP', shrink: 'end', minWidth: 10 },
          { header: 'SLOT' },
          { header: 'REASON', shrink: 'end', minWidth: 20 },
        ],
        rows,
        style,
        { wide },
      ),
    );
  }
  out.push('');
  out.push(...footer(inventory, report, style));
  return `${out.join('\n')}\n`;
}

function footer(inventory: Inventory, report: ListReport, style: TerminalStyle): string[] {
  const { summary } = report;
  const lines: string[] = [];
  const agents = Object.entries(summary.byAgent)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agent, counts]) => `${agent} ${counts.total}${counts.terminal ? ` (${counts.terminal} terminal)` : ''}`);
  const shown = report.sessions.length === summary.total ? '' : ` (${report.sessions.length} shown)`;
  lines.push(`${summary.total} session${summary.total === 1 ? '' : 's'}${shown} in ${inventory.stores.length} store${inventory.stores.length === 1 ? '' : 's'}: ${agents.join(', ') || 'none'}`);
  const slots = describeSlots(summary);
  const full = summary.acp.cap !== null && summary.acp.slotsHeld >= summary.acp.cap;
  lines.push(full && style.color ? style.chalk.red(slots) : slots);
  if (summary.prunable > 0) {
    lines.push(`${summary.prunable} prunable (terminal and quiet for ${DEFAULT_PRUNE_GRACE}): openclaw-sessions prune --dry-run`);
  } else if (summary.terminal > 0) {
    lines.push(`${summary.terminal} terminal, none quiet for ${DEFAULT_PRUNE_GRACE} yet (openclaw-sessions prune --older-than 0 takes them now)`);
  } else {
    lines.push('Nothing to prune.');
  }
  const reclaimable = report.stores.map((store) => (store.disk ? describeDisk(store.disk) : null)).filter((text) => text !== null);
  if (reclaimable.length > 0) lines.push(`Disk: ${reclaimable.join('; ')}: openclaw-sessions clean --dry-run`);
  if (inventory.openclaw.version) lines.push(`OpenClaw ${inventory.openclaw.version}`);
  return lines;
}

function noStoresMessage(inventory: Inventory): string {
  const looked = [...new Set([...inventory.location.looked, ...inventory.missingStores])];
  return [`No OpenClaw session stores found (state dir ${inventory.location.stateDir}).`, 'Looked at:', ...looked.map((p) => `  ${p}`), 'Use --state-dir, --profile or --store to point at an install.'].join('\n');
}

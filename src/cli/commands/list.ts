/**
 * `openclaw-sessions list`: every session of every agent, its state and why, and what holds
 * the gateway's ACP slots.
 */
import { CliError, EXIT, errorLine } from '../exit-codes.js';
import { takeInventory, type Inventory } from '../../inventory.js';
import { parseDurationFlag, parseKindsFlag, parseStatesFlag } from '../parse.js';
import { matchesFilter, type SessionFilter } from '../../sessions/filter.js';
import { isPrunableByDefault } from '../../sessions/plan.js';
import { summarize } from '../../sessions/summary.js';
import { gatewaySlots, heldForOrphans, heldOnDiskUnknown, type GatewaySlots } from '../../sessions/gateway-slots.js';
import type { ListReport, StoreReport } from '../../report/list-report.js';
import { sessionReport } from '../../report/session-report.js';
import { LIST_SCHEMA_VERSION } from '../../report/versions.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { gatewayFlagsFrom, type GatewayTargetFlags } from '../gateway-options.js';
import { explicitTarget } from '../../gateway/target.js';
import type { GatewayStatus } from '../../gateway/probe.js';
import { terminalProgress, type CliIo } from '../io.js';
import { brokenStoreHints } from '../hints.js';
import { foldStoreErrors, storeErrorLines } from '../store-errors.js';
import { installCommands, printedSelection, selectionArgs, toolCommand, type SelectionFlags } from '../selection.js';
import { writeJsonStreaming } from '../json-stream.js';
import { inventoryDisk } from '../../clean/disk.js';
import { DEFAULT_ARCHIVE_KEEP_MS, LIVE_READ_TIMEOUT_MS } from '../../defaults.js';
import { newestFirstBy } from '../../order.js';
import { startClause } from '../../doctor/no-gateway.js';
import { wrapProse } from '../text.js';
import { silentListenerWho, unansweredGatewayClause } from '../../gateway/unanswered.js';

export interface ListFlags extends StoreFlags, GatewayTargetFlags {
  /** false with --no-rpc: no gateway connection, no live count. */
  rpc?: boolean;
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
  let inventory = takeInventory(io.env, options);
  // Printed commands name the install the environment chose (selection.ts printedSelection).
  const selection = printedSelection(flags, io.env, inventory.location);
  let gateway: GatewayStatus | null = null;
  if (explicitTarget(flags.url, io.env, inventory.config)) {
    // A gateway named by URL: its sessions come from sessions.list, not from local files.
    // The gateway code loads only when a gateway is asked (issue 11: `list --json` never needs it).
    const { remoteInventory } = await import('../../gateway/remote-inventory.js');
    ({ inventory, gateway } = await remoteInventory(inventory, io.env, { ...gatewayFlagsFrom(flags), live: flags.rpc !== false && !flags.json, staleAfterMs: options.staleAfterMs, warn: options.warn }));
  } else if (flags.rpc !== false && !flags.json) {
    const { probeGateway } = await import('../../gateway/probe.js');
    gateway = await probeGateway(inventory.location, inventory.config, io.env, { rpc: true, live: true, liveTimeoutMs: LIVE_READ_TIMEOUT_MS, progress: terminalProgress(io, flags), ...gatewayFlagsFrom(flags), warn: options.warn, commands: installCommands(selection) });
  }
  if (options.store && inventory.failures.length === 0 && inventory.stores.length === 0) {
    throw new CliError(EXIT.error, `session store not found: ${options.store}`);
  }
  if (inventory.failures.length > 0 && inventory.stores.length === 0) {
    // Nothing readable: every broken store is named; the first one's message is the exit reason.
    const [first, ...others] = foldStoreErrors(inventory.failures.map((failure) => failure.error));
    for (const other of others) io.stderr.write(`openclaw-sessions: ${errorLine(other)}\n`);
    throw first!;
  }

  // The readable stores are shown; each broken one gets one line on stderr (then how to act on the
  // rest), and the exit is 1. A gateway named by URL has no local install to count slots across.
  const slots = gatewaySlots(inventory, io.env, gateway?.remote ? { ...options, agent: undefined, store: undefined } : options);
  const report = buildListReport(inventory, filter, slots);
  let width = Number.MAX_SAFE_INTEGER;
  if (flags.json) {
    writeJsonStreaming(report, 'sessions', (chunk) => io.stdout.write(chunk));
  } else {
    // The table and terminal styling load only when a table is printed (issue 11: start-up).
    const [{ decideStyle }, { writeListText }] = await Promise.all([import('../terminal.js'), import('../render/list.js')]);
    const style = await decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
    writeListText(inventory, report, style, flags.wide ?? false, selection, (chunk) => io.stdout.write(chunk));
    width = style.width;
  }
  // Every agent's slots (the selection's share would call the others' handles orphaned), none claimed past an unreadable store.
  if (gateway && !flags.json) io.stdout.write(liveFooter(gateway, heldForOrphans(report.gatewaySlots), report.gatewaySlots.cap, selection, inventory, width));
  for (const line of storeErrorLines(inventory.failures.map((failure) => failure.error))) io.stderr.write(`${line}\n`);
  if (inventory.failures.length > 0) for (const line of brokenStoreHints(inventory, selection, ['list'])) io.stderr.write(`${line}\n`);
  // The table is out; the live read's probe session is deleted now (probe-deletes.ts).
  if (gateway) await (await import('../../gateway/probe-deletes.js')).probeDeletesSettled(terminalProgress(io, flags));
  return inventory.failures.length > 0 ? EXIT.error : EXIT.ok;
}

/** The gateway's own count under the disk-based footer: the truth about slots when it can be read. `heldOnDisk` null: unknown (no orphans claimed). */
export function liveFooter(gateway: GatewayStatus, heldOnDisk: number | null, cap: number | null, selection: SelectionFlags = {}, inventory?: Pick<Inventory, 'sessions' | 'openclaw'>, width = Number.MAX_SAFE_INTEGER): string {
  if (!gateway.running) {
    if (gateway.discovery.health.listening && !gateway.remote) return `${wrapProse(`Live: port ${gateway.port} accepts connections but nothing there answers as a gateway (${silentListenerWho(gateway)}): its ACP count cannot be read`, width).join('\n')}\n`;
    // No gateway at all: the slot line above is the stores', not a count anyone holds now.
    if (gateway.remote || !inventory || heldOnDisk === null || heldOnDisk === 0 || unansweredGatewayClause(gateway) !== null) return '';
    return `${wrapProse(`Live: no gateway runs, so no ACP slot is held now; ${startClause(inventory, cap).text}`, width).join('\n')}\n`;
  }
  const live = gateway.live.activeRuntimeSessions;
  if (live === null) return `Live: a gateway answers at ${gateway.url}, but its ACP count is unreadable (${gateway.live.why})\n`;
  const restart = toolCommand(['prune', '--recompute', 'restart', '--allow-restart', ...selectionArgs(selection)]).join(' ');
  const orphans = !gateway.remote && heldOnDisk !== null && live > heldOnDisk ? `; ${live - heldOnDisk} orphaned (no entry on disk): ${restart}` : '';
  return `Live: the gateway holds ${live} ACP handle${live === 1 ? '' : 's'}${cap === null ? '' : ` of ${cap}`}${orphans}\n`;
}

export function buildListReport(inventory: Inventory, filter: SessionFilter, slots: GatewaySlots): ListReport {
  // Newest first, then by key (order.ts).
  const shown = newestFirstBy(
    inventory.sessions.filter((session) => matchesFilter(session, filter)),
    (session) => session.lastActivityAt,
    (session) => session.key,
  );
  const cap = inventory.config.facts.acp?.maxConcurrentSessions ?? null;
  // The summary speaks of the whole gateway: slots are held whatever the filter shows.
  const summary = summarize(inventory.sessions, cap, isPrunableByDefault, heldOnDiskUnknown(inventory) === null);
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
    legacyStores: inventory.legacyStores.map((legacy) => ({ agentId: legacy.ref.agentId, path: legacy.ref.path, sizeBytes: legacy.sizeBytes })),
    failedStores: inventory.failures.map((failure) => ({ agentId: failure.ref.agentId, path: failure.ref.path, error: failure.error.message })),
    gatewaySlots: slots,
  };
}

function storeVersion(inventory: Inventory, format: 'json' | 'sqlite', userVersion: number | null): { openclawVersion?: string } {
  if (inventory.openclaw.version) return { openclawVersion: inventory.openclaw.version };
  if (format === 'sqlite') return { openclawVersion: `>=2026.8.1${userVersion !== null ? ` (schema ${userVersion})` : ''}` };
  return {};
}

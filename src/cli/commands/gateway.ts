/**
 * `openclaw-sessions gateway`: the running gateway as this tool sees it — how it was found
 * (lock, port, --url), whether its pid is verified, version, port, readiness, its live ACP count
 * against the cap, the slots held on disk, and which recompute methods prune will accept.
 */
import { EXIT } from '../exit-codes.js';
import { takeInventory } from '../../inventory.js';
import { probeGateway, type GatewayStatus } from '../../gateway/probe.js';
import { gatewaySlots, heldForOrphans, unreadStoresClause } from '../../sessions/gateway-slots.js';
import type { GatewayReport } from '../../report/gateway-report.js';
import { GATEWAY_SCHEMA_VERSION } from '../../report/versions.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { gatewayFlagsFrom, type GatewayTargetFlags } from '../gateway-options.js';
import { terminalProgress, type CliIo } from '../io.js';
import { wrapProse } from '../text.js';
import { installCommands, printedSelection } from '../selection.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../../install-commands.js';
import { unansweredGatewayClause } from '../../gateway/unanswered.js';
import { judgeSilentGateway, silentGatewayAdvice, type SilentGateway } from '../../gateway/silent-gateway.js';

export interface GatewayFlags extends StoreFlags, GatewayTargetFlags {
  rpc: boolean;
}

export async function runGateway(flags: GatewayFlags, io: CliIo): Promise<number> {
  const options = inventoryOptionsFrom(flags, io);
  const inventory = takeInventory(io.env, options);
  // Advice names this install's commands (selection.ts printedSelection, install-commands.ts).
  const commands = installCommands(printedSelection(flags, io.env, inventory.location));
  const status = await probeGateway(inventory.location, inventory.config, io.env, { rpc: flags.rpc, live: flags.rpc, progress: terminalProgress(io, flags), ...gatewayFlagsFrom(flags), warn: options.warn, commands });
  // The gateway counts every agent's sessions, whatever --agent narrowed.
  const slots = gatewaySlots(inventory, io.env, options);
  // A gateway named by URL keeps its stores elsewhere: local files say nothing about it.
  const disk = status.remote ? null : { held: slots.slotsHeld, byTerminal: slots.heldByTerminal, unreadStores: slots.unreadStores };
  const report = gatewayReport(status, slots.cap, disk, slots.capKnown, commands);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  // Wrapped to the terminal like doctor's findings (never on a pipe, unless COLUMNS asks).
  const { decideStyle } = await import('../terminal.js');
  const style = await decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: false });
  // 8.1+ (SQLite stores) removed acp.maxConcurrentSessions: "no cap set" would read as advice to set it.
  const capRemoved = inventory.stores.some((store) => store.ref.format === 'sqlite');
  io.stdout.write(`${renderGateway(report, style.width, capRemoved, commands)}\n`);
  // The status is out; the live read's probe session is deleted now (probe-deletes.ts).
  if (flags.rpc) await (await import('../../gateway/probe-deletes.js')).probeDeletesSettled(terminalProgress(io, flags));
  return EXIT.ok;
}

/** The `gateway --json` document; `disk` is null for a gateway named by URL (its stores are elsewhere); `disk.held` null: the ACP state on disk is unreadable, so are the slots held there. */
export function gatewayReport(status: GatewayStatus, cap: number | null, disk: { held: number | null; byTerminal: number | null; unreadStores?: number } | null, capKnown = true, commands: InstallCommands = UNPINNED_COMMANDS): GatewayReport {
  const live = status.live.activeRuntimeSessions;
  const held = disk?.held ?? null;
  const unreadStores = disk?.unreadStores ?? 0;
  // Unknown when the ACP state on disk is unreadable (gateway-slots.ts heldOnDiskUnknown), or a
  // store could not be read (its sessions may hold those very handles: heldForOrphans).
  const heldAll = heldForOrphans({ slotsHeld: held, unreadStores });
  const orphaned = live === null || heldAll === null ? null : Math.max(0, live - heldAll);
  const rpcUsable = status.rpc.ok;
  const unanswered = status.remote ? null : unansweredGatewayClause(status);
  // What prune will accept, no more: without a cross-process store lock (5.2–7.x) or with SQLite
  // (8.1+) the file is never edited while the gateway runs, so a restart (prune, then signal) is refused.
  const fileLocked = status.generation !== 'unlocked-json' && status.generation !== 'sqlite';
  const restart = !status.restart.ok
    ? { available: false as const, why: status.restart.why, fix: status.restart.fix }
    : !fileLocked && status.running
      ? { available: false as const, why: `OpenClaw ${status.version}: its store cannot be edited while the gateway runs, so prune goes through RPC only`, fix: commands.tool(['prune', '--recompute', 'rpc']) }
      : { available: true as const, signal: status.restart.signal, note: status.restart.note };
  return {
    schemaVersion: GATEWAY_SCHEMA_VERSION,
    running: status.running,
    /** The verified gateway pid (the only one ever signalled); null when none is proven. */
    pid: status.gateway?.pid ?? null,
    verified: status.gateway !== null,
    /** How it was found: a verified lock, a direct port probe (pid unknown), or the URL the operator named. */
    route: status.remote ? ('url' as const) : status.gateway ? ('lock' as const) : status.running ? ('port' as const) : null,
    url: status.url,
    port: status.port,
    remote: status.remote,
    lockPath: status.gateway?.lockPath ?? null,
    staleLocks: status.stale.map((s) => ({ lockPath: s.lockPath, pid: s.lock?.pid ?? null, why: s.verdict.ok ? null : s.verdict.detail })),
    version: status.version,
    versionSource: status.versionSource,
    ready: status.ready,
    health: status.discovery.health,
    silentGateway: silentGatewayReport(status.discovery.silentGateway ?? null, commands.openclaw(['gateway', 'restart'])),
    /** Whether the token/password may be (and was) sent there, and why. */
    trusted: { ok: status.discovery.secrets.ok, why: status.discovery.secrets.why },
    configPath: status.configPath,
    noRespawn: status.noRespawn,
    cap,
    capKnown,
    acp: {
      /** The gateway's live handle count (what the cap is checked against); null when unreadable. */
      activeRuntimeSessions: live,
      cap,
      runtimeIdleTtlMs: status.live.report?.runtimeIdleTtlMs ?? null,
      activeTurns: status.live.report?.activeTurns ?? null,
      turnCounts: status.live.report?.turnCounts ?? null,
      errorCodes: status.live.report?.errorCodes ?? null,
      evictedIdleRuntimes: status.live.report?.evictedIdleRuntimes ?? null,
      /** Live handles no entry on disk accounts for: only a restart clears them. */
      orphanedHandles: orphaned,
      why: live === null ? status.live.why : null,
    },
    slotsHeldOnDisk: held,
    slotsHeldByTerminal: held === null ? null : (disk?.byTerminal ?? null),
    unreadStores,
    recompute: {
      rpc: rpcUsable ? { available: true as const } : { available: false as const, why: status.rpc.why },
      restart,
      // prune refuses a file-only removal of ACP entries while a gateway answers (it would orphan their handles).
      none: status.running
        ? { available: false as const, why: 'a gateway answers: ACP entries leave the file only through RPC or a verified restart' }
        : status.remote
          ? { available: false as const, why: 'a gateway named by URL changes only through its RPC' }
          : unanswered
            ? { available: false as const, why: `${unanswered}: a gateway that does not answer may still hold the handles, so ACP entries stay (gateway/unanswered.ts)` }
            : { available: true as const },
    },
  };
}

function silentGatewayReport(silent: SilentGateway | null, restart?: string): GatewayReport['silentGateway'] {
  if (!silent) return null;
  const { clause, fix } = silentGatewayAdvice(silent, restart);
  return { verdict: judgeSilentGateway(silent), waitedMs: Math.round(silent.waitedMs), gatewayCpuMs: silent.gatewayCpuMs, why: clause, fix };
}

/**
 * The report as `Label:     value` lines, each wrapped to `width` cells under its value (the
 * reasons quote lock paths and the gateway's own words, made one line by wrapProse).
 */
function renderGateway(report: GatewayReport, width: number, capRemoved: boolean, commands: InstallCommands): string {
  return gatewayLines(report, capRemoved, commands)
    .flatMap((line) => wrapProse(line, width, ' '.repeat(/^[A-Z][\w ]*:\s+|^\s+\S+\s+/.exec(line)?.[0].length ?? 0)))
    .join('\n');
}

function gatewayLines(report: GatewayReport, capRemoved: boolean, commands: InstallCommands): string[] {
  const lines: string[] = [];
  if (report.verified) {
    lines.push(`Gateway:     pid ${report.pid} (verified: lock owned by its user, start time matches, OpenClaw gateway process, holds port ${report.port})`);
    if (report.silentGateway) lines.push(`Answers:     nothing: ${report.silentGateway.why}; ${report.silentGateway.fix}`);
  } else if (report.running && report.remote) lines.push(`Gateway:     ${report.url} (named by the operator; RPC only, never signalled)`);
  else if (report.running) lines.push(`Gateway:     running on port ${report.port}, pid unknown (no verified lock): RPC only, never signalled`);
  else if (report.health.listening) lines.push(`Gateway:     not answering: ${report.remote ? report.url : `port ${report.port}`} accepts connections, but ${report.health.silent ? 'gave /healthz and /readyz no response within 2 s (a hung gateway, or another program)' : 'no /healthz, /readyz or gateway WebSocket answered (another program, or a hung gateway)'}`);
  else lines.push(`Gateway:     not running (nothing answers ${report.remote ? `at ${report.url}` : `on port ${report.port}`}, no verified lock)`);
  for (const stale of report.staleLocks) lines.push(`Bad lock:    ${stale.lockPath}: ${stale.why} — never signalled`);
  lines.push(`Version:     ${report.version ?? 'unknown'}${report.versionSource ? ` (from ${report.versionSource})` : ''}`);
  const answered = [report.health.healthz && '/healthz', report.health.readyz && '/readyz', report.health.websocket && 'WebSocket'].filter(Boolean).join(', ');
  lines.push(`Address:     ${report.url}${report.running ? ` (answers: ${answered || 'nothing'}${report.ready ? ', ready' : ', not ready'})` : ''}`);
  if (report.running) lines.push(`Trusted:     ${report.trusted.ok ? 'yes' : 'no'} — ${report.trusted.why}`);
  lines.push(`Config:      ${report.configPath}`);
  const cap = report.cap !== null ? `cap ${report.cap}` : !report.capKnown ? 'cap unknown: no OpenClaw config found' : capRemoved ? 'OpenClaw 2026.8.1+ has no ACP session cap' : 'no cap set';
  if (report.acp.activeRuntimeSessions !== null) {
    const extra = [report.acp.turnCounts ? `turns completed=${report.acp.turnCounts.completed} failed=${report.acp.turnCounts.failed}` : null, report.acp.errorCodes && Object.keys(report.acp.errorCodes).length > 0 ? `errors ${Object.entries(report.acp.errorCodes).map(([k, v]) => `${k}=${v}`).join(', ')}` : null, report.acp.runtimeIdleTtlMs !== null ? `idle TTL ${report.acp.runtimeIdleTtlMs === 0 ? 'off' : `${Math.round(report.acp.runtimeIdleTtlMs / 60000)}m`}` : null].filter(Boolean);
    lines.push(`Live ACP:    ${report.acp.activeRuntimeSessions} handle${report.acp.activeRuntimeSessions === 1 ? '' : 's'} held (${cap})${extra.length ? `; ${extra.join('; ')}` : ''}`);
  } else if (report.running) {
    lines.push(`Live ACP:    unknown (${report.acp.why})`);
  }
  if (report.slotsHeldOnDisk !== null) {
    const held = report.cap !== null ? `${report.slotsHeldOnDisk} of ${report.cap} ACP slots` : `${report.slotsHeldOnDisk} ACP slot${report.slotsHeldOnDisk === 1 ? '' : 's'}`;
    lines.push(`On disk:     ${held} held by sessions in the stores, ${report.slotsHeldByTerminal} by terminal sessions${report.cap === null ? ` (${cap})` : ''}${unreadStoresClause(report.unreadStores)}`);
  }
  if (report.acp.orphanedHandles) lines.push(`Orphans:     ${report.acp.orphanedHandles} live handle(s) without an entry on disk: only a restart clears them (${commands.tool(['prune', '--recompute', 'restart', '--allow-restart'])})`);
  if (report.noRespawn) lines.push('Respawn:     OPENCLAW_NO_RESPAWN is set — a restart keeps the same process and the stale count');
  lines.push('Recompute (what prune accepts):');
  const { rpc, restart, none } = report.recompute;
  lines.push(`  rpc      ${rpc.available ? 'available (sessions.delete over the gateway WebSocket)' : `unavailable: ${rpc.why}`}`);
  lines.push(`  restart  ${restart.available ? `available (${restart.signal} to pid ${report.pid}: ${restart.note}; needs --allow-restart)` : `unavailable: ${restart.why}`}`);
  lines.push(`  none     ${none.available ? 'available (no gateway answers: the next start reads the pruned store)' : `unavailable: ${none.why}`}`);
  return lines;
}

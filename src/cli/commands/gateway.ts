/**
 * `openclaw-sessions gateway`: the running gateway as this tool sees it — verified or not,
 * version, port, readiness, the cap and the slots held on disk, and which recompute methods
 * would work.
 */
import { EXIT } from '../exit-codes.js';
import { takeInventory } from '../../inventory.js';
import { probeGateway, type GatewayStatus } from '../../gateway/probe.js';
import { gatewaySlots } from '../../sessions/gateway-slots.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import type { CliIo } from '../io.js';
import { GATEWAY_SCHEMA_VERSION, type GatewayReport } from '../../report/gateway-report.js';

export interface GatewayFlags extends StoreFlags {
  rpc: boolean;
}

export async function runGateway(flags: GatewayFlags, io: CliIo): Promise<number> {
  const options = inventoryOptionsFrom(flags, io);
  const inventory = takeInventory(io.env, options);
  const status = await probeGateway(inventory.location, inventory.config, io.env, { rpc: flags.rpc });
  // The gateway counts every agent's sessions, whatever --agent narrowed.
  const slots = gatewaySlots(inventory, io.env, options);
  const report = gatewayReport(status, slots.cap, slots.slotsHeld, slots.heldByTerminal, slots.capKnown);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${renderGateway(report)}\n`);
  return EXIT.ok;
}

export function gatewayReport(status: GatewayStatus, cap: number | null, slotsHeld: number, heldByTerminal: number, capKnown = true): GatewayReport {
  return {
    schemaVersion: GATEWAY_SCHEMA_VERSION,
    running: status.running,
    pid: status.gateway?.lock.pid ?? null,
    verified: status.gateway?.verdict.ok ?? false,
    lockPath: status.gateway?.lockPath ?? null,
    staleLocks: status.stale.map((s) => ({ lockPath: s.lockPath, pid: s.lock.pid, why: s.verdict.ok ? null : s.verdict.detail })),
    version: status.version,
    versionSource: status.versionSource,
    port: status.port,
    ready: status.ready,
    configPath: status.configPath,
    noRespawn: status.noRespawn,
    cap,
    capKnown,
    slotsHeldOnDisk: slotsHeld,
    slotsHeldByTerminal: heldByTerminal,
    recompute: {
      rpc: status.rpc.ok ? { available: true } : { available: false, why: status.rpc.why },
      restart: status.restart.ok ? { available: true, signal: status.restart.signal } : { available: false, why: status.restart.why },
      none: { available: true },
    },
  };
}

function renderGateway(report: GatewayReport): string {
  const lines: string[] = [];
  if (report.running) {
    lines.push(`Gateway:     pid ${report.pid} (verified: alive, start time matches, openclaw-gateway)`);
  } else {
    lines.push('Gateway:     not running (no verified gateway lock for this config)');
  }
  for (const stale of report.staleLocks) lines.push(`Stale lock:  ${stale.lockPath}: ${stale.why} — never signalled`);
  lines.push(`Version:     ${report.version ?? 'unknown'}${report.versionSource ? ` (from ${report.versionSource})` : ''}`);
  lines.push(`Port:        ${report.port}${report.running ? (report.ready ? ' (ready)' : ' (not ready)') : ''}`);
  lines.push(`Config:      ${report.configPath}`);
  lines.push(`ACP slots:   ${report.slotsHeldOnDisk} held on disk${report.cap !== null ? ` of ${report.cap}` : report.capKnown ? ' (no cap set)' : ' (cap unknown: no OpenClaw config found)'}, ${report.slotsHeldByTerminal} by terminal sessions`);
  if (report.noRespawn) lines.push('Respawn:     OPENCLAW_NO_RESPAWN=1 — a restart keeps the same process and the stale count');
  lines.push('Recompute:');
  const { rpc, restart } = report.recompute;
  lines.push(`  rpc      ${rpc.available ? 'available (sessions.delete over the gateway WebSocket)' : `unavailable: ${rpc.why}`}`);
  lines.push(`  restart  ${restart.available ? `available (${restart.signal} to pid ${report.pid}; needs --allow-restart)` : `unavailable: ${restart.why}`}`);
  lines.push('  none     always (prune the file only; the running gateway keeps counting until it restarts)');
  return lines.join('\n');
}

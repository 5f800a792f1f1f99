/**
 * One metrics collection of an install: read the stores (never write them, never take the
 * gateway's store lock — inventory only reads), select what a default prune would take (the
 * planner's own selector, so the gauge follows its rules), find the running gateway and read its
 * live ACP count through the tool's one reader of it (gateway/probe.ts → gateway/live-acp.ts:
 * `/acp doctor` in a session of the tool's own), and the last prune's recorded outcome.
 */
import { statSync } from 'node:fs';
import { probeGateway, type GatewayStatus } from '../gateway/probe.js';
import { judgeSilentGateway } from '../gateway/silent-gateway.js';
import { takeInventory, type InventoryOptions } from '../inventory.js';
import { METRICS_PROBE_DELETE_TIMEOUT_MS } from '../defaults.js';
import { readPruneStatus } from '../prune/run-status.js';
import { makePruneSelector } from '../sessions/plan.js';
import type { Env } from '../env.js';
import type { LiveCount, MetricsInput, MetricsStore } from './families.js';

export interface CollectOptions extends InventoryOptions {
  /** Read the live count over the gateway's RPC (creates the tool's device identity once). */
  rpc: boolean;
  /** How long the live read may take: the first `/acp doctor` after a gateway start took 15–76 s (docs/openclaw-first-read.md). */
  liveTimeoutMs: number;
  toolVersion: string;
}

export async function collectMetrics(env: Env, options: CollectOptions): Promise<MetricsInput> {
  const started = performance.now();
  const inventory = takeInventory(env, options);
  // The planner's selector with prune's defaults: the set `prune` with no filters would plan
  // (planPrune keeps exactly what this selects; building its items would cost ~2 s at 100k).
  const selectDefault = makePruneSelector({});
  const prunable = inventory.sessions.filter((s) => selectDefault(s));
  const stores: MetricsStore[] = [
    ...inventory.stores.map((s) => ({ agentId: s.ref.agentId, path: s.ref.path, readable: true, sizeBytes: s.sizeBytes })),
    ...inventory.failures.map((f) => ({ agentId: f.ref.agentId, path: f.ref.path, readable: false, sizeBytes: sizeOf(f.ref.path) })),
  ];
  // No `warn`: a secret of root's withheld from the gateway (root-secrets.ts) is a series, not a
  // line mailed by root's cron every minute.
  const gateway = await probeGateway(inventory.location, inventory.config, env, { rpc: options.rpc, live: options.rpc, liveTimeoutMs: options.liveTimeoutMs, deleteTimeoutMs: METRICS_PROBE_DELETE_TIMEOUT_MS });
  const up = gateway.running && gateway.ready;
  return {
    sessions: inventory.sessions,
    prunable,
    stores,
    cap: inventory.config.facts.acp?.maxConcurrentSessions ?? null,
    acpStateReadable: inventory.acpState.source === 'unreadable' ? false : inventory.acpState.source === 'state-db' ? true : null,
    gateway: { up, version: up ? gateway.version : null, silent: gateway.discovery.silentGateway ? judgeSilentGateway(gateway.discovery.silentGateway) : null },
    live: liveOf(gateway, up && options.rpc),
    withheldSecrets: gateway.withheld.map((secret) => secret.name),
    lastPrune: readPruneStatus(inventory.location.stateDir),
    toolVersion: options.toolVersion,
    collectSeconds: (performance.now() - started) / 1000,
  };
}

/** The probe's live reading as the metric sees it: a count, why there is none, or not tried. */
function liveOf(gateway: GatewayStatus, tried: boolean): LiveCount | null {
  if (gateway.live.activeRuntimeSessions !== null) return { ok: true, activeRuntimeSessions: gateway.live.activeRuntimeSessions };
  return tried ? { ok: false, why: gateway.live.why ?? 'not read' } : null;
}

function sizeOf(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

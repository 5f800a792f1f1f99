/**
 * One metrics collection of an install: read the stores (never write them, never take the
 * gateway's store lock — inventory only reads), plan what a default prune would take (the same
 * planner prune uses, so the gauge follows its rules), look for the running gateway, read its
 * live ACP count through the one reader the tool has, and the last prune's recorded outcome.
 */
import { statSync } from 'node:fs';
import { probeGateway, type GatewayStatus } from '../gateway/probe.js';
import { takeInventory, type Inventory, type InventoryOptions } from '../inventory.js';
import { readPruneStatus } from '../prune/run-status.js';
import { makePruneSelector } from '../sessions/plan.js';
import type { Env } from '../env.js';
import type { LiveCount, MetricsInput, MetricsStore } from './families.js';

export interface CollectOptions extends InventoryOptions {
  /** Read the live count over the gateway's RPC (creates the tool's device identity once). */
  rpc: boolean;
  toolVersion: string;
}

/** Reads the gateway's live `activeRuntimeSessions`; the command wires the product's reader. */
export type LiveCountReader = (inventory: Inventory, gateway: GatewayStatus, env: Env) => Promise<LiveCount>;

export async function collectMetrics(env: Env, options: CollectOptions, readLiveCount: LiveCountReader): Promise<MetricsInput> {
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
  // No RPC here: the live-count reader makes the one connection this run needs.
  const gateway = await probeGateway(inventory.location, inventory.config, env, { rpc: false });
  const up = gateway.running && gateway.ready;
  const live = up && options.rpc ? await readLiveCount(inventory, gateway, env) : null;
  return {
    sessions: inventory.sessions,
    prunable,
    stores,
    cap: inventory.config.facts.acp?.maxConcurrentSessions ?? null,
    gateway: { up, version: up ? gateway.version : null },
    live,
    lastPrune: readPruneStatus(inventory.location.stateDir),
    toolVersion: options.toolVersion,
    collectSeconds: (performance.now() - started) / 1000,
  };
}

function sizeOf(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

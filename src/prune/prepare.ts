/**
 * The prune use-case, in the order a command runs it:
 *
 *   preparePrune   (here) discover, read, classify, plan; probe the gateway (only when there is
 *                  something to prune and it is not a dry run)
 *   choosePruneRoute  (execute.ts) how the removals reach the gateway (RPC or file), refusing
 *                  what cannot be done safely — everything that can refuse happens before anyone
 *                  is asked
 *   executePrune   (execute.ts) under the run lock: RPC deletes, then journalled file edits under
 *                  the gateway's lock, then the recompute; returns a plain PruneReport
 *
 * Apart so that a dry run loads none of the execute stage (locks, journal, edits, RPC, node:crypto;
 * issue 11). The confirmation question and all output live in cli/commands/prune.ts.
 */
import type { Env } from '../env.js';
import { ToolError } from '../errors.js';
import { explicitTarget } from '../gateway/target.js';
import type { GatewayStatus } from '../gateway/probe.js';
import type { ProgressLine } from '../gateway/probe-deletes.js';
import type { InstallCommands } from '../install-commands.js';
import type { StateLocation } from '../store/paths.js';
import { takeInventory, type Inventory, type InventoryOptions } from '../inventory.js';
import { refusedStores } from '../store/store-safety.js';
import type { RecomputeRequest } from '../recompute/choose.js';
import { planCandidates, type PlanCandidate, type PruneCriteria, type PrunePlan } from '../sessions/plan.js';

export interface PruneRequest {
  inventory: InventoryOptions;
  /** Store path given explicitly (`--store`): it must exist. */
  explicitStore?: string;
  criteria: PruneCriteria;
  recompute: RecomputeRequest;
  dryRun: boolean;
  /**
   * `--url`, `--token`, `--password`: the gateway to talk to, and its secret; `progress`: where a
   * slow live read says what it waits for (a terminal's stderr); `warn`: where the line about a
   * secret of root's withheld from the gateway goes (none with --quiet: gateway/root-secrets.ts);
   * `commandsFor`: the commands advice names, for the install the inventory found (install-commands.ts).
   */
  gateway?: { url?: string; token?: string; password?: string; progress?: ProgressLine; warn?: (line: string) => void; commandsFor?: (location: StateLocation) => InstallCommands };
}

export interface PreparedPrune {
  inventory: Inventory;
  plan: PrunePlan;
  /** Probed (with its live count) when a real run has something to prune or a restart was asked for; null otherwise. */
  gateway: GatewayStatus | null;
  /** The gateway was named by URL: sessions came from its RPC and leave only through it. */
  remote: boolean;
}

/** No selected store could be read: there is nothing to act on. */
export class StoresUnreadableError extends ToolError {
  /** One per store, in discovery order; the message is the first's. */
  readonly errors: Error[];
  /** What was read, healthy stores included (so cli/ can say how to act on those). */
  readonly inventory: Inventory | undefined;
  constructor(errors: Error[], inventory?: Inventory) {
    super(errors[0] instanceof ToolError ? errors[0].kind : 'failed', errors[0]?.message ?? 'a store could not be read', { cause: errors[0] });
    this.name = 'StoresUnreadableError';
    this.errors = errors;
    this.inventory = inventory;
  }
}

/**
 * Reads every selected store and plans. A store that cannot be read is left out of the plan and
 * untouched (`inventory.failures` names it; the command exits 1 at the end): one broken agent
 * store must not keep every other agent stuck. Throws StoresUnreadableError when no store could
 * be read at all.
 */
export async function preparePrune(request: PruneRequest, env: Env): Promise<PreparedPrune> {
  // A dry run edits nothing: no digest of the bytes, no fingerprints, and none of the code (or
  // node:crypto, ~3 ms to load) that computes them (issue 11: start-up).
  const hash = request.dryRun ? undefined : (await import('../store/edit-store.js')).newStoreHash;
  let inventory = takeInventory(env, { ...request.inventory, retainDocuments: true, hash });
  let gateway: GatewayStatus | null = null;
  const remote = explicitTarget(request.gateway?.url, env, inventory.config) !== null;
  if (remote) {
    // A gateway named by URL: its sessions are listed and deleted through its RPC, never as files.
    if (request.explicitStore) throw new ToolError('usage', 'a store file and a gateway URL were both given: a gateway named by URL is pruned only through its RPC');
    const { remoteInventory } = await import('../gateway/remote-inventory.js');
    ({ inventory, gateway } = await remoteInventory(inventory, env, { ...request.gateway, live: !request.dryRun, staleAfterMs: request.inventory.staleAfterMs }));
  }
  if (inventory.failures.length > 0 && inventory.stores.length === 0) throw new StoresUnreadableError(inventory.failures.map((failure) => failure.error), inventory);
  if (request.explicitStore && inventory.stores.length === 0) throw new ToolError('failed', `session store not found: ${request.explicitStore}`);
  const fingerprint = request.dryRun ? null : (await import('../sessions/plan-prune.js')).fingerprintOf;
  const plan = planCandidates(candidatesOf(inventory), request.criteria, fingerprint);
  // The RPC hello is also how the version (and so the restart signal) is known for sure; the
  // live count is read now so that what the run frees is measured, not assumed.
  const needed = !request.dryRun && (plan.items.length > 0 || request.recompute === 'restart');
  if (!gateway && needed) {
    const { commandsFor, ...target } = request.gateway ?? {};
    gateway = await (await import('../gateway/probe.js')).probeGateway(inventory.location, inventory.config, env, { rpc: true, live: true, ...target, commands: commandsFor?.(inventory.location) });
  }
  return { inventory, plan, gateway, remote };
}

/** Why an orphan restart would not run, or null when it may (checked before anyone is asked). */
export interface OrphanRestartPlan {
  gateway: GatewayStatus;
  /** Live handles, and those held by sessions on disk. */
  live: number | null;
  held: number;
  /** True when there is nothing orphaned to clear (the run ends without a restart). */
  nothingToDo: boolean;
}

/**
 * `prune --recompute restart --allow-restart` with nothing left to prune: orphaned handles
 * (entries gone, handles still counted) are cleared only by a restart that replaces the
 * process. Refuses (ToolError) what cannot be done; says when nothing is orphaned.
 */
export function planOrphanRestart(prepared: PreparedPrune, allowRestart: boolean): OrphanRestartPlan | null {
  const gateway = prepared.gateway;
  if (!gateway || !gateway.running) return null;
  if (!gateway.restart.ok) throw new ToolError('not-recomputed', `--recompute restart: ${gateway.restart.why}; nothing was changed (fix: ${gateway.restart.fix})`);
  if (!allowRestart) throw new ToolError('usage', 'a restart drops running chats: pass --allow-restart to confirm it; nothing was changed');
  const held = prepared.inventory.sessions.filter((session) => session.holdsSlot).length;
  const live = gateway.live.activeRuntimeSessions;
  return { gateway, live, held, nothingToDo: live !== null && live <= held };
}

/** The probed gateway of a prune that may change something; throws (a bug) for a dry run's or an empty plan's, which probe none. */
export function gatewayOf(prepared: PreparedPrune): GatewayStatus {
  if (!prepared.gateway) throw new Error('internal: the gateway was not probed (dry run or empty plan)');
  return prepared.gateway;
}

/** Each session with its entry as read (`raw`): what the plan's fingerprints are taken of. */
function candidatesOf(inventory: Inventory): PlanCandidate[] {
  const documents = new Map(inventory.stores.map((store) => [store.ref.path, store.document]));
  return inventory.sessions.map((session) => ({ ...session, raw: documents.get(session.storePath)?.[session.key] ?? null }));
}

/**
 * The planned JSON stores a real run would refuse to rewrite (store-safety.ts: a symlink, a file
 * or directory others may write), each refusal once, for a dry run to say so before the operator
 * runs the command it prints (helper-28: it promised a run that was then refused). A real run
 * refuses as a whole when one of the stores it would write is among these (execute.ts
 * choosePruneRoute); SQLite stores are left out here, their sessions go through the gateway.
 */
export function refusedJsonStores(prepared: PreparedPrune): ToolError[] {
  const refs = prepared.inventory.stores.map((store) => store.ref).filter((ref) => ref.format === 'json' && prepared.plan.byStore.has(ref.path));
  return [...refusedStores(refs).values()];
}

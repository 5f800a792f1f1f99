/**
 * The ACP slot count that means what it says. `acp.maxConcurrentSessions` is one number for the
 * whole gateway: the handle map it is checked against holds every agent's ACP sessions (docs/openclaw.md §1),
 * so a list narrowed by `--agent` must still count every agent's store before it speaks of the cap.
 * With `--store` alone the install is unknown unless a config was found; then so is the cap.
 */
import { takeInventory, type Inventory, type InventoryOptions } from '../inventory.js';
import type { Env } from '../store/paths.js';
import type { GatewaySlots } from '../report/parts.js';
import { summarize } from './summary.js';

export type { GatewaySlots };


/**
 * Why the slots held on disk cannot be set against the gateway's live count, or null: with the
 * ACP state unreadable (7.x+ keeps it in state/openclaw.sqlite; Node < 22.13 cannot read it) the
 * ACP sessions are "unknown" and hold no slot on disk, so every live handle would look orphaned.
 * Observed (helper-17, 7.35 gateway, tool on Node 20): list, doctor and gateway all called 2 live
 * handles of 2 failed sessions on disk "orphaned (no entry on disk)" and advised a restart.
 */
export function heldOnDiskUnknown(inventory: Pick<Inventory, 'acpState'>): string | null {
  return inventory.acpState.source === 'unreadable' ? `the ACP state in ${inventory.acpState.path} is unreadable` : null;
}

/**
 * The slots every agent's stores hold (the cap is gateway-wide), reading the other agents' stores
 * only when the selection left some out. `unreadStores` counts the stores of that set that could
 * not be read: their slots are not in `slotsHeld`, which is then only what the readable ones hold
 * (helper-28: `list --agent coder` said "1 of 3 held", exit 0, beside an unparsable store of
 * main's holding the other 2).
 */
export function gatewaySlots(inventory: Inventory, env: Env, options: InventoryOptions): GatewaySlots {
  const capKnown = inventory.config.path !== null;
  const cap = inventory.config.facts.acp?.maxConcurrentSessions ?? null;
  const narrowed = Boolean(options.agent || options.store);
  let sessions = inventory.sessions;
  const unread = new Set(inventory.failures.map((failure) => failure.ref.path));
  let scope: GatewaySlots['scope'] = 'all-agents';
  if (narrowed && options.store && !capKnown) {
    scope = 'selected-stores';
  } else if (narrowed) {
    const all = takeInventory(env, { ...options, agent: undefined, store: undefined, retainDocuments: false });
    // A store given by path that the install does not list still counts: it is what was asked about.
    const seen = new Set(all.sessions.map((s) => `${s.storePath}\0${s.key}`));
    sessions = [...all.sessions, ...inventory.sessions.filter((s) => !seen.has(`${s.storePath}\0${s.key}`))];
    for (const failure of all.failures) unread.add(failure.ref.path);
  }
  // Unreadable ACP state: every count of slots held is null, never a false 0 (list --json schema 3).
  const acp = summarize(sessions, cap, () => false, heldOnDiskUnknown(inventory) === null).acp;
  return { scope, narrowed, capKnown, cap, slotsHeld: acp.slotsHeld, heldByState: acp.heldByState, heldByTerminal: acp.heldByTerminal, unreadStores: unread.size };
}

/**
 * The slots on disk a live count may be set against to call handles orphaned: null (no orphan
 * claimed) when the count is unknown or left out a store that could not be read, whose sessions
 * may hold exactly those handles.
 */
export function heldForOrphans(slots: Pick<GatewaySlots, 'slotsHeld' | 'unreadStores'>): number | null {
  return slots.unreadStores > 0 ? null : slots.slotsHeld;
}

/** `… (in the readable stores; N could not be read)` after a slot count that left stores out, else ''. */
export function unreadStoresClause(unreadStores: number): string {
  return unreadStores > 0 ? ` (in the readable stores; ${unreadStores} could not be read)` : '';
}

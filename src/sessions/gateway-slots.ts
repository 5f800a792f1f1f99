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

/** Reads the other agents' stores only when the selection left some out. */
export function gatewaySlots(inventory: Inventory, env: Env, options: InventoryOptions): GatewaySlots {
  const capKnown = inventory.config.path !== null;
  const cap = inventory.config.facts.acp?.maxConcurrentSessions ?? null;
  const narrowed = Boolean(options.agent || options.store);
  let sessions = inventory.sessions;
  let scope: GatewaySlots['scope'] = 'all-agents';
  if (narrowed && options.store && !capKnown) {
    scope = 'selected-stores';
  } else if (narrowed) {
    const all = takeInventory(env, { ...options, agent: undefined, store: undefined, retainDocuments: false });
    // A store given by path that the install does not list still counts: it is what was asked about.
    const seen = new Set(all.sessions.map((s) => `${s.storePath}\0${s.key}`));
    sessions = [...all.sessions, ...inventory.sessions.filter((s) => !seen.has(`${s.storePath}\0${s.key}`))];
  }
  // Unreadable ACP state: every count of slots held is null, never a false 0 (list --json schema 3).
  const acp = summarize(sessions, cap, () => false, heldOnDiskUnknown(inventory) === null).acp;
  return { scope, narrowed, capKnown, cap, slotsHeld: acp.slotsHeld, heldByState: acp.heldByState, heldByTerminal: acp.heldByTerminal };
}

/**
 * "What now?" lines that name a command: when a store is broken the whole run refuses, so the
 * operator is shown how to act on each healthy store alone, with the selection flags in use.
 */
import type { Inventory } from '../inventory.js';
import { selectionArgs, selectionForStore, toolCommand, type SelectionFlags } from './selection.js';

/** One command per healthy store, or nothing when no store is healthy. `args` is the command and its own flags. */
export function brokenStoreHints(inventory: Inventory, flags: SelectionFlags, args: readonly string[]): string[] {
  if (inventory.failures.length === 0 || inventory.stores.length === 0) return [];
  const perAgent = new Map<string, number>();
  for (const ref of [...inventory.stores.map((s) => s.ref), ...inventory.failures.map((f) => f.ref)]) perAgent.set(ref.agentId, (perAgent.get(ref.agentId) ?? 0) + 1);
  const broken = inventory.failures.length === 1 ? 'a store is broken' : `${inventory.failures.length} stores are broken`;
  return [
    `openclaw-sessions: ${broken}; to act on the ${inventory.stores.length === 1 ? 'healthy one' : 'healthy ones'} meanwhile:`,
    ...inventory.stores.map((store) => `  ${toolCommand([...args, ...selectionArgs(selectionForStore(flags, store.ref.agentId, store.ref.path, perAgent.get(store.ref.agentId) ?? 1))]).join(' ')}`),
  ];
}

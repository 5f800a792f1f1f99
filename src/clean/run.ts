/**
 * The `clean` use-case: prepare (read every store, scan, plan; everything that can refuse) and
 * execute (under this tool's run lock; each file re-checked) — rendering is the CLI's.
 *
 * Disk facts rely on openclaw 2026.4.2 naming (docs/openclaw-disk.md): `.deleted.`/`.reset.`
 * archives with an ISO timestamp, `<store>.<uuid>.tmp` temp files, `<sessionId>.jsonl`
 * transcripts with `<transcript>.lock` held by a running turn.
 */
import path from 'node:path';
import type { Env } from '../env.js';
import { takeInventory, type Inventory, type InventoryOptions, type LoadedStore } from '../inventory.js';
import { journalPathFor } from '../store/journal-path.js';
import { acquireToolLocks } from '../store/tool-lock.js';
import { transcriptPathFor } from '../store/transcripts.js';
import { executeCleanActions, type CleanOutcome } from './execute.js';
import { planStoreClean, type StoreCleanPlan } from './plan.js';
import { collectReferences, scanStoreDisk, type TranscriptReferences } from './scan.js';
import { whyNotCleanable } from './disk.js';
import { archivesUndoNeeds } from './undo-archives.js';
import type { InstallCommands } from '../install-commands.js';
import type { StateLocation } from '../store/paths.js';

export interface CleanOptions extends InventoryOptions {
  keepMs: number;
  /** The commands advice names, for the install the inventory found (install-commands.ts). */
  commandsFor?: (location: StateLocation) => InstallCommands;
}

/** A store clean will not act on, and why (it is still reported). */
export interface CleanSkippedStore {
  storePath: string;
  why: string;
}

export interface PreparedClean {
  inventory: Inventory;
  plans: StoreCleanPlan[];
  skippedStores: CleanSkippedStore[];
  /** False when some store of the install could not be read: orphans cannot be told apart then. */
  referencesComplete: boolean;
  now: number;
}

/**
 * Reads the selected stores and every store of the install (references to transcripts may come
 * from any of them: a literal `session.store` is shared by all agents), scans each selected JSON
 * store's directory and plans. Orphan transcripts are planned only when every store was readable.
 */
export function prepareClean(env: Env, options: CleanOptions): PreparedClean {
  const now = options.now ?? Date.now();
  const inventory = takeInventory(env, { ...options, now, retainDocuments: true });
  const everyStore = options.agent || options.store ? takeInventory(env, { ...options, agent: undefined, store: undefined, now, retainDocuments: true }) : inventory;
  const referencesComplete = everyStore.failures.length === 0 && inventory.failures.length === 0;
  const references = referencesOf([...everyStore.stores, ...inventory.stores]);
  const skippedStores: CleanSkippedStore[] = inventory.failures.map((failure) => ({ storePath: failure.ref.path, why: `unreadable: ${failure.error.message}` }));
  const plans: StoreCleanPlan[] = [];
  for (const store of inventory.stores) {
    const why = whyNotCleanable(store, options.commandsFor?.(inventory.location));
    if (why) {
      skippedStores.push({ storePath: store.ref.path, why });
      continue;
    }
    const scan = scanStoreDisk({
      storePath: store.ref.path,
      journalPath: journalPathFor(store.ref.path),
      references,
      entries: entriesOf(store),
      now,
    });
    if (!referencesComplete) scan.orphans = [];
    plans.push(planStoreClean(scan, { keepMs: options.keepMs, now, undoNeeds: archivesUndoNeeds(store.ref.path) }));
  }
  return { inventory, plans, skippedStores, referencesComplete, now };
}

export interface CleanStoreResult {
  storePath: string;
  outcomes: CleanOutcome[];
}

export interface ExecuteCleanInput {
  env: Env;
  options: CleanOptions;
  prepared: PreparedClean;
  lockTimeoutMs: number;
  onOutcome?: (storePath: string, outcome: CleanOutcome) => void;
}

/**
 * Takes the run locks of the stores with work, re-reads every store for fresh references (an
 * entry written since planning keeps its transcript), then applies each store's actions.
 * Throws the lock error when a run lock cannot be had (nothing was touched then).
 */
export async function executeClean(input: ExecuteCleanInput): Promise<CleanStoreResult[]> {
  const withWork = input.prepared.plans.filter((plan) => plan.actions.length > 0);
  if (withWork.length === 0) return [];
  const release = await acquireToolLocks(
    withWork.map((plan) => plan.scan.storePath),
    { timeoutMs: input.lockTimeoutMs },
  );
  try {
    const fresh = takeInventory(input.env, { ...input.options, agent: undefined, store: undefined, retainDocuments: true });
    const selected = input.options.store ? takeInventory(input.env, { ...input.options, retainDocuments: true }).stores : [];
    const references = referencesOf([...fresh.stores, ...selected]);
    const complete = fresh.failures.length === 0;
    const now = new Date();
    return withWork.map((plan) => {
      const actions = complete ? plan.actions : plan.actions.filter((action) => action.type !== 'archive-orphan');
      const outcomes = executeCleanActions(actions, { references, now, onOutcome: (outcome) => input.onOutcome?.(plan.scan.storePath, outcome) });
      return { storePath: plan.scan.storePath, outcomes };
    });
  } finally {
    await release();
  }
}

function referencesOf(stores: readonly LoadedStore[]): TranscriptReferences {
  return collectReferences(stores.filter((store) => store.document !== null).map((store) => ({ storePath: store.ref.path, document: store.document! })));
}

function entriesOf(store: LoadedStore): Array<{ key: string; transcript: string | null }> {
  const dir = path.dirname(store.ref.path);
  const out: Array<{ key: string; transcript: string | null }> = [];
  for (const [key, raw] of Object.entries(store.document ?? {})) {
    const entry = raw as { sessionId?: unknown; sessionFile?: unknown } | null;
    if (!entry || typeof entry.sessionId !== 'string') continue;
    out.push({ key, transcript: transcriptPathFor(dir, { sessionId: entry.sessionId, sessionFile: typeof entry.sessionFile === 'string' ? entry.sessionFile : null }) });
  }
  return out;
}

/**
 * Only JSON stores of OpenClaw 4.x–7.x are cleaned. On 8.1+ the agent's SQLite database owns the
 * sessions (a sessions.json beside it is a leftover whose references are not the truth), and
 * OpenClaw's own `openclaw sessions cleanup` is the tool there.
 */

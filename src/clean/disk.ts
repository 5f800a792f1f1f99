/**
 * A store's disk use, read-only: what `list` and `doctor` show and `clean` would reclaim. Apart
 * from the clean use-case (run.ts) so that reading it loads neither the run lock nor the actions.
 *
 * Disk facts rely on openclaw 2026.4.2 naming (docs/openclaw-disk.md).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Inventory, LoadedStore } from '../inventory.js';
import { journalPathFor } from '../store/journal-path.js';
import { resolvePath } from '../store/resolve-path.js';
import { transcriptPathFor } from '../store/transcripts.js';
import { planStoreClean } from './plan.js';
import { scanStoreDisk, type TranscriptReferences } from './scan.js';
import { summarizeDisk, type DiskSummary } from './summary.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';

/** Why `clean` leaves a store's directory alone; null when it may clean it. `commands`: this install's, for the advice. */
export function whyNotCleanable(store: LoadedStore, commands: InstallCommands = UNPINNED_COMMANDS): string | null {
  if (store.ref.format !== 'json') return `an OpenClaw 8.1+ SQLite store: use \`${commands.openclaw(['sessions', 'cleanup'])}\``;
  const agentDir = path.dirname(path.dirname(path.resolve(store.ref.path)));
  if (existsSync(path.join(agentDir, 'agent', 'openclaw-agent.sqlite'))) return 'a leftover beside an OpenClaw 8.1+ SQLite store: its transcripts belong to the database';
  return null;
}

/**
 * Disk summaries of an inventory's JSON stores for `list` and `doctor` (read-only). References
 * come from the inventory's entries, so this needs no second read of the stores; when a store
 * failed to read, orphans are not counted (they cannot be told apart).
 */
export function inventoryDisk(inventory: Inventory, keepMs: number): Map<string, DiskSummary> {
  const sessionIds = new Set<string>();
  const files = new Set<string>();
  // One path.dirname per store, not per session (it walks the path character by character).
  const dirs = new Map<string, string>();
  for (const session of inventory.sessions) {
    if (!session.entry) continue;
    sessionIds.add(session.entry.sessionId);
    if (typeof session.entry.sessionFile !== 'string') continue;
    // The transcript the view resolved from this sessionFile is this very path (transcripts.ts).
    if (session.entry.sessionFile && typeof session.transcriptPath === 'string') {
      files.add(session.transcriptPath);
      continue;
    }
    let dir = dirs.get(session.storePath);
    if (dir === undefined) dirs.set(session.storePath, (dir = path.dirname(session.storePath)));
    files.add(resolvePath(dir, session.entry.sessionFile));
  }
  const references: TranscriptReferences = { sessionIds, files };
  const complete = inventory.failures.length === 0 && inventory.sessions.every((session) => session.entry !== null);
  const out = new Map<string, DiskSummary>();
  for (const store of inventory.stores) {
    if (whyNotCleanable(store)) continue;
    const dir = path.dirname(store.ref.path);
    const entries: Array<{ key: string; transcript: string | null }> = [];
    for (const session of inventory.sessions) {
      if (session.storePath !== store.ref.path || !session.entry) continue;
      entries.push({ key: session.key, transcript: session.transcriptPath !== undefined ? session.transcriptPath : transcriptPathFor(dir, session.entry) });
    }
    try {
      const scan = scanStoreDisk({ storePath: store.ref.path, journalPath: journalPathFor(store.ref.path), references, entries, now: inventory.now });
      if (!complete) scan.orphans = [];
      out.set(store.ref.path, summarizeDisk(planStoreClean(scan, { keepMs, now: inventory.now })));
    } catch {
      // An unreadable directory: the store's own read already reported what is wrong with it.
    }
  }
  return out;
}

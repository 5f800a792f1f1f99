/**
 * Carries out a prune plan, store by store: journal first, then the locked edit that removes
 * exactly the planned entries still unchanged, then (outside the lock) transcript archiving.
 */
import { archiveTranscripts, type TranscriptMove } from '../store/archive-transcripts.js';
import type { Snapshot, StoreEditTiming } from '../store/edit-store.js';
import { appendJournal, journalPathFor } from '../store/journal.js';
import type { LockedWriter } from '../store/locked-write.js';
import type { PrunePlan, PrunePlanItem } from '../sessions/plan.js';

export interface ApplyOptions {
  runId: string;
  toolVersion: string;
  journal: boolean;
  keepTranscripts: boolean;
  /** The bytes and document each store was planned from: saves a second read and parse. */
  snapshots?: ReadonlyMap<string, Snapshot>;
  /** Writes under the run lock and the gateway's lock (store/locked-write.ts). */
  writer: LockedWriter;
  now?: () => Date;
}

export interface SkippedItem {
  agentId: string;
  key: string;
  storePath: string;
  why: string;
}

export interface StoreApplyResult {
  agentId: string;
  path: string;
  before: number;
  after: number;
  removed: PrunePlanItem[];
  skipped: SkippedItem[];
  timing: StoreEditTiming;
  journalPath: string | null;
  transcripts: TranscriptMove[];
  transcriptFailures: Array<{ path: string; error: string }>;
}

export async function applyPrunePlan(plan: PrunePlan, options: ApplyOptions): Promise<StoreApplyResult[]> {
  const now = options.now ?? (() => new Date());
  const results: StoreApplyResult[] = [];
  for (const [storePath, items] of plan.byStore) {
    results.push(await applyToStore(storePath, items, options, now));
  }
  return results;
}

async function applyToStore(storePath: string, items: PrunePlanItem[], options: ApplyOptions, now: () => Date): Promise<StoreApplyResult> {
  const journalPath = options.journal ? journalPathFor(storePath) : null;
  if (journalPath) {
    appendJournal(journalPath, {
      type: 'prune',
      runId: options.runId,
      at: now().toISOString(),
      toolVersion: options.toolVersion,
      storePath,
      entries: Object.fromEntries(items.map((item) => [item.key, item.raw])),
      states: Object.fromEntries(items.map((item) => [item.key, item.state])),
    });
  }

  const outcome = await options.writer.edit(
    storePath,
    (document) => {
      const removed: PrunePlanItem[] = [];
      const skipped: SkippedItem[] = [];
      for (const item of items) {
        if (!Object.hasOwn(document, item.key)) {
          skipped.push({ agentId: item.agentId, key: item.key, storePath, why: 'already gone' });
        } else if (JSON.stringify(document[item.key]) !== item.fingerprint) {
          // Touched since planning (a turn started, the gateway wrote it): not what was shown.
          skipped.push({ agentId: item.agentId, key: item.key, storePath, why: 'changed since planning' });
        } else {
          delete document[item.key];
          removed.push(item);
        }
      }
      // sessionIds still in use decide which transcripts may be archived; computed here
      // because only here is the document current.
      const remainingIds = removed.length > 0 && !options.keepTranscripts ? sessionIdsOf(document) : new Set<string>();
      return { result: { removed, skipped, remainingIds }, changed: removed.length > 0 };
    },
    { snapshot: options.snapshots?.get(storePath) },
  );
  const { removed, skipped, remainingIds } = outcome.result;

  if (journalPath && removed.length > 0) {
    appendJournal(journalPath, { type: 'commit', runId: options.runId, at: now().toISOString(), storePath, removed: removed.map((item) => item.key) });
  }

  let transcripts: TranscriptMove[] = [];
  let transcriptFailures: Array<{ path: string; error: string }> = [];
  if (!options.keepTranscripts && removed.length > 0) {
    const archived = archiveTranscripts(storePath, removed.map((item) => item.raw as { sessionId?: unknown; sessionFile?: unknown }), remainingIds, now());
    transcripts = archived.moves;
    transcriptFailures = archived.failures;
    if (journalPath && transcripts.length > 0) {
      appendJournal(journalPath, { type: 'transcripts', runId: options.runId, at: now().toISOString(), moves: transcripts });
    }
  }

  return {
    agentId: items[0]?.agentId ?? 'main',
    path: storePath,
    before: outcome.before,
    after: outcome.after,
    removed,
    skipped,
    timing: outcome.timing,
    journalPath,
    transcripts,
    transcriptFailures,
  };
}

function sessionIdsOf(document: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  for (const entry of Object.values(document)) {
    const id = (entry as { sessionId?: unknown } | null)?.sessionId;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

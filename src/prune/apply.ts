/**
 * Carries out a prune plan, store by store: journal first, then the locked edit that removes
 * exactly the planned entries still unchanged, then (outside the lock) transcript archiving.
 */
import { ToolError } from '../errors.js';
import { archiveTranscripts, type KeptTranscript, type TranscriptMove, type TranscriptScope } from '../store/archive-transcripts.js';
import type { Snapshot, StoreEditTiming } from '../store/edit-store.js';
import type { LockedWriter } from '../store/locked-write.js';
import { JournalWriter } from '../store/journal.js';
import { journalPathFor } from '../store/journal-path.js';
import type { PrunePlan, PrunePlanItem } from '../sessions/plan.js';
import { fingerprintOf } from '../sessions/plan-prune.js';
import { parseSessionKey } from '../sessions/keys.js';

export interface ApplyOptions {
  runId: string;
  toolVersion: string;
  journal: boolean;
  keepTranscripts: boolean;
  /** The document each store was planned from, and its bytes' digest: saves a second read and parse. */
  snapshots?: ReadonlyMap<string, Snapshot>;
  /** Writes under the run lock and the gateway's lock (store/locked-write.ts). */
  writer: LockedWriter;
  /** Where each store's transcripts may live (shared literal store, state dir). */
  scopeOf?: (storePath: string) => TranscriptScope;
  now?: () => Date;
  /** Told how many entries left a store once its new file is in place (an interrupted run's record). */
  onRemoved?: (count: number) => void;
}

export interface SkippedItem {
  agentId: string;
  key: string;
  storePath: string;
  why: string;
}

/** What happened to one store: pruned (possibly 0 of its items, all skipped), or not touched and why. */
export type StoreOutcome = 'pruned' | 'busy' | 'refused' | 'failed';

export interface StoreApplyResult {
  agentId: string;
  path: string;
  outcome: StoreOutcome;
  /** For an outcome other than pruned: the one-line reason; the store was not changed. */
  error: ToolError | null;
  before: number;
  after: number;
  removed: PrunePlanItem[];
  skipped: SkippedItem[];
  timing: StoreEditTiming | null;
  journalPath: string | null;
  transcripts: TranscriptMove[];
  transcriptsKept: KeptTranscript[];
  transcriptFailures: Array<{ path: string; error: string }>;
}

/**
 * Store by store; a store that is busy, refused or fails is reported with its outcome and the
 * others still go ahead (issue 16 finding 11). Errors other than ToolError are bugs and propagate.
 */
export async function applyPrunePlan(plan: PrunePlan, options: ApplyOptions): Promise<StoreApplyResult[]> {
  const now = options.now ?? (() => new Date());
  const results: StoreApplyResult[] = [];
  for (const [storePath, items] of plan.byStore) {
    try {
      results.push(await applyToStore(storePath, items, options, now));
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      results.push(untouched(storePath, items, error));
    }
  }
  return results;
}

function untouched(storePath: string, items: PrunePlanItem[], error: ToolError): StoreApplyResult {
  const outcome: StoreOutcome = error.kind === 'lock-busy' ? 'busy' : error.kind === 'unsafe' ? 'refused' : 'failed';
  return {
    agentId: items[0]?.agentId ?? 'main',
    path: storePath,
    outcome,
    error,
    before: 0,
    after: 0,
    removed: [],
    skipped: items.map((item) => ({ agentId: item.agentId, key: item.key, storePath, why: `store not changed: ${error.message}` })),
    timing: null,
    journalPath: null,
    transcripts: [],
    transcriptsKept: [],
    transcriptFailures: [],
  };
}

async function applyToStore(storePath: string, items: PrunePlanItem[], options: ApplyOptions, now: () => Date): Promise<StoreApplyResult> {
  const journal = options.journal ? new JournalWriter(journalPathFor(storePath)) : null;
  try {
    journal?.begin({
      runId: options.runId,
      at: now().toISOString(),
      toolVersion: options.toolVersion,
      storePath,
      entries: Object.fromEntries(items.map((item) => [item.key, item.raw])),
      states: Object.fromEntries(items.map((item) => [item.key, item.state])),
    });

    options.writer.assertRunLock();
    journal?.editing();
    let outcome;
    try {
      outcome = await options.writer.edit(
        storePath,
        (document) => removePlanned(document, storePath, items, options.keepTranscripts),
        { snapshot: options.snapshots?.get(storePath) },
      );
    } catch (error) {
      // Nothing was written (editStoreLocked leaves the old file on every failure): nothing to undo.
      journal?.rollback();
      throw error;
    }
    const { removed, skipped, remaining } = outcome.result;
    if (removed.length > 0) options.onRemoved?.(removed.length);

    if (journal) {
      if (removed.length > 0) journal.commit({ runId: options.runId, at: now().toISOString(), storePath, removed: removed.map((item) => item.key) });
      else journal.rollback();
    }

    let transcripts: TranscriptMove[] = [];
    let transcriptsKept: KeptTranscript[] = [];
    let transcriptFailures: Array<{ path: string; error: string }> = [];
    if (!options.keepTranscripts && removed.length > 0) {
      const scope = options.scopeOf?.(storePath) ?? { storePath, shared: false, stateDir: '' };
      const archived = archiveTranscripts(scope, removed.map((item) => ({ key: item.key, agentId: item.agentId, raw: item.raw })), remaining, now());
      transcripts = archived.moves;
      transcriptsKept = archived.kept;
      transcriptFailures = archived.failures;
      if (journal && transcripts.length > 0) journal.transcripts({ runId: options.runId, at: now().toISOString(), moves: transcripts });
    }

    return {
      agentId: items[0]?.agentId ?? 'main',
      path: storePath,
      outcome: 'pruned',
      error: null,
      before: outcome.before,
      after: outcome.after,
      removed,
      skipped,
      timing: outcome.timing,
      journalPath: journal && removed.length > 0 ? journal.journalPath : null,
      transcripts,
      transcriptsKept,
      transcriptFailures,
    };
  } finally {
    journal?.close();
  }
}

/**
 * The locked edit: removes the planned entries that are still exactly as planned. What remains
 * decides which transcripts may be archived; captured here (references only, no I/O) because
 * only here is the document current.
 */
function removePlanned(document: Record<string, unknown>, storePath: string, items: PrunePlanItem[], keepTranscripts: boolean) {
  const removed: PrunePlanItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const item of items) {
    if (!Object.hasOwn(document, item.key)) {
      skipped.push({ agentId: item.agentId, key: item.key, storePath, why: 'already gone' });
    } else if (fingerprintOf(document[item.key]) !== item.fingerprint) {
      // Touched since planning (a turn started, the gateway wrote it): not what was shown.
      skipped.push({ agentId: item.agentId, key: item.key, storePath, why: 'changed since planning' });
    } else {
      delete document[item.key];
      removed.push(item);
    }
  }
  const remaining = removed.length > 0 && !keepTranscripts ? remainingOf(document) : [];
  return { result: { removed, skipped, remaining }, changed: removed.length > 0 };
}

/** Every remaining entry with the agent its key names (for shared stores). */
function remainingOf(document: Record<string, unknown>): Array<{ agentId: string; raw: unknown }> {
  const out: Array<{ agentId: string; raw: unknown }> = [];
  for (const key of Object.keys(document)) out.push({ agentId: parseSessionKey(key).agentId ?? 'main', raw: document[key] });
  return out;
}

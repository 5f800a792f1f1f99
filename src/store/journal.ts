/**
 * The undo journal: before a prune writes a store, the entries it is about to remove are
 * appended (and fsynced) to `<store>.openclaw-sessions.journal`; after the write a
 * commit record says which keys really went. `restore` reads it back.
 *
 * JSON lines, append-only, mode 0600: a torn last line (crash mid-append) is ignored, never
 * fatal, and earlier runs stay readable.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ToolError } from '../errors.js';

// Not .jsonl: OpenClaw treats .jsonl files in a sessions directory as transcripts.
export const JOURNAL_SUFFIX = '.openclaw-sessions.journal';

const pruneRecord = z.object({
  type: z.literal('prune'),
  runId: z.string(),
  at: z.string(),
  toolVersion: z.string(),
  storePath: z.string(),
  /** key → the raw entry exactly as it was planned (and, if committed, removed). */
  entries: z.record(z.string(), z.unknown()),
  states: z.record(z.string(), z.string()).optional(),
});

const commitRecord = z.object({
  type: z.literal('commit'),
  runId: z.string(),
  at: z.string(),
  storePath: z.string(),
  removed: z.array(z.string()),
});

const transcriptsRecord = z.object({
  type: z.literal('transcripts'),
  runId: z.string(),
  at: z.string(),
  moves: z.array(z.object({ from: z.string(), to: z.string() })),
});

const restoreRecord = z.object({
  type: z.literal('restore'),
  runId: z.string(),
  at: z.string(),
  storePath: z.string(),
  restored: z.array(z.string()),
});

export const journalRecordSchema = z.discriminatedUnion('type', [pruneRecord, commitRecord, transcriptsRecord, restoreRecord]);
export type JournalRecord = z.infer<typeof journalRecordSchema>;

export function journalPathFor(storePath: string): string {
  return `${storePath}${JOURNAL_SUFFIX}`;
}

/** Sortable and unique enough for humans to type: 20261128T162400Z-3fa9. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

/** Appends one record durably: the line is on disk before the store is touched. */
export function appendJournal(journalPath: string, record: JournalRecord): void {
  let fd: number | undefined;
  try {
    fd = openSync(journalPath, 'a', 0o600);
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } catch (error) {
    throw new ToolError('failed', `cannot write the undo journal ${journalPath}: ${(error as Error).message} (nothing was pruned)`, { input: 'journal' });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    chmodSync(journalPath, 0o600);
  } catch {
    // best effort: the open mode already applied when the file was created
  }
}

export function readJournal(journalPath: string): JournalRecord[] {
  let text: string;
  try {
    text = readFileSync(journalPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ToolError('failed', `cannot read journal ${journalPath}: ${(error as Error).message}`);
  }
  const records: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = journalRecordSchema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data);
    } catch {
      // a torn line from an interrupted append: skip it, keep the rest
    }
  }
  return records;
}

export interface JournalRun {
  runId: string;
  at: string;
  storePath: string;
  journalPath: string;
  entries: Record<string, unknown>;
  states: Record<string, string>;
  /** Keys the commit record says were removed; null when the run never committed. */
  removed: string[] | null;
  transcriptMoves: Array<{ from: string; to: string }>;
  restoredAt: string | null;
  restoredKeys: string[];
}

/** Folds the records of one journal into runs, oldest first. */
export function runsOf(journalPath: string, records: JournalRecord[]): JournalRun[] {
  const runs = new Map<string, JournalRun>();
  for (const record of records) {
    if (record.type === 'prune') {
      runs.set(record.runId, {
        runId: record.runId,
        at: record.at,
        storePath: record.storePath,
        journalPath,
        entries: record.entries,
        states: record.states ?? {},
        removed: null,
        transcriptMoves: [],
        restoredAt: null,
        restoredKeys: [],
      });
      continue;
    }
    const run = runs.get(record.runId);
    if (!run) continue;
    if (record.type === 'commit') run.removed = record.removed;
    else if (record.type === 'transcripts') run.transcriptMoves.push(...record.moves);
    else if (record.type === 'restore') {
      run.restoredAt = record.at;
      run.restoredKeys.push(...record.restored);
    }
  }
  return [...runs.values()];
}

/**
 * The undo journal: before a prune writes a store, the entries it is about to remove are
 * appended (and fsynced) to `<store>.openclaw-sessions.journal`; after the write a
 * commit record says which keys really went. `restore` reads it back.
 *
 * JSON lines, append-only, mode 0600: a torn last line (crash mid-append) is ignored, never fatal, and earlier runs stay readable.
 *
 * Rules (issue 8 item 4, issue 16 findings 3, 4, 11):
 * - a run that removed nothing leaves nothing: its prune record is cut off again (ftruncate to
 *   the size the journal had before the run; runs are serialised by the run lock);
 * - the journal is opened O_NOFOLLOW|O_APPEND, must be a regular file with one link, owned by
 *   the user this run acts as; its mode is set with fchmod, never through the path;
 * - every prune record is bound to its store: the store's path and its directory's
 *   device/inode. A journal copied or moved elsewhere (`cp -a a b`) no longer matches and
 *   `restore` refuses it;
 * - retention: runs older than the retention (default 14 days) are dropped, by an atomic
 *   rewrite under the run lock, at the end of each prune that writes.
 */
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, ftruncateSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from './validate.js';
import { ToolError } from '../errors.js';
import { onInterrupt } from '../system/cleanup.js';
import { READ_CAPS, readRegularFileIfExists, realpathOrNull } from './safe-fs.js';
import { JOURNAL_SUFFIX } from './journal-path.js';
import { writeJsonLineSync } from './json-line.js';


const bindingSchema = z.object({
  /** realpath of the store's directory when the record was written. */
  dir: z.string(),
  dev: z.number(),
  ino: z.number(),
});
export type StoreBinding = z.infer<typeof bindingSchema>;

const pruneRecord = z.object({
  type: z.literal('prune'),
  runId: z.string(),
  at: z.string(),
  toolVersion: z.string(),
  storePath: z.string(),
  binding: z.optional(bindingSchema),
  /** key → the raw entry exactly as it was planned (and, if committed, removed). */
  entries: z.record(z.string(), z.unknown()),
  states: z.optional(z.record(z.string(), z.string())),
  /** How the entries went: edited out of the file, or deleted by the gateway (sessions.delete). Absent = file. */
  method: z.optional(z.enum(['file', 'rpc'])),
});

const commitRecord = z.object({
  type: z.literal('commit'),
  runId: z.string(),
  at: z.string(),
  storePath: z.string(),
  removed: z.array(z.string()),
  /** Keys whose `sessions.delete` was sent but never answered nor confirmed: the gateway may have deleted them since. */
  unconfirmed: z.optional(z.array(z.string())),
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
type PruneRecord = z.infer<typeof pruneRecord>;

/** The identity a journal record is bound to: the store's directory (its inode survives the store's own renames). */
export function storeBinding(storePath: string): StoreBinding {
  const dir = realpathOrNull(path.dirname(path.resolve(storePath)));
  if (!dir) throw new ToolError('failed', `cannot resolve the directory of ${storePath}`);
  const stat = statSync(dir);
  return { dir, dev: stat.dev, ino: stat.ino };
}

/** Why a record is not bound to the store it sits beside; null when it is. */
export function bindingProblem(journalPath: string, record: { storePath: string; binding?: StoreBinding }): string | null {
  if (!record.binding) return 'the record carries no store binding (written by an older version)';
  const expectedStore = journalPath.slice(0, -JOURNAL_SUFFIX.length);
  const here = realpathOrNull(path.dirname(expectedStore));
  if (!here) return 'its store directory no longer exists';
  if (path.basename(record.storePath) !== path.basename(expectedStore)) return `it names store ${record.storePath}, not ${expectedStore}`;
  let stat;
  try {
    stat = statSync(here);
  } catch {
    return 'its store directory no longer exists';
  }
  if (record.binding.dir !== here || stat.dev !== record.binding.dev || stat.ino !== record.binding.ino) {
    return `it was written for the store directory ${record.binding.dir} (device ${record.binding.dev}, inode ${record.binding.ino}), not this one (${here}, device ${stat.dev}, inode ${stat.ino}) — a copied or moved journal`;
  }
  if (realpathOrNull(path.dirname(record.storePath)) !== here) return `it names store ${record.storePath}, not ${expectedStore}`;
  return null;
}

/**
 * Opens a journal for appending under the rules above. The caller must hold the store's run
 * lock (so no other run appends or truncates meanwhile).
 */
export function openJournalFd(journalPath: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(journalPath, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new ToolError('unsafe', `refusing to write the undo journal ${journalPath}: it is a symlink; remove it (nothing was pruned)`);
    // O_NONBLOCK|O_WRONLY on a FIFO without a reader fails ENXIO instead of blocking.
    if (code === 'ENXIO') throw new ToolError('unsafe', `refusing to write the undo journal ${journalPath}: it is a FIFO, not a regular file; remove it (nothing was pruned)`);
    throw new ToolError('failed', `cannot write the undo journal ${journalPath}: ${(error as Error).message} (nothing was pruned)`, { input: 'journal' });
  }
  try {
    const stat = fstatSync(fd);
    const uid = process.geteuid?.();
    let problem: string | null = null;
    if (!stat.isFile()) problem = 'it is not a regular file';
    else if (stat.nlink !== 1) problem = `it has ${stat.nlink} hard links`;
    else if (uid !== undefined && stat.uid !== uid) problem = `it belongs to uid ${stat.uid}, not to uid ${uid} this run acts as`;
    if (problem) throw new ToolError('unsafe', `refusing to write the undo journal ${journalPath}: ${problem}; move it away (nothing was pruned)`);
    if ((stat.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * One run's records in one journal. `begin` writes the prune record; `commit` the keys really
 * removed; `rollback` cuts the journal back to where it was (a run that removed nothing leaves
 * nothing). An interrupt before the store edit starts rolls back too.
 */
export class JournalWriter {
  private fd: number | null = null;
  private startSize = 0;
  private forgetInterrupt: (() => void) | null = null;

  constructor(readonly journalPath: string) {}

  private append(record: JournalRecord): void {
    if (this.fd === null) {
      const opened = openJournalFd(this.journalPath);
      this.fd = opened.fd;
      this.startSize = opened.size;
      const fd = this.fd;
      const size = this.startSize;
      this.forgetInterrupt = onInterrupt(() => ftruncateSync(fd, size));
    }
    try {
      writeJsonLineSync(this.fd, record, 'entries');
      fsyncSync(this.fd);
    } catch (error) {
      throw new ToolError('failed', `cannot write the undo journal ${this.journalPath}: ${(error as Error).message} (nothing was pruned)`, { input: 'journal' });
    }
  }

  begin(record: Omit<PruneRecord, 'type' | 'binding'>): void {
    this.append({ type: 'prune', ...record, binding: storeBinding(record.storePath) });
  }

  /** The store edit is about to start: from here an interrupt must keep the record. */
  editing(): void {
    this.forgetInterrupt?.();
    this.forgetInterrupt = null;
  }

  commit(record: Omit<z.infer<typeof commitRecord>, 'type'>): void {
    this.append({ type: 'commit', ...record });
  }

  transcripts(record: Omit<z.infer<typeof transcriptsRecord>, 'type'>): void {
    this.append({ type: 'transcripts', ...record });
  }

  /** Cuts off everything this writer appended. */
  rollback(): void {
    if (this.fd === null) return;
    try {
      ftruncateSync(this.fd, this.startSize);
      fsyncSync(this.fd);
    } catch {
      // the record stays; restore shows it as an interrupted run, never restored by default
    }
  }

  close(): void {
    this.forgetInterrupt?.();
    this.forgetInterrupt = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Appends one record durably (restore records; a prune uses JournalWriter). */
export function appendJournal(journalPath: string, record: JournalRecord): void {
  const { fd } = openJournalFd(journalPath);
  try {
    writeJsonLineSync(fd, record, 'entries');
    fsyncSync(fd);
  } catch (error) {
    throw new ToolError('failed', `cannot write the undo journal ${journalPath}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Parsed records, plus the raw JSON objects (entries are taken from these: see readJournal). */
export function readJournal(journalPath: string): JournalRecord[] {
  const read = readRegularFileIfExists(journalPath, { maxBytes: READ_CAPS.journal, what: 'journal' });
  if (!read) return [];
  const records: JournalRecord[] = [];
  for (const line of read.bytes.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const raw = JSON.parse(line) as Record<string, unknown>;
      const parsed = journalRecordSchema.safeParse(raw);
      if (!parsed.success) continue;
      // zod rebuilds records by assignment, which turns an own `__proto__` key into a prototype
      // change: the entries are taken from JSON.parse's object, where every key is an own property.
      if (parsed.data.type === 'prune') (parsed.data as PruneRecord).entries = raw.entries as Record<string, unknown>;
      records.push(parsed.data);
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
  /** Keys whose gateway delete went unanswered (commit `unconfirmed`): removed or not, unknown. */
  unconfirmed: string[];
  transcriptMoves: Array<{ from: string; to: string }>;
  restoredAt: string | null;
  restoredKeys: string[];
  /** Why this record does not belong to the store beside it; null when bound. */
  bindingProblem: string | null;
  /** The real directories this store's transcripts may be in (set by whoever knows the store's config). */
  transcriptDirs?: string[];
  /** `rpc`: the gateway deleted the entries (and closed their runtimes, archived their transcripts). */
  method: 'file' | 'rpc';
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
        unconfirmed: [],
        transcriptMoves: [],
        restoredAt: null,
        restoredKeys: [],
        bindingProblem: bindingProblem(journalPath, record),
        method: record.method ?? 'file',
      });
      continue;
    }
    const run = runs.get(record.runId);
    if (!run) continue;
    if (record.type === 'commit') {
      run.removed = [...(run.removed ?? []), ...record.removed];
      run.unconfirmed.push(...(record.unconfirmed ?? []));
    }
    else if (record.type === 'transcripts') run.transcriptMoves.push(...record.moves);
    else if (record.type === 'restore') {
      run.restoredAt = record.at;
      run.restoredKeys.push(...record.restored);
    }
  }
  return [...runs.values()];
}

/**
 * One read-modify-write of a sessions.json, under the gateway's own lock (docs/openclaw.md §5, §6),
 * holding that lock for as little as possible.
 *
 * The slow part (parse, edit, serialise, write and fsync a temp file) is done first, outside
 * the lock, from a snapshot of the file's bytes. Under the lock the file is read again and
 * compared with the snapshot: unchanged → the prepared temp file is renamed into place;
 * changed (the gateway wrote meanwhile) → the edit is redone on the current content, all
 * inside the lock. The lock is checked to be still ours before any rename.
 */
import { READ_CAPS, readRegularFile } from './safe-fs.js';
import { performance } from 'node:perf_hooks';
import { ToolError } from '../errors.js';
import { commitPrepared, prepareAtomicWrite, type PreparedWrite } from './atomic-write.js';
import { acquireGatewayLock, type GatewayLockHandle } from './gateway-lock.js';
import { decodeStore, parseStoreText } from './read-json.js';

export interface StoreEditTiming {
  /** Waiting for the lock (another writer held it). */
  waitMs: number;
  /** From lock acquired to lock released: what the gateway may have had to wait for. */
  holdMs: number;
  /** Whether the file changed between snapshot and lock, forcing the edit to be redone inside. */
  redone: boolean;
}

export interface StoreEditOutcome<T> {
  result: T;
  before: number;
  after: number;
  wrote: boolean;
  timing: StoreEditTiming;
}

/** Mutates the document in place; must depend only on the document it is given (it may run twice). */
export type StoreEdit<T> = (document: Record<string, unknown>) => { result: T; changed: boolean };

export interface Snapshot {
  bytes: Buffer;
  document: Record<string, unknown>;
}

export async function editStoreLocked<T>(
  storePath: string,
  edit: StoreEdit<T>,
  options: { lockTimeoutMs: number; snapshot?: Snapshot },
): Promise<StoreEditOutcome<T>> {
  // Outside the lock: snapshot, edit, serialise, write the temp file.
  const bytes = options.snapshot?.bytes ?? readStoreBytes(storePath);
  const document = options.snapshot?.document ?? parseStoreText(storePath, decodeStore(storePath, bytes));
  const before = Object.keys(document).length;
  const first = edit(document);
  let prepared: PreparedWrite | null = first.changed ? await prepareAtomicWrite(storePath, serialise(document)) : null;

  const waitStart = performance.now();
  let lock: GatewayLockHandle;
  try {
    lock = await acquireGatewayLock(storePath, { timeoutMs: options.lockTimeoutMs });
  } catch (error) {
    prepared?.discard();
    throw error;
  }
  const heldFrom = performance.now();
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await lock.release();
  };
  const assertOurs = async (): Promise<void> => {
    if (!(await lock.isStillOurs())) {
      throw new ToolError('lock-busy', `the lock ${lock.path} was taken over while writing ${storePath}; nothing was written — run again`);
    }
  };

  try {
    const current = readStoreBytes(storePath);
    if (current.equals(bytes)) {
      if (prepared) await commitPrepared(prepared, assertOurs);
      prepared = null;
      await release();
      return { result: first.result, before, after: Object.keys(document).length, wrote: first.changed, timing: { waitMs: heldFrom - waitStart, holdMs: performance.now() - heldFrom, redone: false } };
    }
    // The gateway (or someone) wrote meanwhile: redo the edit on what is there now.
    prepared?.discard();
    prepared = null;
    const fresh = parseStoreText(storePath, decodeStore(storePath, current));
    const freshBefore = Object.keys(fresh).length;
    const second = edit(fresh);
    if (second.changed) {
      const redo = await prepareAtomicWrite(storePath, serialise(fresh));
      await commitPrepared(redo, assertOurs);
    }
    await release();
    return { result: second.result, before: freshBefore, after: Object.keys(fresh).length, wrote: second.changed, timing: { waitMs: heldFrom - waitStart, holdMs: performance.now() - heldFrom, redone: true } };
  } finally {
    prepared?.discard();
    await release();
  }
}

/** The store's bytes for a rewrite: never through a symlink, regular files only, size capped. */
function readStoreBytes(storePath: string): Buffer {
  return readRegularFile(storePath, { maxBytes: READ_CAPS.store, what: 'session store' }).bytes;
}

/** Byte-for-byte what the gateway writes: 2-space JSON, no trailing newline. */
function serialise(document: Record<string, unknown>): string {
  try {
    return JSON.stringify(document, null, 2);
  } catch (error) {
    // JSON.parse reads any depth, but JSON.stringify recurses: a hostile store nested ~10^5 deep
    // overflows the stack here (issue 16 finding 12). Nothing has been written yet.
    if (error instanceof RangeError) throw new ToolError('failed', `cannot rewrite this store: an entry nests too deeply to serialise (${error.message}); nothing was written`);
    throw error;
  }
}


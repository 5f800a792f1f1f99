/**
 * One read-modify-write of a sessions.json, under the gateway's own lock (docs/openclaw.md §5, §6),
 * holding that lock for a bounded, short time at any store size.
 *
 * Everything slow (read, compare, parse, edit, serialise, write and fsync a temp file) happens
 * outside the lock, from a snapshot of the file: its parsed document, and its identity (device,
 * inode, size, mtime and ctime in ns) taken around the read, or around a re-read confirming the
 * file still hashes to the caller's digest (a SHA-256 of the bytes the caller parsed: the
 * caller keeps no copy of a store of hundreds of MiB, issue 16 #10). Under the lock only: stat the file; same identity → check the lock is still ours and
 * rename the prepared temp file into place. The gateway replaces the store by rename (a new
 * inode, docs/openclaw.md §6) and any in-place write moves mtime/ctime, so a changed store never
 * keeps its identity. Changed → give the lock back at once, discard the temp file, and start
 * over from the current content outside the lock — at most `maxAttempts` times, then fail with
 * nothing written. So the gateway never waits on us for more than a stat and a rename, whatever
 * the size (issue 16 #9: redoing the edit inside the lock held it 17.7 s on a 313 MiB store, and
 * a gateway write waiting on it gave up after 10 s; even a byte compare under the lock took
 * seconds at that size on a busy machine).
 */
import { createHash, type Hash } from 'node:crypto';
import { statSync, type BigIntStats } from 'node:fs';
import { READ_CAPS, readRegularFileChunks } from './safe-fs.js';
import { ToolError } from '../errors.js';
import { commitPrepared, prepareAtomicWrite, type PreparedWrite } from './atomic-write.js';
import { acquireGatewayLock, type GatewayLockHandle } from './gateway-lock.js';
import { readJsonStore } from './read-json.js';

export interface StoreEditTiming {
  /** Waiting for the lock (another writer held it), summed over attempts, ms. */
  waitMs: number;
  /** The longest single hold of the gateway's lock, ms: what a gateway write may have waited for. */
  holdMs: number;
  /** Whether the file changed after the plan's snapshot, so the edit was prepared from newer content (outside the lock). */
  redone: boolean;
  /** How many times the lock was taken (1 when nothing changed meanwhile). */
  attempts: number;
}

export interface StoreEditOutcome<T> {
  result: T;
  before: number;
  after: number;
  wrote: boolean;
  timing: StoreEditTiming;
}

/** Mutates the document in place; must depend only on the document it is given (it may run several times). */
export type StoreEdit<T> = (document: Record<string, unknown>) => { result: T; changed: boolean };

export interface Snapshot {
  /** SHA-256 (hex) of the exact bytes `document` was parsed from (read-json.ts). */
  digest: string;
  /**
   * Taken out (set to null) by editStoreLocked, so that when the file changed meanwhile the stale
   * tree can be collected while the current one is read (two 300 MiB trees at once otherwise).
   */
  document: Record<string, unknown> | null;
}

/** The hash of a Snapshot's digest: SHA-256 of the bytes parsed (readJsonStore's `hash`). */
export const newStoreHash = (): Hash => createHash('sha256');

/** Attempts before giving up on a store the gateway keeps rewriting while we prepare. */
export const DEFAULT_MAX_EDIT_ATTEMPTS = 5;

/**
 * Applies `edit` to the store and writes the result atomically under the gateway's lock.
 * `snapshot`: the digest and parsed document the caller planned from (saves a read and parse;
 * the document is mutated, and taken out of the snapshot). Errors: ToolError('lock-busy') when the lock stays held past
 * `lockTimeoutMs`, is taken over before the rename, or the store changed on every attempt;
 * ToolError('failed') for a store that does not read or parse. Nothing is written on error.
 */
export async function editStoreLocked<T>(
  storePath: string,
  edit: StoreEdit<T>,
  options: { lockTimeoutMs: number; snapshot?: Snapshot; maxAttempts?: number },
): Promise<StoreEditOutcome<T>> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_EDIT_ATTEMPTS);
  const given = options.snapshot;
  let snapshot = given?.document ? { digest: given.digest, document: given.document } : null;
  if (given) given.document = null;
  const timing: StoreEditTiming = { waitMs: 0, holdMs: 0, redone: false, attempts: 0 };

  for (let attempt = 1; ; attempt++) {
    // Outside the lock: snapshot (document + identity), edit, serialise, write the temp file.
    let identity = snapshot ? confirmSnapshot(storePath, snapshot.digest) : null;
    // The caller's snapshot is stale: the edit is prepared from the current content instead
    // (the stale tree let go first).
    if (snapshot && !identity) timing.redone = true;
    let document: Record<string, unknown> | null = identity ? snapshot!.document : null;
    snapshot = null;
    if (!document) ({ document, identity } = readWithIdentity(storePath));
    const before = Object.keys(document).length;
    const outcome = edit(document);
    const after = Object.keys(document).length;
    if (!outcome.changed) {
      // Nothing to write: the gateway's lock is not needed at all.
      return { result: outcome.result, before, after, wrote: false, timing };
    }
    let prepared: PreparedWrite | null = await prepareAtomicWrite(storePath, serialiseStore(document));
    // The new bytes are on disk; the parsed tree is not needed under the lock.
    document = null;

    const waitStart = performance.now();
    let lock: GatewayLockHandle;
    try {
      lock = await acquireGatewayLock(storePath, { timeoutMs: options.lockTimeoutMs });
    } catch (error) {
      prepared.discard();
      throw error;
    }
    const heldFrom = performance.now();
    timing.waitMs += heldFrom - waitStart;
    timing.attempts = attempt;
    let unchanged = false;
    try {
      unchanged = sameIdentity(identityOf(storePath), identity!);
      if (unchanged) {
        await commitPrepared(prepared, async () => {
          if (!(await lock.isStillOurs())) {
            throw new ToolError('lock-busy', `the lock ${lock.path} was taken over while writing ${storePath}; nothing was written — run again`);
          }
        });
        prepared = null;
      }
    } finally {
      prepared?.discard();
      await lock.release();
      timing.holdMs = Math.max(timing.holdMs, performance.now() - heldFrom);
    }
    if (unchanged) return { result: outcome.result, before, after, wrote: true, timing };

    // The gateway (or someone) wrote meanwhile: start over from what is there now, outside the lock.
    timing.redone = true;
    if (attempt >= maxAttempts) {
      throw new ToolError('lock-busy', `${storePath} changed on each of ${attempt} attempts while this run prepared its edit (the gateway keeps writing it); nothing was written — run again`);
    }
  }
}

type Identity = Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>;

function identityOf(file: string): Identity {
  try {
    const { dev, ino, size, mtimeNs, ctimeNs } = statSync(file, { bigint: true });
    return { dev, ino, size, mtimeNs, ctimeNs };
  } catch (error) {
    throw new ToolError('failed', `cannot read session store ${file}: ${(error as Error).message}`);
  }
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Reads and parses the store with the identity it had throughout the read (re-read if it changed meanwhile). */
function readWithIdentity(file: string): { document: Record<string, unknown>; identity: Identity } {
  for (let tries = 1; ; tries++) {
    const before = identityOf(file);
    // Regular files only, no links, size-capped (safe-fs.ts).
    const { document } = readJsonStore(file, { follow: false });
    if (sameIdentity(before, identityOf(file)) || tries >= 5) return { document, identity: before };
  }
}

/**
 * The identity of the file when it still holds exactly the bytes the caller parsed (their
 * SHA-256 is `digest`; the file is re-read in chunks and hashed, outside the lock), or null when
 * it changed since the caller read it.
 */
function confirmSnapshot(file: string, digest: string): Identity | null {
  const before = identityOf(file);
  const hash = createHash('sha256');
  try {
    readRegularFileChunks(file, { maxBytes: READ_CAPS.store, what: 'session store' }, (chunk) => hash.update(chunk), 1 << 20);
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError('failed', `cannot read session store ${file}: ${(error as Error).message}`);
  }
  if (hash.digest('hex') !== digest) return null;
  return sameIdentity(before, identityOf(file)) ? before : null;
}

/**
 * Byte-for-byte `JSON.stringify(document, null, 2)` (what the gateway writes: 2-space JSON, no
 * trailing newline), produced entry by entry in chunks of about 64 KiB (below V8's large-object size, so they die young), so a 313 MiB store is
 * never one string plus its encoded copy in memory (issue 16 #10). JSON.stringify escapes
 * newlines inside strings, so every newline in an entry's text is structure and indenting it
 * by two spaces nests it exactly as the whole-document stringify would.
 */
export function* serialiseStore(document: Record<string, unknown>): Generator<string> {
  const keys = Object.keys(document).filter((key) => document[key] !== undefined);
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  let chunk = '{\n';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    chunk += `  ${JSON.stringify(key)}: ${stringifyEntry(document[key]).replaceAll('\n', '\n  ')}${index < keys.length - 1 ? ',\n' : '\n}'}`;
    if (chunk.length >= 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function stringifyEntry(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2);
  } catch (error) {
    // JSON.parse reads any depth, but JSON.stringify recurses: a hostile store nested ~10^5 deep
    // overflows the stack here (issue 16 finding 12). Nothing has been written yet.
    if (error instanceof RangeError) throw new ToolError('failed', `cannot rewrite this store: an entry nests too deeply to serialise (${error.message}); nothing was written`);
    throw error;
  }
}

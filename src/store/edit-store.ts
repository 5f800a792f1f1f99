/**
 * One read-modify-write of a sessions.json under the gateway's own lock (facts §5, §6).
 *
 * Inside the lock happens only: read, parse, the caller's in-memory edit, serialise, atomic
 * write. A store that does not parse aborts with nothing written; the lock is checked to be
 * still ours just before the rename and released only if it is.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CliError, EXIT } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { acquireGatewayLock } from './gateway-lock.js';
import { parseStoreText } from './read-json.js';

export interface StoreEditTiming {
  /** Waiting for the lock (another writer held it). */
  waitMs: number;
  /** From lock acquired to lock released: what the gateway may have waited for. */
  holdMs: number;
}

export interface StoreEditOutcome<T> {
  result: T;
  before: number;
  after: number;
  wrote: boolean;
  timing: StoreEditTiming;
}

/**
 * `edit` mutates the document in place and returns its own result plus whether it changed
 * anything; an unchanged document is not rewritten.
 */
export async function editStoreLocked<T>(
  storePath: string,
  edit: (document: Record<string, unknown>) => { result: T; changed: boolean },
  options: { lockTimeoutMs: number },
): Promise<StoreEditOutcome<T>> {
  const waitStart = performance.now();
  const lock = await acquireGatewayLock(storePath, { timeoutMs: options.lockTimeoutMs });
  const heldFrom = performance.now();
  let released = false;
  const release = async (): Promise<number> => {
    if (!released) {
      released = true;
      await lock.release();
    }
    return performance.now() - heldFrom;
  };
  try {
    const document = parseStoreText(storePath, readFileSync(storePath));
    const before = Object.keys(document).length;
    const { result, changed } = edit(document);
    const after = Object.keys(document).length;
    if (changed) {
      // Same bytes the gateway writes: 2-space JSON, no trailing newline.
      await writeFileAtomic(storePath, JSON.stringify(document, null, 2), {
        mode: 0o600,
        beforeRename: async () => {
          if (!(await lock.isStillOurs())) {
            throw new CliError(EXIT.lockBusy, `the lock ${lock.path} was taken over while writing ${storePath} (held too long?); nothing was written`);
          }
        },
      });
    }
    const holdMs = await release();
    return { result, before, after, wrote: changed, timing: { waitMs: heldFrom - waitStart, holdMs } };
  } finally {
    await release();
  }
}

/**
 * The one way this tool writes a store: under its run lock (proper-lockfile, next to the store;
 * keeps two runs of this tool apart), then the gateway's own store lock for each write
 * (docs/openclaw.md §5), checking before every write that the run lock was not lost meanwhile.
 * prune and restore both write through here.
 */
import { ToolError } from '../errors.js';
import { editStoreLocked, type Snapshot, type StoreEdit, type StoreEditOutcome } from './edit-store.js';
import { acquireToolLocks } from './tool-lock.js';

export interface LockedWriter {
  /** Throws a `lock-busy` ToolError when a run lock was lost (refresh failed or taken over). */
  assertRunLock(): void;
  /** One read-modify-write of a store under the gateway's lock, after checking the run lock. */
  edit<T>(storePath: string, edit: StoreEdit<T>, options?: { snapshot?: Snapshot }): Promise<StoreEditOutcome<T>>;
}

/**
 * Takes the run locks of `storePaths` (waiting at most `lockTimeoutMs` in all), runs `work`,
 * and gives the locks back whatever happens. The same budget bounds each gateway-lock wait.
 */
export async function withLockedWrites<T>(
  storePaths: readonly string[],
  options: { lockTimeoutMs: number },
  work: (writer: LockedWriter) => Promise<T>,
): Promise<T> {
  const release = await acquireToolLocks(storePaths, { timeoutMs: options.lockTimeoutMs });
  const assertRunLock = (): void => {
    const lost = release.compromised();
    if (lost) throw new ToolError('lock-busy', `${lost}; stopped before writing`);
  };
  try {
    return await work({
      assertRunLock,
      edit: (storePath, edit, editOptions) => {
        assertRunLock();
        return editStoreLocked(storePath, edit, { lockTimeoutMs: options.lockTimeoutMs, snapshot: editOptions?.snapshot });
      },
    });
  } finally {
    await release();
  }
}

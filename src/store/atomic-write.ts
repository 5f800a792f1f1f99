/**
 * Replace a file so that readers see the old bytes or the new, never a mix (facts §6): temp
 * file in the same directory, write, fsync, rename over the target, fsync the directory.
 * Any failure removes the temp file and leaves the target untouched.
 *
 * Split in two so the slow half (writing and syncing the data) can happen before a lock is
 * taken and only the rename inside it.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs, constants, rmSync } from 'node:fs';
import path from 'node:path';

export interface PreparedWrite {
  target: string;
  temp: string;
  /** Removes the temp file; safe to call more than once. */
  discard(): void;
}

export async function prepareAtomicWrite(target: string, data: string, mode = 0o600): Promise<PreparedWrite> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `${path.basename(target)}.${randomUUID()}.tmp`);
  const previous = await fs.stat(target).catch(() => null);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    await handle.chmod(mode);
    // Keep the store's owner when root edits a gateway user's file.
    if (previous && typeof process.getuid === 'function' && process.getuid() === 0 && (previous.uid !== 0 || previous.gid !== 0)) {
      await handle.chown(previous.uid, previous.gid).catch(() => undefined);
    }
    await handle.close();
    handle = undefined;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    rmSync(temp, { force: true });
    throw error;
  }
  return { target, temp, discard: () => rmSync(temp, { force: true }) };
}

/** `beforeRename` is the last check (e.g. "is the lock still ours?"); throwing aborts. */
export async function commitPrepared(prepared: PreparedWrite, beforeRename?: () => Promise<void> | void): Promise<void> {
  try {
    await beforeRename?.();
    await fs.rename(prepared.temp, prepared.target);
  } catch (error) {
    prepared.discard();
    throw error;
  }
  await fsyncDirectory(path.dirname(prepared.target));
}

export async function writeFileAtomic(target: string, data: string, options: { mode?: number; beforeRename?: () => Promise<void> | void } = {}): Promise<void> {
  await commitPrepared(await prepareAtomicWrite(target, data, options.mode), options.beforeRename);
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // best effort, as the gateway does: some filesystems refuse fsync on directories
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

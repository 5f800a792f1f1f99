/**
 * Replace a file so that readers see the old bytes or the new, never a mix (facts §6): temp
 * file in the same directory, write, fsync, rename over the target, fsync the directory.
 * Any failure removes the temp file and leaves the target untouched.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs, constants } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  mode?: number;
  /** Last check before the rename (e.g. "is the lock still ours?"); throwing aborts the write. */
  beforeRename?: () => Promise<void> | void;
}

export async function writeFileAtomic(target: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
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
    await options.beforeRename?.();
    await fs.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dir);
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

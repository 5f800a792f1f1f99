/**
 * Replace a file so that readers see the old bytes or the new, never a mix (docs/openclaw.md §6): the
 * gateway reads a half-written sessions.json as `{}` and its next save wipes the store. Temp file
 * `<file>.openclaw-sessions.<pid>.<hex>.tmp` in the same directory (the tool's own name, so the
 * next run can tell a killed run's leftovers from the gateway's `<file>.<uuid>.tmp`), created
 * O_EXCL|O_NOFOLLOW, write, fsync, rename over the target, fsync the directory. Any failure — or
 * SIGINT/SIGTERM — removes the temp file and leaves the target untouched.
 *
 * Split in two so the slow half (writing and syncing the data) can run before the gateway's lock
 * is taken and only the rename inside it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, promises as fs, constants, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { onInterrupt } from '../system/cleanup.js';
import { toolTempPathFor } from './safe-fs.js';

export interface PreparedWrite {
  target: string;
  temp: string;
  /** Removes the temp file; safe to call more than once. */
  discard(): void;
  /** The temp file was renamed into place: nothing left to clean up on a signal. */
  committed(): void;
}

export interface AtomicWriteOptions {
  /** Mode of the new file; the gateway writes its stores 0600. */
  mode?: number;
  /** Last check before the rename (e.g. "is the lock still ours?"); throwing aborts the write. */
  beforeRename?: () => Promise<void> | void;
}

/** `data` may be an iterable of string chunks, written in turn, so a large text never exists whole. */
export async function prepareAtomicWrite(target: string, data: string | Uint8Array | Iterable<string>, mode = 0o600): Promise<PreparedWrite> {
  const temp = toolTempPathFor(target, randomBytes(6).toString('hex'));
  const previous = await fs.lstat(target).catch(() => null);
  const forget = onInterrupt(() => rmSync(temp, { force: true }));
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const chunk of data) await handle.write(chunk);
    // open's mode was filtered by the umask; the store must end up exactly `mode`.
    await handle.chmod(mode);
    if (previous) await keepOwner(handle, previous.uid, previous.gid);
    // After chmod/chown, so the metadata is as durable as the bytes.
    await handle.sync();
    await handle.close();
    handle = undefined;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    rmSync(temp, { force: true });
    forget();
    throw error;
  }
  return {
    target,
    temp,
    discard: () => {
      rmSync(temp, { force: true });
      forget();
    },
    committed: forget,
  };
}

/**
 * When root edits a store owned by the gateway's user, the new file must stay theirs or the
 * gateway can no longer write it. Best effort: a filesystem that refuses chown is not a reason
 * to fail the write.
 */
async function keepOwner(handle: fs.FileHandle, uid: number, gid: number): Promise<void> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  const ours = { uid: process.getuid(), gid: process.getgid?.() ?? 0 };
  if (uid === ours.uid && gid === ours.gid) return;
  await handle.chown(uid, gid).catch(() => undefined);
}

export async function commitPrepared(prepared: PreparedWrite, beforeRename?: () => Promise<void> | void): Promise<void> {
  try {
    await beforeRename?.();
    await fs.rename(prepared.temp, prepared.target);
  } catch (error) {
    prepared.discard();
    throw error;
  }
  prepared.committed();
  await fsyncDirectory(path.dirname(prepared.target));
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await commitPrepared(await prepareAtomicWrite(target, data, options.mode ?? 0o600), options.beforeRename);
}

/**
 * The same replacement, synchronously, for a small file of this tool's own (its device identity,
 * `last-prune.json`) where no await is possible: a signal handler records an interrupted run in it
 * before the process exits. No owner is kept: the caller already acts as the directory's owner.
 * Throws the failing call's error (ENOENT, EACCES, EEXIST…); the temp file is gone either way.
 */
export function writeFileAtomicSync(target: string, data: string, mode = 0o600): void {
  const temp = toolTempPathFor(target, randomBytes(6).toString('hex'));
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    fchmodSync(fd, mode);
    const bytes = Buffer.from(data);
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, target);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw error;
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // best effort, as the gateway does: some filesystems refuse fsync on a directory
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

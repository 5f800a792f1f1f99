/**
 * The one rule for every file this tool opens, creates or renames near a store (issue 16):
 *
 * - reads: `O_NOFOLLOW` (unless the caller allows links, e.g. the operator's own config),
 *   `O_NONBLOCK` so a FIFO cannot block the open, then `fstat` on the opened descriptor:
 *   anything but a regular file (FIFO, device, socket, directory) is refused before a single
 *   byte is read, and the read stops at a size cap (a file that grows past it is refused too);
 * - creates: `O_CREAT|O_EXCL|O_NOFOLLOW`, mode set with `fchmod` on the descriptor (never
 *   through a path a link could redirect), whatever the umask;
 * - names: the tool's own files are `<store>.openclaw-sessions.*`; a transcript is resolved with
 *   `realpath` and must stay inside the store's directories, and is never the store, a lock, a
 *   temp file or one of the tool's own files.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, lstatSync, realpathSync, rmSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { isProcessAlive } from '../system/proc.js';

/** Infix of every file this tool names next to a store: journal, run lock, temp files. */
export const TOOL_INFIX = '.openclaw-sessions';

/** Caps on what is read into memory (bytes). */
export const READ_CAPS = {
  /** openclaw.json and every `$include`: OpenClaw configs are a few KiB. */
  config: 4 * 1024 * 1024,
  /** Lock files hold one small JSON object. */
  lock: 64 * 1024,
  /** The undo journal, kept small by its retention. */
  journal: 512 * 1024 * 1024,
  /** V8 cannot hold a longer string (~512 MiB); refuse with a line instead of a crash. */
  store: 512 * 1024 * 1024 - 64,
  /** This tool's own small state files (device identity). */
  small: 1024 * 1024,
} as const;

function describeType(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

export interface SafeReadOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** Words for messages: "config", "store lock", "journal". */
  what: string;
  /** Follow a symlink at the last component (the operator's own config may be one). Default false. */
  follow?: boolean;
}

export interface SafeRead {
  bytes: Buffer;
  stat: Stats;
}

/**
 * Reads a regular file under the rules above. ENOENT is thrown as the original Node error (so
 * callers can treat "absent" as they need); every refusal is a one-line ToolError (unsafe: a link or not a regular file; failed: too large or unreadable).
 */
export function readRegularFile(file: string, options: SafeReadOptions): SafeRead {
  const chunks: Buffer[] = [];
  let total = 0;
  const stat = readRegularFileChunks(file, options, (chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), stat };
}

/**
 * readRegularFile without holding the file: each piece read (at most `chunkBytes`, a fresh
 * buffer the callee may keep) goes to `onChunk` as it arrives, so a caller that parses as it
 * reads never holds a 300 MiB store twice (issue 16 #10). Same rules, errors and cap; returns
 * the fstat of the opened file.
 */
export function readRegularFileChunks(file: string, options: SafeReadOptions, onChunk: (chunk: Buffer) => void, chunkBytes = Number.MAX_SAFE_INTEGER): Stats {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.follow ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw error;
    if (code === 'ELOOP' || code === 'EMLINK') throw new ToolError('unsafe', `refusing to read ${options.what} ${file}: it is a symlink (the tool does not follow links here)`);
    throw new ToolError('failed', `cannot read ${options.what} ${file}: ${(error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ToolError('unsafe', `refusing to read ${options.what} ${file}: it is ${describeType(stat)}, not a regular file`);
    if (stat.size > options.maxBytes) throw tooLarge(file, options, stat.size);
    // Read to EOF, never past the cap: the size may change between fstat and read.
    let total = 0;
    for (;;) {
      const want = Math.min(Math.max(stat.size - total, 0) + 65_536, chunkBytes, options.maxBytes + 1 - total);
      const chunk = Buffer.allocUnsafe(want);
      if (chunk.length === 0) throw tooLarge(file, options, total + 1);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > options.maxBytes) throw tooLarge(file, options, total);
      onChunk(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return stat;
  } finally {
    closeSync(fd);
  }
}

function tooLarge(file: string, options: SafeReadOptions, size: number): ToolError {
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return new ToolError('failed', `refusing to read ${options.what} ${file}: ${size > options.maxBytes ? `larger than ${mib(options.maxBytes)}` : mib(size)} (the tool's cap for a ${options.what})`);
}

/** Like readRegularFile, but null when the file does not exist. */
export function readRegularFileIfExists(file: string, options: SafeReadOptions): SafeRead | null {
  try {
    return readRegularFile(file, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The realpath of a path, or null when it (or a parent) does not exist. */
export function realpathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}

/** True when `file` (already a realpath) is strictly below one of the (real) directories. */
export function isInside(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    const relative = path.relative(dir, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
}

/**
 * Names that are never a transcript, whatever an entry's `sessionFile` says: the store, the
 * gateway's lock and temp files, this tool's own files, and any other lock or temp file.
 */
export function isReservedName(file: string, storePath: string): boolean {
  const base = path.basename(file);
  const storeBase = path.basename(storePath);
  if (base === storeBase || base.startsWith(`${storeBase}.`)) return true;
  if (base.includes(TOOL_INFIX)) return true;
  return base.endsWith('.lock') || base.endsWith('.tmp');
}

/** The lstat of a path, or null when absent. */
export function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

/** `<store>.openclaw-sessions.<pid>.<hex>.tmp`: the tool's own temp name, told apart from the gateway's. */
export function toolTempPathFor(target: string, random: string): string {
  return path.join(path.dirname(target), `${path.basename(target)}${TOOL_INFIX}.${process.pid}.${random}.tmp`);
}

const TEMP_NAME = /^(.*)\.openclaw-sessions\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Removes temp files a killed run of this tool left next to a store (`<store>.openclaw-sessions.
 * <pid>.<hex>.tmp`) whose writer is gone. Called under the store's run lock, so no live run of
 * this tool can be writing one; the pid check is a second guard. Regular files only (lstat).
 * Returns the paths removed.
 */
export function removeStaleTemps(storePath: string): string[] {
  const dir = path.dirname(storePath);
  const base = path.basename(storePath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match || (match[1] !== base && !match[1]!.startsWith(`${base}${TOOL_INFIX}`))) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    const file = path.join(dir, name);
    if (!lstatOrNull(file)?.isFile()) continue;
    rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}

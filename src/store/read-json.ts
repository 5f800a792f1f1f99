/**
 * Reading a sessions.json store without changing a byte of it.
 *
 * The gateway treats an unparsable store as `{}` and its next write keeps only its own change
 * (docs/openclaw.md §6), so this reader refuses anything but a clean JSON object and says exactly where
 * the file is broken; it never "repairs".
 */
import { isUtf8 } from 'node:buffer';
import type { Stats } from 'node:fs';
import { ToolError } from '../errors.js';
import { locateJsonError } from './json-error.js';
import { READ_CAPS, readRegularFile } from './safe-fs.js';

export interface JsonStoreDocument {
  path: string;
  /** Session key → raw entry, exactly as parsed. Writers serialise this object. */
  document: Record<string, unknown>;
  stat: Stats;
  /** The exact bytes parsed, when asked for (a writer compares them under the lock). */
  bytes: Buffer | null;
}

export function readJsonStore(file: string, options: { keepBytes?: boolean } = {}): JsonStoreDocument {
  let stat: Stats;
  let bytes: Buffer | null;
  try {
    // Links are followed for reading (the gateway reads through them too); writers refuse them
    // (store-safety.ts). FIFOs and devices are refused before any read, size capped.
    const read = readRegularFile(file, { maxBytes: READ_CAPS.store, what: 'session store', follow: true });
    stat = read.stat;
    bytes = read.bytes;
  } catch (error) {
    if (error instanceof ToolError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ToolError('failed', `session store not found: ${file}`);
    throw new ToolError('failed', `cannot read session store ${file}: ${(error as Error).message}`);
  }
  const text = decodeStore(file, bytes);
  const kept = options.keepBytes ? bytes : null;
  bytes = null; // let the buffer go before the parse allocates
  return { path: file, document: parseStoreText(file, text), stat, bytes: kept };
}

/** Bytes → text, refusing what OpenClaw could not parse. */
export function decodeStore(file: string, bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new ToolError('failed', `session store ${file}:1:1 starts with a UTF-8 byte-order mark, which OpenClaw cannot parse (it would treat the store as empty); remove the first 3 bytes`);
  }
  if (!isUtf8(bytes)) {
    throw new ToolError('failed', `session store ${file} is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  }
  return bytes.toString('utf8');
}

/**
 * Text → document. Takes text rather than bytes so a caller can drop the file buffer before
 * the parse allocates: at 100k entries that buffer is a few hundred MB of peak memory.
 */
export function parseStoreText(file: string, text: string): Record<string, unknown> {
  if (text.trim() === '') throw new ToolError('failed', `session store ${file} is empty (0 sessions would be a "{}")`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ToolError('failed', `session store ${file} nests too deeply to parse (${error.message}); OpenClaw never writes such a store`);
    }
    const where = locateJsonError(text);
    throw new ToolError('failed', `session store ${file}:${where.line}:${where.column} does not parse: ${where.problem}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    throw new ToolError('failed', `session store ${file} holds ${kind}, not an object of session entries`);
  }
  return value as Record<string, unknown>;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Narrow down by decoding growing prefixes; only runs on the error path.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

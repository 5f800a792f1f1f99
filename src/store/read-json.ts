/**
 * Reading a sessions.json store without changing a byte of it.
 *
 * The gateway treats an unparsable store as `{}` and its next write keeps only its own change
 * (docs/openclaw.md §6), so this reader refuses anything but a clean JSON object and says exactly where
 * the file is broken; it never "repairs".
 */
import { isUtf8 } from 'node:buffer';
import { lstatSync, statSync, type Stats } from 'node:fs';
import { ToolError } from '../errors.js';
import { locateJsonError } from './json-error.js';
import { READ_CAPS, readRegularFile, readRegularFileChunks, type SafeReadOptions } from './safe-fs.js';
import { StoreEntryParser } from './json-entries.js';

export interface JsonStoreDocument {
  path: string;
  /** Session key → raw entry, exactly as parsed. Writers serialise this object. */
  document: Record<string, unknown>;
  stat: Stats;
  /**
   * SHA-256 (hex) of the exact bytes parsed, when asked for: a writer later checks the file
   * still holds them (edit-store.ts) without keeping a copy of a store of hundreds of MiB.
   */
  digest: string | null;
}

/** A hash of the bytes read (node:crypto's Hash fits; passed in so `list` loads no crypto). */
export interface StoreHash {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

export interface ReadJsonOptions {
  /** A new hash for `digest` (edit-store.ts's newStoreHash); no digest when absent. */
  hash?: () => StoreHash;
  /** Follow a link at the store's name (reads do, as the gateway does; writers refuse links). Default true. */
  follow?: boolean;
}

/**
 * Bytes read per step: the most of the file held at once, besides the tree being built. 1 MiB,
 * not more: 8 MiB reads took the 313 MiB bench store from 1.9 s to 3.4 s (every read and its
 * join with the carried tail is a large external buffer, and V8 answers that churn with full GCs).
 */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads and parses a store. The gateway's layout is parsed entry by entry as it is read
 * (json-entries.ts); anything else, and every broken file, is read whole and parsed by
 * JSON.parse, whose failure is reported with its line and column. Errors: ToolError('failed')
 * for a missing, unreadable, oversized or unparsable store; ToolError('unsafe') for a FIFO,
 * device or (with follow: false) a link.
 */
export function readJsonStore(file: string, options: ReadJsonOptions = {}): JsonStoreDocument {
  const safe = { maxBytes: READ_CAPS.store, what: 'session store', follow: options.follow ?? true };
  return readStoreFile(file, () => {
    // A small store (OpenClaw's maintenance keeps 500 entries, ~1.5 MiB) is parsed whole: one
    // JSON.parse beats 500 small ones (~8 ms at 500 entries, issue 11), and its buffer and string
    // are a few MiB. The entry-by-entry parse is for the stores where those copies are the peak.
    if ((safe.follow ? statSync(file) : lstatSync(file)).size <= WHOLE_PARSE_MAX_BYTES) return readWhole(file, safe, options);
    let parser: StoreEntryParser | null = new StoreEntryParser();
    const hash = options.hash?.() ?? null;
    const stat = readRegularFileChunks(file, safe, (chunk) => {
      hash?.update(chunk);
      if (parser && !parser.push(chunk)) parser = null;
    }, CHUNK_BYTES);
    const document = parser?.end() ?? null;
    if (document) return { path: file, document, stat, digest: hash?.digest('hex') ?? null };
    // Not the gateway's layout, or broken: the whole text, and JSON.parse's own verdict.
    return readWhole(file, safe, options);
  });
}

/** Stores up to this size are read and parsed whole (see readJsonStore). */
const WHOLE_PARSE_MAX_BYTES = 8 * 1024 * 1024;

function readWhole(file: string, safe: SafeReadOptions, options: ReadJsonOptions): JsonStoreDocument {
  const read = readRegularFile(file, safe);
  const hash = options.hash?.() ?? null;
  hash?.update(read.bytes);
  return { path: file, document: parseStoreText(file, decodeStore(file, read.bytes)), stat: read.stat, digest: hash?.digest('hex') ?? null };
}

/** Runs a read, turning the file system's errors into one line. */
function readStoreFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ToolError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ToolError('failed', `session store not found: ${file}`);
    throw new ToolError('failed', `cannot read session store ${file}: ${(error as Error).message}`);
  }
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

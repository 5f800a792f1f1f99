/**
 * Journal retention (`prune --journal-retention`, default 14d): a journal keeps the runs of the
 * last N days; older runs go by an atomic rewrite under the store's run lock.
 */
import { writeFileAtomic } from './atomic-write.js';
import { READ_CAPS, readRegularFileChunks, readRegularFileIfExists } from './safe-fs.js';

/**
 * Drops the runs whose prune record is older than `retentionMs` (their commit, transcript and
 * restore records with them), by an atomic rewrite. Call under the store's run lock. Returns
 * how many runs were dropped; 0 leaves the file untouched.
 */
export async function applyRetention(journalPath: string, retentionMs: number, now = Date.now()): Promise<number> {
  if (!mayHaveExpired(journalPath, retentionMs, now)) return 0;
  const read = readRegularFileIfExists(journalPath, { maxBytes: READ_CAPS.journal, what: 'journal' });
  if (!read) return 0;
  const lines = read.bytes.toString('utf8').split('\n').filter((line) => line.trim());
  const expired = new Set<string>();
  const parsed = lines.map((line) => {
    try {
      return JSON.parse(line) as { type?: unknown; runId?: unknown; at?: unknown };
    } catch {
      return null;
    }
  });
  for (const record of parsed) {
    if (record?.type !== 'prune' || typeof record.runId !== 'string' || typeof record.at !== 'string') continue;
    const at = Date.parse(record.at);
    if (Number.isFinite(at) && now - at > retentionMs) expired.add(record.runId);
  }
  if (expired.size === 0) return 0;
  const kept = lines.filter((_, i) => {
    const record = parsed[i];
    // Torn lines go too: they carry nothing restore can use.
    return record !== null && record !== undefined && !(typeof record.runId === 'string' && expired.has(record.runId));
  });
  await writeFileAtomic(journalPath, kept.length > 0 ? `${kept.join('\n')}\n` : '', { mode: 0o600 });
  return expired.size;
}

/**
 * How every record this tool writes begins (JSON.stringify of `{ type, runId, at, … }`), with
 * values that need no escape (run ids, ISO times); anything else is parsed whole.
 */
const OWN_HEAD = /^\{"type":("[\x20\x21\x23-\x5b\x5d-\x7e]*"),"runId":("[\x20\x21\x23-\x5b\x5d-\x7e]*"),"at":("[\x20\x21\x23-\x5b\x5d-\x7e]*")[,}]/;
const HEAD_BYTES = 512;

/**
 * Whether any prune record may be past retention, found without parsing whole lines: a prune
 * record of 50k entries is a line of ~100 MiB, and reading the journal whole after every prune
 * held it as a buffer, a string and a tree (issue 16 #10). A line that starts as this tool writes
 * its records is judged by its head (type, runId and at come first); any other line is parsed.
 * True sends applyRetention to its exact pass (which also drops torn lines); false means that
 * pass would drop nothing. ENOENT: false. Other errors are the reader's (safe-fs.ts).
 */
function mayHaveExpired(journalPath: string, retentionMs: number, now: number): boolean {
  let found = false;
  let head: Buffer[] = [];
  let headBytes = 0;
  // The whole line, kept only while its head is not one of ours.
  let whole: Buffer[] | null = [];
  const expired = (record: unknown): boolean => {
    const { type, runId, at } = (record ?? {}) as { type?: unknown; runId?: unknown; at?: unknown };
    return type === 'prune' && typeof runId === 'string' && typeof at === 'string' && now - Date.parse(at) > retentionMs;
  };
  const judgeHead = (final: boolean): void => {
    const text = Buffer.concat(head).toString('latin1');
    const match = OWN_HEAD.exec(text);
    if (match) {
      // Only the head tokens are parsed; the rest of the line is not needed.
      if (expired({ type: JSON.parse(match[1]!), runId: JSON.parse(match[2]!), at: JSON.parse(match[3]!) })) found = true;
      whole = null;
    } else if (final && whole) {
      try {
        if (expired(JSON.parse(Buffer.concat(whole).toString('utf8')))) found = true;
      } catch {
        // a torn line: applyRetention's exact pass drops it only when it rewrites anyway
      }
    }
  };
  const take = (piece: Buffer, lineEnds: boolean): void => {
    if (headBytes < HEAD_BYTES) {
      head.push(piece.subarray(0, HEAD_BYTES - headBytes));
      headBytes += Math.min(piece.length, HEAD_BYTES - headBytes);
      if (headBytes >= HEAD_BYTES && !lineEnds) judgeHead(false);
    }
    whole?.push(piece);
    if (lineEnds) {
      if (whole !== null || headBytes < HEAD_BYTES) judgeHead(true);
      head = [];
      headBytes = 0;
      whole = [];
    }
  };
  try {
    readRegularFileChunks(journalPath, { maxBytes: READ_CAPS.journal, what: 'journal' }, (chunk) => {
      for (let at = 0; at < chunk.length && !found; ) {
        const newline = chunk.indexOf(0x0a, at);
        take(chunk.subarray(at, newline < 0 ? chunk.length : newline), newline >= 0);
        at = newline < 0 ? chunk.length : newline + 1;
      }
    }, 1 << 20);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!found && headBytes > 0) take(Buffer.alloc(0), true);
  return found;
}

/**
 * Journal retention (`prune --journal-retention`, default 14d): a journal keeps the runs of the
 * last N days; older runs go by an atomic rewrite under the store's run lock.
 */
import { writeFileAtomic } from './atomic-write.js';
import { READ_CAPS, readRegularFileIfExists } from './safe-fs.js';

/**
 * Drops the runs whose prune record is older than `retentionMs` (their commit, transcript and
 * restore records with them), by an atomic rewrite. Call under the store's run lock. Returns
 * how many runs were dropped; 0 leaves the file untouched.
 */
export async function applyRetention(journalPath: string, retentionMs: number, now = Date.now()): Promise<number> {
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

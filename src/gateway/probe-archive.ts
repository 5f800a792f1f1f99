/**
 * Removing the archive of this tool's own probe session (live-acp.ts) from a local sessions
 * directory. Only names `<sessionId>.jsonl.deleted.<OpenClaw timestamp>` (with 8.1+'s
 * `.<generation>` and `.zst` after it) for the one session id
 * the gateway gave the probe key, directly in the directory, regular files (never through a
 * link): nothing of a user's can match. Best effort: a failure leaves the file for `clean`.
 */
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { parseArchiveName } from '../clean/names.js';

/**
 * OpenClaw 2026.8.1+ (SQLite sessions) names the archive `<id>.jsonl.deleted.<time>.<generation>.zst`
 * (`resolveSqliteTranscriptArchivePath` + `SESSION_ARCHIVE_ZSTD_SUFFIX` in 9.6's dist; generation 32
 * hex digits, `.zst` when zstd is available). Observed on a real 9.6 gateway: every `list`,
 * `gateway` and `metrics` left one such ~920-byte file in agents/main/sessions, which the 4.x
 * pattern did not match. Stripped before the name is read as an archive.
 */
const SQLITE_ARCHIVE_SUFFIX = /(?<=Z)(?:\.[0-9a-f]{8,64})?(?:\.zst)?$/;

/** Session ids are one safe file name (as transcripts.ts requires of them). */
const SESSION_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

/** Removes `<dir>/<sessionId>.jsonl.deleted.*` archives; returns the paths removed. */
export function removeProbeArchive(dir: string, sessionId: string): string[] {
  if (!SESSION_ID.test(sessionId)) return [];
  const prefix = `${sessionId}.jsonl.deleted.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const archive = name.startsWith(prefix) ? parseArchiveName(name.replace(SQLITE_ARCHIVE_SUFFIX, '')) : null;
    if (archive?.reason !== 'deleted' || archive.original !== `${sessionId}.jsonl`) continue;
    const file = path.join(dir, name);
    try {
      if (!lstatSync(file).isFile()) continue;
      unlinkSync(file);
      removed.push(file);
    } catch {
      // gone meanwhile, or not ours to remove: clean reports it
    }
  }
  return removed;
}

/**
 * File names OpenClaw leaves in a sessions directory, read the way OpenClaw reads them
 * (openclaw 2026.4.2 `dist/artifacts-*.js`, `session-transcript-files.fs-*.js`, `store-*.js`;
 * docs/openclaw-disk.md). Pure: names in, facts out.
 */

/** `2026-11-30T12-00-00.000Z`: ISO time with ':' replaced by '-', as OpenClaw formats it. */
const ARCHIVE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d{3})?Z$/;
/** `<name>.<uuid>.tmp`: the gateway's atomic-write temp files (and this tool's). */
const TEMP_SUFFIX = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/i;
/** `sessions.json.bak.<ms>`: the store rotated by maintenance (`rotateBytes`); OpenClaw keeps 3. */
const STORE_ROTATION = /^(.+)\.bak\.(\d{10,})$/;

/**
 * What a tombstone is: `deleted` (a removed session's transcript) and `reset` (a reset one)
 * are what OpenClaw's own retention removes; `bak` and store rotations are backups that
 * OpenClaw manages itself, reported but never removed by this tool.
 */
export type ArchiveReason = 'deleted' | 'reset' | 'bak';

export interface ArchiveName {
  reason: ArchiveReason;
  /** The name the file had before it was archived. */
  original: string;
  /** When it was archived (ms since the epoch), from the timestamp in its name. */
  archivedAtMs: number;
}

/**
 * Parses `<original>.<reason>.<timestamp>`; null for any other name. The timestamp must be
 * exactly OpenClaw's format, or the file is not treated as an archive (a name that merely
 * contains ".deleted." is left alone).
 */
export function parseArchiveName(name: string): ArchiveName | null {
  for (const reason of ['deleted', 'reset', 'bak'] as const) {
    const marker = `.${reason}.`;
    const at = name.lastIndexOf(marker);
    if (at <= 0) continue;
    const raw = name.slice(at + marker.length);
    if (!ARCHIVE_TIMESTAMP.test(raw)) continue;
    const [date, time] = raw.split('T') as [string, string];
    const archivedAtMs = Date.parse(`${date}T${time.replace(/-/g, ':')}`);
    if (Number.isNaN(archivedAtMs)) continue;
    return { reason, original: name.slice(0, at), archivedAtMs };
  }
  return null;
}

/** `<file>.deleted.<timestamp>` for `at`, OpenClaw's name for an archived transcript. */
export function archiveNameFor(file: string, at: Date, reason: 'deleted' | 'reset' = 'deleted'): string {
  return `${file}.${reason}.${at.toISOString().replaceAll(':', '-')}`;
}

/** A rotated store backup (`sessions.json.bak.<ms>`) of `storeBase`, with when it was made. */
export function parseStoreRotation(name: string, storeBase: string): { rotatedAtMs: number } | null {
  const match = STORE_ROTATION.exec(name);
  if (!match || match[1] !== storeBase) return null;
  return { rotatedAtMs: Number(match[2]) };
}

/** True for `<storeBase>.<uuid>.tmp`, a temp file of an atomic store write. */
export function isStoreTempName(name: string, storeBase: string): boolean {
  return name.startsWith(`${storeBase}.`) && TEMP_SUFFIX.test(name) && name.length === storeBase.length + 1 + 36 + 4;
}

/**
 * OpenClaw 2026.7+ writes companions beside a transcript `<base>.jsonl`: `<base>.trajectory.jsonl`
 * (the run trace), its pointer `<base>.trajectory-path.json`, and compaction checkpoints
 * `<base>.checkpoint.<uuid>.jsonl` (openclaw 2026.7.35 `dist/paths-*.js`:
 * `isTrajectoryRuntimeArtifactName`, `isTrajectoryPointerArtifactName`,
 * `COMPACTION_CHECKPOINT_TRANSCRIPT_RE`; a doctor repair archives the trace and pointer with the
 * transcript, `dist/channel-*.js` `collectSessionArtifactPaths`, `sessions.delete` does not). They belong to the session of
 * `<base>.jsonl`; this is that name (the name itself for any other file).
 */
const CHECKPOINT_SUFFIX = /\.checkpoint\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$/i;
export const TRAJECTORY_POINTER_SUFFIX = '.trajectory-path.json';
export function primaryTranscriptName(name: string): string {
  if (name.endsWith('.trajectory.jsonl')) return `${name.slice(0, -'.trajectory.jsonl'.length)}.jsonl`;
  if (name.endsWith(TRAJECTORY_POINTER_SUFFIX) && name.length > TRAJECTORY_POINTER_SUFFIX.length) return `${name.slice(0, -TRAJECTORY_POINTER_SUFFIX.length)}.jsonl`;
  const checkpoint = CHECKPOINT_SUFFIX.exec(name);
  if (checkpoint && checkpoint.index > 0) return `${name.slice(0, checkpoint.index)}.jsonl`;
  return name;
}

/** A trajectory pointer (OpenClaw 2026.7+, above): a session's file, though not a transcript. */
export function isTrajectoryPointerName(name: string): boolean {
  return name.endsWith(TRAJECTORY_POINTER_SUFFIX) && name.length > TRAJECTORY_POINTER_SUFFIX.length;
}

/** A live transcript: `*.jsonl` that is not an archive. */
export function isTranscriptName(name: string): boolean {
  return name.endsWith('.jsonl') && parseArchiveName(name) === null;
}

/**
 * The session ids a transcript name can belong to, as OpenClaw derives them: `<id>.jsonl`,
 * `<id>-topic-<n>.jsonl` (threads), `<ISO time>_<id>.jsonl` (forks), and the companions of any of
 * them (`<id>.trajectory.jsonl`, `<id>.trajectory-path.json`, `<id>.checkpoint.<uuid>.jsonl`).
 * Used only to decide that a file is *referenced* — over-matching keeps a file, it never removes one.
 */
export function sessionIdsInTranscriptName(name: string): string[] {
  const primary = primaryTranscriptName(name);
  if (!primary.endsWith('.jsonl')) return [];
  const stem = primary.slice(0, -'.jsonl'.length);
  // The name's own stem too (over-matching only keeps), then the transcript's a companion belongs to.
  const ids = primary === name ? [stem] : [name.slice(0, name.lastIndexOf('.')), stem];
  const topic = stem.indexOf('-topic-');
  if (topic > 0) ids.push(stem.slice(0, topic));
  const fork = /^\d{4}-\d{2}-\d{2}T[\w-]+?(?:Z|[+-]\d{2}(?:-\d{2})?)?_(.+)$/.exec(stem);
  if (fork?.[1]) ids.push(fork[1]);
  return ids;
}

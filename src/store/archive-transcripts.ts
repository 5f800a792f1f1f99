/**
 * After a prune, transcripts of removed sessions are archived the way OpenClaw's own
 * `sessions.delete` does (openclaw 2026.4.2 `dist/session-transcript-files.fs-*.js`,
 * `resolveSessionTranscriptCandidates` + `archiveSessionTranscripts`; docs/openclaw-files.md):
 * every candidate file of the entry is renamed to `<file>.deleted.<ISO time, ':' → '-'>`:
 *
 * 1. its `sessionFile`, when that resolves inside the sessions directory,
 * 2. `<sessionsDir>/<sessionId>.jsonl`,
 * 3. for a shared literal `session.store`, `<stateDir>/agents/<agentId>/sessions/<sessionId>.jsonl`
 *    (the agent's default sessions directory).
 *
 * Stricter than OpenClaw where a hostile store could reach beyond it (issue 16 findings 1, 2):
 * each candidate is resolved with realpath and must stay inside those directories; it must be a
 * regular file with one link (lstat: a symlink is never followed, never moved); it is never the
 * store, a lock, a temp file or one of this tool's files; and it is kept when any remaining
 * entry resolves to the same file or uses the same sessionId (OpenClaw's own rule). Every
 * candidate that exists but is kept is reported with why.
 *
 * Runs outside the store lock: renames the gateway does not need to wait for.
 */
import { lstatSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { isInside, isReservedName, lstatOrNull, realpathOrNull } from './safe-fs.js';

const SESSION_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

export interface TranscriptMove {
  from: string;
  to: string;
}

export interface KeptTranscript {
  /** The removed session whose transcript this is. */
  key: string;
  path: string;
  why: string;
}

export interface ArchiveResult {
  moves: TranscriptMove[];
  /** Candidate files that exist but were left in place, and why. */
  kept: KeptTranscript[];
  failures: Array<{ path: string; error: string }>;
}

/** Where a store's transcripts may live. */
export interface TranscriptScope {
  storePath: string;
  /** A literal `session.store` shared by all agents: each agent's default dir is a candidate too. */
  shared: boolean;
  /** `<stateDir>`, for the agents' default sessions directories. */
  stateDir: string;
}

export interface RemovedEntry {
  key: string;
  agentId: string;
  raw: unknown;
}

export function archiveSuffix(at: Date): string {
  return `.deleted.${at.toISOString().replaceAll(':', '-')}`;
}

const ARCHIVE_SUFFIX = /\.deleted\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z$/;

function fieldsOf(raw: unknown): { sessionId: string | null; sessionFile: string | null } {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as { sessionId?: unknown; sessionFile?: unknown };
  return {
    sessionId: typeof entry.sessionId === 'string' ? entry.sessionId.trim() : null,
    sessionFile: typeof entry.sessionFile === 'string' && entry.sessionFile.trim() ? entry.sessionFile.trim() : null,
  };
}

/** The agent's default sessions directory, `<stateDir>/agents/<agentId>/sessions` (docs/openclaw.md §3). */
function agentSessionsDir(stateDir: string, agentId: string): string {
  return path.join(stateDir, 'agents', agentId, 'sessions');
}

/** Lexical candidate paths of one entry, in OpenClaw's order, before any realpath. */
export function candidatePaths(scope: TranscriptScope, agentId: string, raw: unknown): string[] {
  const { sessionId, sessionFile } = fieldsOf(raw);
  const sessionsDir = path.dirname(path.resolve(scope.storePath));
  const out: string[] = [];
  if (sessionFile) {
    const resolved = path.resolve(sessionsDir, sessionFile);
    const relative = path.relative(sessionsDir, resolved);
    // OpenClaw refuses a relative sessionFile that climbs out (and falls back to the id's file).
    // An absolute one is judged by its realpath below, like OpenClaw's.
    if (path.isAbsolute(sessionFile) || (!relative.startsWith('..') && relative !== '')) out.push(resolved);
  }
  if (sessionId && SESSION_ID.test(sessionId)) {
    out.push(path.join(sessionsDir, `${sessionId}.jsonl`));
    if (scope.shared) out.push(path.join(agentSessionsDir(scope.stateDir, agentId), `${sessionId}.jsonl`));
  }
  return [...new Set(out)];
}

/** The real directories a transcript of this entry may be in. */
function allowedDirs(scope: TranscriptScope, agentId: string): string[] {
  const dirs = [realpathOrNull(path.dirname(path.resolve(scope.storePath)))];
  if (scope.shared) dirs.push(realpathOrNull(agentSessionsDir(scope.stateDir, agentId)));
  return dirs.filter((dir): dir is string => dir !== null);
}

/**
 * The real paths remaining entries resolve to. Cheap at 100k entries: a path whose directory is
 * the (real) sessions directory and whose name is not a symlink there is its own real path;
 * only the rest (subdirectories, other directories, symlinked names) costs a realpath.
 */
function remainingRealPaths(scope: TranscriptScope, remaining: ReadonlyArray<{ agentId: string; raw: unknown }>): Set<string> {
  const sessionsDir = path.dirname(path.resolve(scope.storePath));
  const realDir = realpathOrNull(sessionsDir) ?? sessionsDir;
  const symlinked = new Set<string>();
  try {
    for (const dirent of readdirSync(realDir, { withFileTypes: true })) if (dirent.isSymbolicLink()) symlinked.add(dirent.name);
  } catch {
    // unreadable directory: every candidate below falls back to realpath
  }
  const real = new Set<string>();
  for (const entry of remaining) {
    for (const candidate of candidatePaths(scope, entry.agentId, entry.raw)) {
      const dir = path.dirname(candidate);
      const base = path.basename(candidate);
      if ((dir === sessionsDir || dir === realDir) && !symlinked.has(base)) real.add(path.join(realDir, base));
      else real.add(realpathOrNull(candidate) ?? candidate);
    }
  }
  return real;
}

/**
 * Archives the candidate transcripts of the removed entries. `remaining` is every entry still in
 * the store after the edit (what the gateway keeps): a file any of them resolves to, or whose
 * sessionId one of them uses, is kept.
 */
export function archiveTranscripts(scope: TranscriptScope, removed: readonly RemovedEntry[], remaining: ReadonlyArray<{ agentId: string; raw: unknown }>, at: Date): ArchiveResult {
  const result: ArchiveResult = { moves: [], kept: [], failures: [] };
  const remainingIds = new Map<string, true>();
  for (const entry of remaining) {
    const id = fieldsOf(entry.raw).sessionId;
    if (id) remainingIds.set(id, true);
  }
  let inUse: Set<string> | null = null;
  const done = new Set<string>();
  const suffix = archiveSuffix(at);
  for (const entry of removed) {
    const { sessionId } = fieldsOf(entry.raw);
    const dirs = allowedDirs(scope, entry.agentId);
    for (const candidate of candidatePaths(scope, entry.agentId, entry.raw)) {
      const link = lstatOrNull(candidate);
      if (!link) continue; // nothing there: nothing to archive or to report
      const keep = (why: string): void => {
        result.kept.push({ key: entry.key, path: candidate, why });
      };
      const real = realpathOrNull(candidate);
      if (!real || !isInside(real, dirs)) {
        keep(`resolves to ${real ?? 'an unresolvable path'}, outside the sessions director${dirs.length === 1 ? 'y' : 'ies'} (${dirs.join(', ')})`);
        continue;
      }
      if (done.has(real)) continue;
      if (isReservedName(real, scope.storePath) || isReservedName(candidate, scope.storePath)) {
        keep('is the store, a lock, a temp file or this tool\'s own file — never a transcript');
        continue;
      }
      if (link.isSymbolicLink()) {
        keep('is a symlink (the tool never moves a link or what it points to)');
        continue;
      }
      if (!link.isFile()) {
        keep('is not a regular file');
        continue;
      }
      if (link.nlink > 1) {
        keep(`has ${link.nlink} hard links (another name may be in use)`);
        continue;
      }
      if (sessionId && remainingIds.has(sessionId)) {
        keep(`sessionId ${sessionId} is still used by a remaining session`);
        continue;
      }
      inUse ??= remainingRealPaths(scope, remaining);
      if (inUse.has(real)) {
        keep('a remaining session resolves to this file');
        continue;
      }
      done.add(real);
      const to = `${real}${suffix}`;
      try {
        renameNoClobber(real, to);
        result.moves.push({ from: real, to });
      } catch (error) {
        result.failures.push({ path: real, error: (error as Error).message });
      }
    }
  }
  return result;
}

/** rename(2) replaces an existing target; an archive name that exists is never overwritten. */
function renameNoClobber(from: string, to: string): void {
  if (lstatOrNull(to)) throw new Error(`${to} already exists`);
  renameSync(from, to);
}

/**
 * Puts archived transcripts back, under the same rules as archiving (issue 16 finding 4): both
 * names in one of the allowed directories (realpath), `to` exactly `from` + `.deleted.<time>`,
 * the archive a regular file (lstat), the original name free and not reserved. A journal line
 * that breaks a rule is skipped with why, never acted on.
 */
export function unarchiveTranscripts(moves: readonly TranscriptMove[], scope: { storePath: string; dirs: readonly string[] }): { restored: TranscriptMove[]; skipped: Array<{ path: string; why: string }> } {
  const restored: TranscriptMove[] = [];
  const skipped: Array<{ path: string; why: string }> = [];
  for (const move of moves) {
    const problem = unarchiveProblem(move, scope);
    if (problem) {
      skipped.push({ path: move.to, why: problem });
      continue;
    }
    try {
      renameNoClobber(move.to, move.from);
      restored.push({ from: move.to, to: move.from });
    } catch (error) {
      skipped.push({ path: move.to, why: (error as Error).message });
    }
  }
  return { restored, skipped };
}

function unarchiveProblem(move: TranscriptMove, scope: { storePath: string; dirs: readonly string[] }): string | null {
  if (!path.isAbsolute(move.from) || !path.isAbsolute(move.to)) return 'journal names a relative path';
  if (!move.to.startsWith(move.from) || !ARCHIVE_SUFFIX.test(move.to) || move.to.slice(move.from.length).replace(ARCHIVE_SUFFIX, '') !== '') {
    return 'journal names a move that is not <file> → <file>.deleted.<time>';
  }
  const fromDir = realpathOrNull(path.dirname(move.from));
  const toDir = realpathOrNull(path.dirname(move.to));
  if (!fromDir || fromDir !== toDir || fromDir !== path.dirname(move.from)) return 'its directory is not the one the journal names (a symlink or a moved directory)';
  if (!isInside(move.from, scope.dirs)) return `outside this store's sessions director${scope.dirs.length === 1 ? 'y' : 'ies'} (${scope.dirs.join(', ')})`;
  if (isReservedName(move.from, scope.storePath)) return 'names the store, a lock, a temp file or this tool\'s own file';
  let stat;
  try {
    stat = lstatSync(move.to);
  } catch {
    return 'archived transcript no longer exists';
  }
  if (!stat.isFile()) return 'the archived transcript is not a regular file';
  if (lstatOrNull(move.from)) return 'a transcript with the original name exists again';
  return null;
}

/** Real directories a store's transcripts may be in (for restore): the store's dir, plus each agent's default dir for a shared store. */
export function transcriptDirsOf(scope: TranscriptScope, agentIds: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const dir of [allowedDirs(scope, 'main'), ...agentIds.map((id) => allowedDirs(scope, id))].flat()) dirs.add(dir);
  if (!scope.shared) return [...dirs].slice(0, 1);
  return [...dirs];
}

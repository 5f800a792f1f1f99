/**
 * After a prune, transcripts of removed sessions are archived the way OpenClaw's own
 * maintenance does (docs/openclaw.md §6): renamed to `<file>.deleted.<ISO time, ':' → '-'>`, only when no
 * remaining entry uses the same sessionId and only inside the sessions directory.
 * Runs outside the store lock: it is slow-ish I/O the gateway does not need to wait for.
 */
import { existsSync, lstatSync, renameSync } from 'node:fs';
import path from 'node:path';
import { transcriptPathFor } from './transcripts.js';

export interface TranscriptMove {
  from: string;
  to: string;
}

export interface ArchiveResult {
  moves: TranscriptMove[];
  /** Transcripts left in place, and why (shared sessionId, missing, outside the directory). */
  kept: Array<{ sessionId: string; why: string }>;
  failures: Array<{ path: string; error: string }>;
}

export function archiveSuffix(at: Date): string {
  return `.deleted.${at.toISOString().replaceAll(':', '-')}`;
}

export function archiveTranscripts(
  storePath: string,
  removed: ReadonlyArray<{ sessionId?: unknown; sessionFile?: unknown }>,
  remainingSessionIds: ReadonlySet<string>,
  at: Date,
): ArchiveResult {
  const sessionsDir = path.dirname(storePath);
  const result: ArchiveResult = { moves: [], kept: [], failures: [] };
  const seen = new Set<string>();
  for (const entry of removed) {
    if (typeof entry.sessionId !== 'string') continue;
    const sessionId = entry.sessionId;
    if (remainingSessionIds.has(sessionId)) {
      result.kept.push({ sessionId, why: 'another remaining session uses this sessionId' });
      continue;
    }
    const file = transcriptPathFor(sessionsDir, { sessionId, sessionFile: typeof entry.sessionFile === 'string' ? entry.sessionFile : null });
    if (!file) {
      result.kept.push({ sessionId, why: 'transcript path is outside the sessions directory' });
      continue;
    }
    if (seen.has(file)) continue;
    seen.add(file);
    if (!isRegularFile(file)) continue;
    const to = `${file}${archiveSuffix(at)}`;
    try {
      renameSync(file, to);
      result.moves.push({ from: file, to });
    } catch (error) {
      result.failures.push({ path: file, error: (error as Error).message });
    }
  }
  return result;
}

/** Puts archived transcripts back where the original name is free again. */
export function unarchiveTranscripts(moves: readonly TranscriptMove[]): { restored: TranscriptMove[]; skipped: Array<{ path: string; why: string }> } {
  const restored: TranscriptMove[] = [];
  const skipped: Array<{ path: string; why: string }> = [];
  for (const move of moves) {
    if (!existsSync(move.to)) {
      skipped.push({ path: move.to, why: 'archived transcript no longer exists' });
      continue;
    }
    if (existsSync(move.from)) {
      skipped.push({ path: move.from, why: 'a transcript with the original name exists again' });
      continue;
    }
    try {
      renameSync(move.to, move.from);
      restored.push({ from: move.to, to: move.from });
    } catch (error) {
      skipped.push({ path: move.to, why: (error as Error).message });
    }
  }
  return { restored, skipped };
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * discover → read → classify, for every command that looks at sessions (list, prune, doctor).
 * The I/O happens here; the rules live in sessions/classify.ts.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from './errors.js';
import { actAsOwnerOf } from './system/privileges.js';
import { classifySession, lastActivityOf, type Classification, type ClassifyContext } from './sessions/classify.js';
import { loadConfig, missingVarWarning, type LoadedConfig } from './store/config.js';
import { findInstalledOpenclaw, type OpenclawVersion } from './store/openclaw-version.js';
import type { Env } from './env.js';
import { resolveStateLocation, type LocationFlags, type StateLocation } from './store/paths.js';
import { readJsonStore } from './store/read-json.js';
import { readSqliteStore } from './store/read-sqlite.js';
import { readEntry, type EntryReading, type SessionEntry } from './store/schema.js';
import { discoverStores, normalizeAgentId, type StoreRef } from './store/stores.js';
import { hasLiveTranscriptLock, transcriptPathFor } from './store/transcripts.js';

export interface InventoryOptions extends LocationFlags {
  agent?: string;
  /** Where warnings go (one line each, no prefix); none are printed when absent. */
  warn?: (line: string) => void;
  /** Explicit store file: skips discovery. */
  store?: string;
  staleAfterMs: number;
  now?: number;
  /**
   * Keep each JSON store's parsed document and file bytes (prune needs both to write);
   * a read-only listing lets them go, which at 100k entries is most of its memory.
   */
  retainDocuments?: boolean;
}

export interface SessionView extends Classification {
  agentId: string;
  key: string;
  storePath: string;
  entry: SessionEntry | null;
}

export interface LoadedStore {
  ref: StoreRef;
  /** The raw document of a JSON store, when retained (for lossless rewrites); null for SQLite. */
  document: Record<string, unknown> | null;
  /** The bytes that document was parsed from, when retained. */
  bytes: Buffer | null;
  sizeBytes: number;
  mtimeMs: number;
  sqliteUserVersion: number | null;
  /** SQLite rows that are not their key's current entry (docs/openclaw.md §9). */
  supersededRows: number;
}

export interface StoreFailure {
  ref: StoreRef;
  error: ToolError;
}

export interface Inventory {
  location: StateLocation;
  config: LoadedConfig;
  openclaw: OpenclawVersion;
  stores: LoadedStore[];
  failures: StoreFailure[];
  sessions: SessionView[];
  /** Store paths the configuration implies but that do not exist. */
  missingStores: string[];
  now: number;
}

export function takeInventory(env: Env, options: InventoryOptions): Inventory {
  const now = options.now ?? Date.now();
  const location = resolveStateLocation(env, options);
  // Before any file is opened: a root run on another user's state dir acts as that user.
  if (options.store) actAsOwnerOf(path.dirname(path.resolve(options.store)), 'the store directory');
  else actAsOwnerOf(location.stateDir, 'the state directory');
  const config = loadConfig(location.configPath, env);
  // OpenClaw keeps a missing `${VAR}` literally and warns; so does this tool, in OpenClaw's words.
  if (config.path) for (const missing of config.missingVars) options.warn?.(missingVarWarning(config.path, missing));
  const openclaw = findInstalledOpenclaw(env);

  let refs: StoreRef[];
  let missingStores: string[] = [];
  if (options.store) {
    const file = path.resolve(options.store);
    const format = file.endsWith('.sqlite') ? 'sqlite' : 'json';
    refs = [{ agentId: normalizeAgentId(options.agent ?? agentFromStorePath(file)), path: file, format, source: 'explicit', shared: false }];
  } else {
    const discovery = discoverStores({ stateDir: location.stateDir, home: location.home, config: config.facts, agentId: options.agent });
    refs = discovery.stores;
    missingStores = discovery.missing;
  }

  const ctx: ClassifyContext = { now, staleAfterMs: options.staleAfterMs };
  const stores: LoadedStore[] = [];
  const failures: StoreFailure[] = [];
  const sessions: SessionView[] = [];
  for (const ref of refs) {
    try {
      const loaded = ref.format === 'json' ? loadJson(ref, ctx, sessions, options.retainDocuments ?? false) : loadSqlite(ref, ctx, sessions);
      stores.push(loaded);
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      failures.push({ ref, error });
    }
  }
  return { location, config, openclaw, stores, failures, sessions, missingStores, now };
}

/** `<…>/agents/<id>/sessions/sessions.json` names its agent; anything else is `main`. */
function agentFromStorePath(file: string): string {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('agents');
  return at >= 0 && parts[at + 1] ? parts[at + 1]! : 'main';
}

function loadJson(ref: StoreRef, ctx: ClassifyContext, out: SessionView[], retain: boolean): LoadedStore {
  const read = readJsonStore(ref.path, { keepBytes: retain });
  const sessionsDir = path.dirname(ref.path);
  for (const [key, raw] of Object.entries(read.document)) {
    out.push(view(ref, key, readEntry(raw), sessionsDir, ctx));
  }
  return { ref, document: retain ? read.document : null, bytes: read.bytes, sizeBytes: read.stat.size, mtimeMs: read.stat.mtimeMs, sqliteUserVersion: null, supersededRows: 0 };
}

function loadSqlite(ref: StoreRef, ctx: ClassifyContext, out: SessionView[]): LoadedStore {
  const read = readSqliteStore(ref.path);
  const sessionsDir = path.join(path.dirname(path.dirname(ref.path)), 'sessions');
  for (const row of read.rows) {
    const reading: EntryReading = row.invalidReason ? { ok: false, reason: row.invalidReason } : readEntry(row.raw);
    out.push(view(ref, row.key, reading, sessionsDir, ctx));
  }
  const { size, mtimeMs } = statOrZero(ref.path);
  return { ref, document: null, bytes: null, sizeBytes: size, mtimeMs, sqliteUserVersion: read.userVersion, supersededRows: read.skippedRows };
}

function view(ref: StoreRef, key: string, reading: EntryReading, sessionsDir: string, ctx: ClassifyContext): SessionView {
  // Only a claim of "running" that has gone quiet needs the lock probe (a file read).
  let liveLock = false;
  if (reading.ok && claimsRunning(reading.entry) && ctx.now - lastActivityOf(reading.entry) > ctx.staleAfterMs) {
    const transcript = transcriptPathFor(sessionsDir, reading.entry);
    liveLock = transcript !== null && hasLiveTranscriptLock(transcript, ctx.now);
  }
  // Extended in place rather than spread into a new object: one allocation per session fewer.
  const session = classifySession({ key, reading, hasLiveTranscriptLock: liveLock }, ctx) as SessionView;
  // A shared (literal) store holds every agent's keys; the key names the agent.
  session.agentId = session.keyAgentId ?? ref.agentId;
  session.key = key;
  session.storePath = ref.path;
  session.entry = reading.ok ? reading.entry : null;
  return session;
}

function claimsRunning(entry: SessionEntry): boolean {
  return entry.status === 'running' || entry.acp?.state === 'running';
}

function statOrZero(file: string): { size: number; mtimeMs: number } {
  try {
    const stat = statSync(file);
    return { size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return { size: 0, mtimeMs: 0 };
  }
}

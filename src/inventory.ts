/**
 * discover → read → classify, for every command that looks at sessions (list, prune, doctor).
 * The I/O happens here; the rules live in sessions/classify.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from './errors.js';
import { actAsControllerOf, actAsOwnerOf, actingAsInstallOwner } from './system/privileges.js';
import { classifySession, type Classification, type ClassifyContext } from './sessions/classify.js';
import { assertNamedAgentExists, assertNamedStateDirExists } from './store/explicit-names.js';
import { loadConfig, missingVarWarning, substitutionEnvForOwner, type LoadedConfig } from './store/config.js';
import { findInstalledOpenclaw, type OpenclawVersion } from './store/openclaw-version.js';
import type { Env } from './env.js';
import { resolveStateLocation, type LocationFlags, type StateLocation } from './store/paths.js';
import { AcpStateIndex, readAcpState, type AcpStateRead } from './store/read-acp-state.js';
import { readJsonStore, type StoreHash } from './store/read-json.js';
import { readSqliteStore } from './store/read-sqlite.js';
import { nameInDir } from './store/resolve-path.js';
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
   * Keep each JSON store's parsed document and the digest of its bytes (prune edits that
   * document once it has confirmed the file still hashes the same); a read-only listing lets
   * the document go, which at 100k entries is most of its memory.
   */
  retainDocuments?: boolean;
  /** With retainDocuments: the hash of each retained store's digest (edit-store.ts's newStoreHash). */
  hash?: () => StoreHash;
}

export interface SessionView extends Classification {
  agentId: string;
  key: string;
  storePath: string;
  entry: SessionEntry | null;
  /** Where the entry's ACP state came from: the entry itself (4.x), state/openclaw.sqlite (7.x+), or nowhere. */
  acpSource?: 'entry' | 'state-db' | null;
  /**
   * A JSON store's entry's transcript as transcriptPathFor resolves it in the store's directory
   * (null: none is safe to touch), worked out once when the store is read; undefined for any other
   * view (a SQLite store's, a gateway's sessions.list).
   */
  transcriptPath?: string | null;
}

export interface LoadedStore {
  ref: StoreRef;
  /** The raw document of a JSON store, when retained (for lossless rewrites); null for SQLite. */
  document: Record<string, unknown> | null;
  /** SHA-256 (hex) of the bytes that document was parsed from, when retained. */
  digest: string | null;
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
  /** sessions.json files beside an agent's 8.1+ SQLite store: not read, not counted, not pruned. */
  legacyStores: LegacyStore[];
  /** Where this install keeps ACP state, and whether it could be read. */
  acpState: AcpStateRead;
  now: number;
}

export interface LegacyStore {
  ref: StoreRef;
  sizeBytes: number;
}

export function takeInventory(env: Env, options: InventoryOptions): Inventory {
  const now = options.now ?? Date.now();
  const location = resolveStateLocation(env, options);
  // A name given explicitly that does not exist fails first, naming what does exist.
  assertNamedStateDirExists(options, location, env);
  const switched = actAsInstallOwner(location, options.store);
  const config = loadConfig(location.configPath, switched ? substitutionEnvForOwner(env) : env);
  // OpenClaw keeps a missing `${VAR}` literally and warns; so does this tool, in OpenClaw's words.
  if (config.path) for (const missing of config.missingVars) options.warn?.(missingVarWarning(config.path, missing));
  if (!options.store) assertNamedAgentExists(options.agent, location.stateDir, config.facts);
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

  // Still root (the state dir is root's): a store directory the gateway's user controls makes
  // the run theirs before any store, transcript or state database is opened.
  actAsControllerOf([...refs.map((ref) => path.dirname(path.resolve(ref.path))), path.join(location.stateDir, 'state')]);
  const acpState = readAcpState(location.stateDir);
  const join: AcpJoin = {
    index: acpState.source === 'state-db' ? new AcpStateIndex(acpState.rows) : null,
    unreadable: acpState.source === 'unreadable' ? acpState.reason : undefined,
  };
  const ctx: ClassifyContext = { now, staleAfterMs: options.staleAfterMs };
  const stores: LoadedStore[] = [];
  const failures: StoreFailure[] = [];
  const sessions: SessionView[] = [];
  const legacyStores: LegacyStore[] = [];
  for (const ref of refs) {
    if (ref.legacy) {
      legacyStores.push({ ref, sizeBytes: statOrZero(ref.path).size });
      continue;
    }
    try {
      const loaded = ref.format === 'json' ? loadJson(ref, ctx, join, sessions, options.retainDocuments ?? false, options.hash) : loadSqlite(ref, ctx, join, sessions);
      stores.push(loaded);
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      failures.push({ ref, error });
    }
  }
  return { location, config, openclaw, stores, failures, sessions: ofSelectedAgent(sessions, refs, options), missingStores, legacyStores, acpState, now };
}

/**
 * A shared (literal `session.store`) file holds every agent's keys: `--agent ID` keeps that
 * agent's. Observed: with two agents sharing one store, `prune --agent beta --yes` removed
 * `agent:alpha:subagent:x` too, and `list --agent beta` listed it.
 */
function ofSelectedAgent(sessions: SessionView[], refs: readonly StoreRef[], options: InventoryOptions): SessionView[] {
  if (!options.agent || options.store) return sessions;
  const agentId = normalizeAgentId(options.agent);
  const shared = new Set(refs.filter((ref) => ref.shared).map((ref) => ref.path));
  return shared.size === 0 ? sessions : sessions.filter((session) => !shared.has(session.storePath) || session.agentId === agentId);
}

/**
 * Before any file of the install is opened (its config included): a root run on another user's
 * state dir — or, with `--store`, store directory — acts as that user (system/privileges.ts).
 * Idempotent: once switched, the process is no longer root. Returns whether this run is a root
 * run acting as another user (now or since an earlier call).
 */
export function actAsInstallOwner(location: StateLocation, store: string | undefined): boolean {
  if (store) actAsOwnerOf(path.dirname(path.resolve(store)), 'the store directory');
  else actAsOwnerOf(location.stateDir, 'the state directory');
  // Still root: a config another user controls (--config or OPENCLAW_CONFIG_PATH naming their
  // file) names the stores and the gateway, so it is read, and the run made, as that user.
  if (location.configPath) actAsOwnerOf(location.configPath, 'the config');
  return actingAsInstallOwner();
}

/** `<…>/agents/<id>/sessions/sessions.json` names its agent; anything else is `main`. */
function agentFromStorePath(file: string): string {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('agents');
  return at >= 0 && parts[at + 1] ? parts[at + 1]! : 'main';
}

/** ACP state kept outside the entries (7.x+), joined to them by key. */
interface AcpJoin {
  index: AcpStateIndex | null;
  unreadable: string | undefined;
}

function loadJson(ref: StoreRef, ctx: ClassifyContext, join: AcpJoin, out: SessionView[], retain: boolean, hash?: () => StoreHash): LoadedStore {
  const read = readJsonStore(ref.path, { hash: retain ? hash : undefined });
  const sessionsDir = path.resolve(path.dirname(ref.path));
  const locks = lockNamesIn(sessionsDir);
  for (const [key, raw] of Object.entries(read.document)) {
    out.push(view(ref, key, readEntry(raw), sessionsDir, ctx, join, locks));
  }
  return { ref, document: retain ? read.document : null, digest: read.digest, sizeBytes: read.stat.size, mtimeMs: read.stat.mtimeMs, sqliteUserVersion: null, supersededRows: 0 };
}

function loadSqlite(ref: StoreRef, ctx: ClassifyContext, join: AcpJoin, out: SessionView[]): LoadedStore {
  const read = readSqliteStore(ref.path);
  const sessionsDir = path.resolve(path.dirname(path.dirname(ref.path)), 'sessions');
  const locks = lockNamesIn(sessionsDir);
  for (const row of read.rows) {
    const reading: EntryReading = row.invalidReason ? { ok: false, reason: row.invalidReason } : readEntry(row.raw);
    out.push(view(ref, row.key, reading, sessionsDir, ctx, join, locks));
  }
  const { size, mtimeMs } = statOrZero(ref.path);
  return { ref, document: null, digest: null, sizeBytes: size, mtimeMs, sqliteUserVersion: read.userVersion, supersededRows: read.skippedRows };
}

/**
 * The `*.lock` names in a sessions directory, read once per store: a transcript lock means a
 * turn may be running whatever `status` says, so every entry is checked, and one readdir keeps
 * that cheap at 100k entries. null when the directory cannot be listed (then each entry is probed).
 */
function lockNamesIn(sessionsDir: string): Set<string> | null {
  try {
    return new Set(readdirSync(sessionsDir).filter((name) => name.endsWith('.lock')));
  } catch {
    return null;
  }
}

function view(ref: StoreRef, key: string, reading: EntryReading, sessionsDir: string, ctx: ClassifyContext, join: AcpJoin, locks: Set<string> | null): SessionView {
  // 7.x+ entries carry no `acp`: the parsed view (never what a write serialises) gets it from
  // state/openclaw.sqlite, so every rule below sees the session as the gateway does.
  let acpSource: SessionView['acpSource'] = reading.ok && reading.entry.acp ? 'entry' : null;
  if (reading.ok && !reading.entry.acp && join.index) {
    const meta = join.index.lookup(parseAgentOfKey(key) ?? ref.agentId, key, reading.entry);
    if (meta) {
      reading.entry.acp = meta;
      acpSource = 'state-db';
    }
  }
  // Once per entry: the lock probe and the disk summary (clean/disk.ts) both need it.
  const transcriptPath = reading.ok ? transcriptPathFor(sessionsDir, reading.entry) : null;
  const liveLock = transcriptPath !== null && probeLock(sessionsDir, locks, transcriptPath, ctx.now);
  // Extended in place rather than spread into a new object: one allocation per session fewer.
  const session = classifySession({ key, reading, hasLiveTranscriptLock: liveLock, acpStateUnreadable: join.unreadable }, ctx) as SessionView;
  // A shared (literal) store holds every agent's keys; the key names the agent.
  session.agentId = session.keyAgentId ?? ref.agentId;
  session.key = key;
  session.storePath = ref.path;
  session.entry = reading.ok ? reading.entry : null;
  session.acpSource = acpSource;
  // For a JSON store only: the one clean/disk.ts summarises, in the directory it looks in.
  if (ref.format === 'json') session.transcriptPath = transcriptPath;
  return session;
}

function probeLock(sessionsDir: string, locks: Set<string> | null, transcript: string, now: number): boolean {
  // A transcript directly in the directory listed: its lock is in the listing or nowhere.
  const name = locks && nameInDir(sessionsDir, transcript);
  if (name && !locks.has(`${name}.lock`)) return false;
  return hasLiveTranscriptLock(transcript, now);
}


/** `agent:<id>:…` names its agent (lower-cased as the gateway stores keys). */
function parseAgentOfKey(key: string): string | null {
  const match = /^agent:([^:]+):/i.exec(key.trim());
  return match ? match[1]!.toLowerCase() : null;
}

function statOrZero(file: string): { size: number; mtimeMs: number } {
  try {
    const stat = statSync(file);
    return { size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return { size: 0, mtimeMs: 0 };
  }
}

/**
 * ACP session state where OpenClaw 2026.7.x and later keep it: the `acp_sessions` table of the
 * global `<stateDir>/state/openclaw.sqlite` (docs/openclaw-versions.md). Up to 2026.4.x it is
 * the `acp` object of each sessions.json entry, and this module finds nothing to add.
 *
 * Read-only, through the shared open (store/sqlite-open.ts): never written, nothing left beside it.
 *
 * Row shape (openclaw 2026.7.35 and 2026.9.6, src/acp/runtime/session-meta.ts): session_key,
 * session_id, backend, agent, runtime_session_name, identity_json, mode, runtime_options_json,
 * cwd, state, last_activity_at, last_error, updated_at. `session_key` is the store's session key
 * (7.35), or on 9.x `@acp:v1:<base64url(JSON [agentId|null, sessionKey])>`, or the older
 * `@agent:<agentId>:<sessionKey>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import type { AcpMeta, SessionEntry } from './schema.js';
import { withReadOnlySqlite } from './sqlite-open.js';

export interface AcpStateRow {
  /** The sessions-store key the row belongs to (lower-cased for matching). */
  sessionKey: string;
  /** The agent the row is scoped to (9.x keys), or null when the key does not say. */
  agentId: string | null;
  /** The session id the row was written for; null matches any (as the gateway reads it). */
  sessionId: string | null;
  updatedAt: number;
  meta: AcpMeta;
}

export type AcpStateRead =
  /** No state database, or one without acp_sessions: ACP state lives in the entries (4.x). */
  | { source: 'entries'; path: string }
  | { source: 'state-db'; path: string; rows: AcpStateRow[] }
  /** The database exists but could not be read: ACP sessions must not be judged on a guess. */
  | { source: 'unreadable'; path: string; reason: string };

export function acpStateDbPath(stateDir: string): string {
  return path.join(stateDir, 'state', 'openclaw.sqlite');
}

/** What makes an unreadable ACP state database readable: a Node with node:sqlite, or a look at the file. */
export function acpStateFix(state: { path: string; reason: string }): string {
  return /node:sqlite|Node\.js/.test(state.reason) ? 'run openclaw-sessions with Node.js 22.13 or later' : `check ${state.path} (this tool only reads it)`;
}

const KEY_PREFIX_V1 = '@acp:v1:';
const KEY_PREFIX_AGENT = '@agent:';

/** The store key and agent a row's `session_key` names (9.6 session-meta-keys.ts rules). */
export function parseAcpRowKey(raw: string): { sessionKey: string; agentId: string | null } {
  if (raw.startsWith(KEY_PREFIX_V1)) {
    try {
      const decoded = JSON.parse(Buffer.from(raw.slice(KEY_PREFIX_V1.length), 'base64url').toString('utf8')) as unknown;
      if (Array.isArray(decoded) && decoded.length === 2 && (decoded[0] === null || typeof decoded[0] === 'string') && typeof decoded[1] === 'string') {
        return { sessionKey: decoded[1].trim().toLowerCase(), agentId: decoded[0] ? decoded[0].trim().toLowerCase() : null };
      }
    } catch {
      // falls through: an undecodable key is matched literally, so it matches no session
    }
    return { sessionKey: raw, agentId: null };
  }
  if (raw.startsWith(KEY_PREFIX_AGENT)) {
    const rest = raw.slice(KEY_PREFIX_AGENT.length);
    const at = rest.indexOf(':');
    if (at > 0) return { sessionKey: rest.slice(at + 1).trim().toLowerCase(), agentId: rest.slice(0, at).trim().toLowerCase() };
  }
  return { sessionKey: raw.trim().toLowerCase(), agentId: null };
}

/**
 * Reads every acp_sessions row. Never throws for a database it cannot read: that is an
 * `unreadable` result, which callers must treat as "ACP state unknown", never as "closed".
 */
export function readAcpState(stateDir: string): AcpStateRead {
  const file = acpStateDbPath(stateDir);
  if (!existsSync(file)) return { source: 'entries', path: file };
  try {
    return withReadOnlySqlite(file, (db) => {
      const table = db.all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'acp_sessions'`);
      if (table.length === 0) return { source: 'entries', path: file } as const;
      const columns = new Set(db.all('PRAGMA table_info(acp_sessions)').map((row) => String(row.name)));
      for (const needed of ['session_key', 'state', 'mode', 'last_activity_at']) {
        if (!columns.has(needed)) return { source: 'unreadable', path: file, reason: `acp_sessions has no ${needed} column: a layout this tool does not know` } as const;
      }
      const rows = db.all('SELECT * FROM acp_sessions').map(toRow);
      return { source: 'state-db', path: file, rows } as const;
    });
  } catch (error) {
    const reason = error instanceof ToolError ? error.message : `cannot read ${file}: ${(error as Error).message}`;
    return { source: 'unreadable', path: file, reason };
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function toRow(row: Record<string, unknown>): AcpStateRow {
  const { sessionKey, agentId } = parseAcpRowKey(String(row.session_key));
  let identity: AcpMeta['identity'];
  try {
    const parsed = row.identity_json ? (JSON.parse(String(row.identity_json)) as unknown) : null;
    if (parsed && typeof parsed === 'object') {
      const p = parsed as Record<string, unknown>;
      identity = { state: text(p.state), source: text(p.source), lastUpdatedAt: num(p.lastUpdatedAt) };
    }
  } catch {
    identity = undefined;
  }
  // The state is kept as written: classify treats a value it does not know as not terminal.
  const meta: AcpMeta = {
    backend: text(row.backend),
    agent: text(row.agent),
    runtimeSessionName: text(row.runtime_session_name),
    mode: text(row.mode),
    state: text(row.state),
    lastActivityAt: num(row.last_activity_at),
    lastError: text(row.last_error) ?? null,
    identity,
  };
  return { sessionKey, agentId, sessionId: text(row.session_id) ?? null, updatedAt: num(row.updated_at) ?? 0, meta };
}

/** Rows by store key, for joining to session entries. */
export class AcpStateIndex {
  private readonly byKey = new Map<string, AcpStateRow[]>();

  constructor(rows: readonly AcpStateRow[]) {
    for (const row of rows) {
      const list = this.byKey.get(row.sessionKey) ?? [];
      list.push(row);
      this.byKey.set(row.sessionKey, list);
    }
  }

  /**
   * The ACP state of one session: a row for its key (and agent, when the row names one) whose
   * session id is unset or the entry's (`sessionId`, or 9.x `lifecycleRevision`), as the
   * gateway matches them; the most recently active if several match.
   */
  lookup(agentId: string, key: string, entry: SessionEntry): AcpMeta | undefined {
    const candidates = this.byKey.get(key.trim().toLowerCase());
    if (!candidates) return undefined;
    let best: AcpStateRow | undefined;
    for (const row of candidates) {
      if (row.agentId !== null && row.agentId !== agentId) continue;
      if (row.sessionId !== null && row.sessionId !== entry.sessionId && row.sessionId !== entry.lifecycleRevision) continue;
      if (!best || (row.meta.lastActivityAt ?? 0) > (best.meta.lastActivityAt ?? 0)) best = row;
    }
    return best?.meta;
  }

  get size(): number {
    return this.byKey.size;
  }
}

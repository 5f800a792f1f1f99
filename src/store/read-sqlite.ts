/**
 * Read-only access to OpenClaw 8.1+ per-agent SQLite stores (docs/openclaw.md §9).
 *
 * Opened read-only with a busy timeout and never written: the gateway kills itself if the
 * database or its -wal/-shm files are replaced. Uses `node:sqlite` (Node 22.13+); on an older
 * Node one line says what to run instead.
 */
import { ToolError } from '../errors.js';
import { withReadOnlySqlite, type ReadOnlyDb } from './sqlite-open.js';

export interface SqliteRow {
  key: string;
  raw: unknown;
  /** Set when entry_json itself does not parse; the row is listed as invalid. */
  invalidReason?: string;
}

export interface SqliteStoreRead {
  rows: SqliteRow[];
  /** Rows whose entry_json disagrees with the row's own columns: not the current entry. */
  skippedRows: number;
  userVersion: number | null;
}

/**
 * The current rows of `session_nodes`. Opened through sqlite-open.ts (read-only, busy timeout, a
 * quiescent WAL database read from a private copy so no -wal/-shm is ever left beside it).
 */
export function readSqliteStore(file: string): SqliteStoreRead {
  return withReadOnlySqlite(file, (db) => readRows(db, file));
}

function readRows(db: ReadOnlyDb, file: string): SqliteStoreRead {
  try {
    const columns = new Set(db.all(`PRAGMA table_info(session_nodes)`).map((row) => String(row.name)));
    for (const needed of ['session_key', 'current_session_id', 'entry_json', 'updated_at']) {
      if (!columns.has(needed)) throw new ToolError('failed', `SQLite store ${file} has no session_nodes.${needed} column: not an OpenClaw agent database this tool knows`);
    }
    const archived = columns.has('archived_at') ? ' WHERE archived_at IS NULL' : '';
    const userVersion = Number(db.all('PRAGMA user_version')[0]?.user_version ?? NaN);
    const rows: SqliteRow[] = [];
    let skippedRows = 0;
    for (const row of db.all(`SELECT session_key, current_session_id, entry_json, updated_at FROM session_nodes${archived} ORDER BY session_key`)) {
      let raw: unknown;
      try {
        raw = JSON.parse(String(row.entry_json));
      } catch {
        rows.push({ key: String(row.session_key), raw: null, invalidReason: 'entry_json does not parse' });
        continue;
      }
      const entry = raw as { sessionId?: unknown; updatedAt?: unknown };
      // Only the row's current entry counts (docs/openclaw.md §9); older versions linger in the table.
      if (entry.sessionId !== row.current_session_id || Number(entry.updatedAt) !== Number(row.updated_at)) {
        skippedRows++;
        continue;
      }
      rows.push({ key: String(row.session_key), raw });
    }
    return { rows, skippedRows, userVersion: Number.isFinite(userVersion) ? userVersion : null };
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError('failed', `cannot read SQLite store ${file}: ${(error as Error).message}`);
  }
}

/**
 * Read-only access to OpenClaw 8.1+ per-agent SQLite stores (docs/openclaw.md §9).
 *
 * Opened read-only with a busy timeout and never written: the gateway kills itself if the
 * database or its -wal/-shm files are replaced. Uses `node:sqlite` where the runtime has it
 * (Node 22.13+), else the optional better-sqlite3 binding.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';

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

interface ReadOnlyDb {
  all(sql: string): Array<Record<string, unknown>>;
  close(): void;
}

const BUSY_TIMEOUT_MS = 5000;
const require = createRequire(import.meta.url);

function openReadOnly(file: string): ReadOnlyDb {
  const nodeSqlite = loadNodeSqlite();
  if (nodeSqlite) {
    const db = new nodeSqlite.DatabaseSync(file, { readOnly: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return { all: (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>, close: () => db.close() };
  }
  let Database: typeof import('better-sqlite3');
  try {
    Database = require('better-sqlite3') as typeof import('better-sqlite3');
  } catch {
    throw new ToolError('failed', `cannot read SQLite store ${file}: this Node.js has no node:sqlite and the optional better-sqlite3 module is not installed (npm install better-sqlite3@12)`);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  return { all: (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>, close: () => db.close() };
}

function loadNodeSqlite(): { DatabaseSync: new (file: string, options: { readOnly: boolean }) => NodeSqliteDb } | null {
  try {
    // getBuiltinModule (Node 22.3+) probes without an import that would throw on Node 20.
    const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const mod = getBuiltin?.('node:sqlite') as { DatabaseSync?: unknown } | undefined;
    return mod?.DatabaseSync ? (mod as { DatabaseSync: new (file: string, options: { readOnly: boolean }) => NodeSqliteDb }) : null;
  } catch {
    return null;
  }
}

interface NodeSqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}

/**
 * A WAL database with no -wal/-shm beside it has no open connection; opening it, even
 * read-only, would create both files and leave them behind. So a quiescent database is read
 * from a private copy (taken twice if it changed during the copy); a live one in place, where
 * those files already exist.
 */
export function readSqliteStore(file: string): SqliteStoreRead {
  if (existsSync(`${file}-wal`) || existsSync(`${file}-shm`)) return readFrom(file, file);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openclaw-sessions-sqlite-'));
  try {
    const copy = path.join(dir, 'snapshot.sqlite');
    for (let attempt = 0; ; attempt++) {
      const before = statSync(file);
      copyFileSync(file, copy);
      const after = statSync(file);
      if ((before.mtimeMs === after.mtimeMs && before.size === after.size) || attempt >= 3) break;
    }
    // A live connection may have appeared meanwhile: then read in place instead.
    if (existsSync(`${file}-wal`)) return readFrom(file, file);
    return readFrom(copy, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFrom(source: string, file: string): SqliteStoreRead {
  let db: ReadOnlyDb;
  try {
    db = openReadOnly(source);
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError('failed', `cannot open SQLite store ${file} read-only: ${(error as Error).message}`);
  }
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
  } finally {
    db.close();
  }
}

/**
 * Opening OpenClaw's SQLite databases (2026.8.1+: `agents/<id>/agent/openclaw-agent.sqlite`,
 * `state/openclaw.sqlite`) read-only, with Node's built-in `node:sqlite` and nothing compiled.
 *
 * Two rules, both from how the gateway treats its databases (docs/openclaw.md §9):
 * - never written: opened with `readOnly` and a busy timeout, so a gateway write is waited for;
 * - nothing left beside it: a WAL database with no -wal/-shm has no open connection, and opening
 *   it, even read-only, creates both files. So a quiescent database is read from a private copy
 *   (taken again if it changed during the copy); a live one in place, where they already exist.
 *
 * `node:sqlite` is in Node.js 22.13+ (22.5+ behind --experimental-sqlite); OpenClaw 2026.8.1+
 * itself needs Node 22, so a host with such a store has one. On an older Node the caller gets
 * one line saying what to run instead.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';

export type SqliteRow = Record<string, unknown>;

/** The read-only handle `withReadOnlySqlite` lends: `all` runs one statement, `?` parameters bound in order. */
export interface ReadOnlySqlite {
  all(sql: string, ...params: Array<string | number | null>): SqliteRow[];
}

interface NodeSqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  close(): void;
}
type NodeSqliteModule = { DatabaseSync: new (file: string, options: { readOnly: boolean }) => NodeSqliteDatabase };

const BUSY_TIMEOUT_MS = 5000;

/** `node:sqlite` of the running Node, or null (Node < 22.13 without --experimental-sqlite). */
export function nodeSqlite(): NodeSqliteModule | null {
  // getBuiltinModule (Node 20.16+/22.3+) probes without an import that throws on older Node.
  const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    const mod = getBuiltin?.('node:sqlite') as Partial<NodeSqliteModule> | undefined;
    return mod?.DatabaseSync ? (mod as NodeSqliteModule) : null;
  } catch {
    return null;
  }
}

/**
 * Opens `file` read-only (see the module comment for the copy rule), lends it to `use`, and
 * closes it and removes any private copy, whatever `use` does.
 * Errors: ToolError('failed') when this Node has no node:sqlite, or the file cannot be opened.
 */
export function withReadOnlySqlite<T>(file: string, use: (db: ReadOnlySqlite) => T): T {
  const sqlite = nodeSqlite();
  if (!sqlite) {
    throw new ToolError('failed', `cannot read SQLite database ${file}: Node.js ${process.version} has no node:sqlite; run openclaw-sessions with Node.js 22.13 or later (OpenClaw 2026.8.1+ needs Node 22 itself)`);
  }
  if (hasLiveConnection(file)) return openAndUse(sqlite, file, file, use);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openclaw-sessions-sqlite-'));
  try {
    const copy = path.join(dir, 'snapshot.sqlite');
    for (let attempt = 0; ; attempt++) {
      const before = statSync(file);
      copyFileSync(file, copy);
      const after = statSync(file);
      if ((before.mtimeMs === after.mtimeMs && before.size === after.size) || attempt >= 3) break;
    }
    // A connection may have opened meanwhile: then its -wal holds the newest data; read in place.
    if (hasLiveConnection(file)) return openAndUse(sqlite, file, file, use);
    return openAndUse(sqlite, copy, file, use);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hasLiveConnection(file: string): boolean {
  return existsSync(`${file}-wal`) || existsSync(`${file}-shm`);
}

function openAndUse<T>(sqlite: NodeSqliteModule, source: string, file: string, use: (db: ReadOnlySqlite) => T): T {
  let db: NodeSqliteDatabase;
  try {
    db = new sqlite.DatabaseSync(source, { readOnly: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    throw new ToolError('failed', `cannot open SQLite database ${file} read-only: ${(error as Error).message}`);
  }
  try {
    return use({ all: (sql, ...params) => db.prepare(sql).all(...params) as SqliteRow[] });
  } finally {
    db.close();
  }
}

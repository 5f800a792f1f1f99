/**
 * One way to open an OpenClaw SQLite database read-only, shared by every SQLite reader:
 * `node:sqlite` only (Node.js 22.13+; Node 20 gets one clear error), its ExperimentalWarning
 * silenced (and no other warning), and never a write, a copy over, or a left-behind -wal/-shm.
 *
 * Why the care (docs/openclaw.md §9): the gateway kills itself if its database or the -wal/-shm files
 * are replaced, and a read-only connection to a WAL database with no -wal/-shm beside it
 * creates both and leaves them there.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';

export interface ReadOnlyDb {
  all(sql: string, ...params: Array<string | number | null>): Array<Record<string, unknown>>;
  close(): void;
}

interface NodeSqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (file: string, options: { readOnly: boolean }) => NodeSqliteDb;
}

const BUSY_TIMEOUT_MS = 5000;
let filterInstalled = false;

/**
 * Drops the one warning Node prints when `node:sqlite` loads ("ExperimentalWarning: SQLite is
 * an experimental feature…"); every other warning still reaches stderr. Must run before the
 * module loads: the warning is emitted on first load. Idempotent.
 */
export function silenceSqliteExperimentalWarning(): void {
  if (filterInstalled) return;
  filterInstalled = true;
  const emit = process.emit as (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) => boolean;
  process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    const warning = args[0] as { name?: unknown; message?: unknown } | undefined;
    if (event === 'warning' && warning?.name === 'ExperimentalWarning' && /SQLite/i.test(String(warning.message))) return false;
    return emit.call(this, event, ...args);
  } as typeof process.emit;
}

/** `node:sqlite`, or null on a Node.js without it (20.x, or 22 before 22.13 without the flag). */
export function loadNodeSqlite(): NodeSqliteModule | null {
  silenceSqliteExperimentalWarning();
  try {
    // getBuiltinModule (Node 22.3+) probes without an import that would throw on Node 20.
    const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const mod = getBuiltin?.('node:sqlite') as { DatabaseSync?: unknown } | undefined;
    return mod?.DatabaseSync ? (mod as NodeSqliteModule) : null;
  } catch {
    return null;
  }
}

/** The one line a Node.js without `node:sqlite` gets. */
export function sqliteUnsupportedReason(): string {
  return `reading SQLite needs Node.js 22.13 or later (node:sqlite); this is Node.js ${process.versions.node}`;
}

function openReadOnly(file: string): ReadOnlyDb {
  const sqlite = loadNodeSqlite();
  if (!sqlite) throw new ToolError('failed', `cannot read ${file}: ${sqliteUnsupportedReason()}`);
  const db = new sqlite.DatabaseSync(file, { readOnly: true });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return { all: (sql, ...params) => db.prepare(sql).all(...params) as Array<Record<string, unknown>>, close: () => db.close() };
}

/**
 * Runs `read` on a read-only connection to `file`. A database with -wal/-shm beside it has a
 * live connection and is read in place; a quiescent one is read from a private copy (taken
 * again if it changed during the copy), so nothing is created beside it.
 *
 * Errors: CliError (exit 1) when node:sqlite is missing or the file cannot be opened; errors
 * thrown by `read` pass through.
 */
export function withReadOnlySqlite<T>(file: string, read: (db: ReadOnlyDb) => T): T {
  if (existsSync(`${file}-wal`) || existsSync(`${file}-shm`)) return readFrom(file, file, read);
  if (!loadNodeSqlite()) throw new ToolError('failed', `cannot read ${file}: ${sqliteUnsupportedReason()}`);
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
    if (existsSync(`${file}-wal`)) return readFrom(file, file, read);
    return readFrom(copy, file, read);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFrom<T>(source: string, file: string, read: (db: ReadOnlyDb) => T): T {
  let db: ReadOnlyDb;
  try {
    db = openReadOnly(source);
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError('failed', `cannot open ${file} read-only: ${(error as Error).message}`);
  }
  try {
    return read(db);
  } finally {
    db.close();
  }
}

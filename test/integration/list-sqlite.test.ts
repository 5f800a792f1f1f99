import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { runInProcess } from '../helpers/cli.js';
import { tempDir, writeFile } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);

function makeAgentDb(file: string, wal: boolean): void {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(file);
  if (wal) db.pragma('journal_mode = WAL');
  db.pragma('user_version = 23');
  db.exec(`CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT, entry_json TEXT, updated_at INTEGER, status TEXT, archived_at INTEGER)`);
  const insert = db.prepare('INSERT INTO session_nodes VALUES (?, ?, ?, ?, ?, ?)');
  const now = Date.now();
  const errored = { sessionId: 's-err', updatedAt: now - 3_600_000, acp: { backend: 'acpx', agent: 'x', mode: 'persistent', state: 'error', lastError: 'boom', lastActivityAt: now - 3_600_000 } };
  insert.run('agent:main:acp:err', 's-err', JSON.stringify(errored), errored.updatedAt, 'failed', null);
  insert.run('agent:main:main', 's-main', JSON.stringify({ sessionId: 's-main', updatedAt: now }), now, null, null);
  // Superseded: entry_json's sessionId is not the row's current one.
  insert.run('agent:main:acp:old', 's-new', JSON.stringify({ sessionId: 's-old', updatedAt: now }), now, null, null);
  insert.run('agent:main:acp:archived', 's-a', JSON.stringify({ sessionId: 's-a', updatedAt: now }), now, null, now);
  insert.run('agent:main:acp:garbled', 's-g', '{not json', now, null, null);
  if (wal) {
    // Leave data in the WAL, as a running gateway does, by not checkpointing on close.
    db.pragma('wal_autocheckpoint = 0');
  }
  db.close();
}

for (const wal of [false, true]) {
  test(`8.1+ SQLite store (${wal ? 'WAL' : 'rollback journal'}) is listed read-only`, async () => {
    const state = tempDir();
    const dir = path.join(state, 'agents', 'main', 'agent');
    writeFile(path.join(dir, '.keep'), '');
    const db = path.join(dir, 'openclaw-agent.sqlite');
    makeAgentDb(db, wal);
    const before = readFileSync(db);
    const filesBefore = readdirSync(dir).sort();
    const result = (await runInProcess(['list', '--json', '--state-dir', state]));
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { stores: Array<{ format: string; openclawVersion?: string }>; sessions: Array<{ key: string; state: string }> };
    assert.equal(out.stores[0]!.format, 'sqlite');
    assert.match(out.stores[0]!.openclawVersion!, />=2026\.8\.1 \(schema 23\)/);
    assert.deepEqual(
      out.sessions.map((s) => [s.key, s.state]).sort(),
      [['agent:main:acp:err', 'errored'], ['agent:main:acp:garbled', 'invalid'], ['agent:main:main', 'idle']],
    );
    assert.deepEqual(readFileSync(db), before, 'database bytes unchanged');
    assert.deepEqual(readdirSync(dir).sort(), filesBefore, 'no file created or removed next to the database');
    assert.ok(existsSync(db));
  });
}

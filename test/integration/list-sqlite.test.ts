import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadNodeSqlite } from '../../src/store/sqlite-open.js';
import { runCli, runInProcess } from '../helpers/cli.js';
import { tempDir, writeFile } from '../helpers/tmp.js';

// These run where the Node running the tests has node:sqlite (22.13+); CI runs this file again
// under the real-gateway lane's Node 22 (.ci/run), since the default lane's Node 20 has none.
const sqlite = loadNodeSqlite() as unknown as {
  DatabaseSync: new (file: string, options: { readOnly: boolean }) => { exec(sql: string): void; prepare(sql: string): { run(...params: unknown[]): unknown }; close(): void };
} | null;
const needsSqlite = sqlite ? false : `Node.js ${process.version} has no node:sqlite (CI runs this file under Node 22)`;

function makeAgentDb(file: string, wal: boolean): void {
  const db = new sqlite!.DatabaseSync(file, { readOnly: false });
  if (wal) db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA user_version = 23');
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
    db.exec('PRAGMA wal_autocheckpoint = 0');
  }
  db.close();
}

for (const wal of [false, true]) {
  test(`8.1+ SQLite store (${wal ? 'WAL' : 'rollback journal'}) is listed read-only`, { skip: needsSqlite }, async () => {
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

test('SQLite stores are refused for writing (exit 4)', { skip: needsSqlite }, () => {
  const state = tempDir();
  const db = path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
  mkdirSync(path.dirname(db), { recursive: true });
  const handle = new sqlite!.DatabaseSync(db, { readOnly: false });
  handle.exec('CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT, entry_json TEXT, updated_at INTEGER)');
  const entry = { sessionId: 's', updatedAt: 1, acp: { mode: 'persistent', state: 'error' } };
  handle.prepare('INSERT INTO session_nodes VALUES (?, ?, ?, ?)').run('agent:main:acp:x', 's', JSON.stringify(entry), 1);
  handle.close();
  const before = readFileSync(db);
  const result = runCli(['prune', '--yes', '--state-dir', state]);
  assert.equal(result.status, 4, result.stderr);
  assert.match(result.stderr, /SQLite stores are changed only through the gateway/);
  assert.deepEqual(readFileSync(db), before);
});

test('a Node.js without node:sqlite says in one line what to run instead', { skip: sqlite ? `Node.js ${process.version} has node:sqlite` : false }, () => {
  const state = tempDir();
  // The check comes before the file is opened, so any bytes do.
  writeFile(path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite'), 'SQLite format 3\0');
  const result = runCli(['list', '--json', '--state-dir', state]);
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /reading SQLite needs Node\.js 22\.13 or later \(node:sqlite\)/);
});

// Observed on a real 2026.9.6 gateway: the footer said "(no acp.maxConcurrentSessions cap set)",
// advice to set a key that 8.1+ removed (9.6 refuses to start with it).
test('an 8.1+ SQLite install: the slot line says the release has no cap, not that none is set', { skip: needsSqlite }, async () => {
  const state = tempDir();
  const dir = path.join(state, 'agents', 'main', 'agent');
  writeFile(path.join(dir, '.keep'), '');
  writeFile(path.join(state, 'openclaw.json'), '{}');
  makeAgentDb(path.join(dir, 'openclaw-agent.sqlite'), false);
  const result = await runInProcess(['list', '--no-rpc', '--state-dir', state]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /1 ACP slot held by 1 errored \(OpenClaw 2026\.8\.1\+ has no ACP session cap\)/);
  assert.doesNotMatch(result.stdout, /maxConcurrentSessions/);
});

test('--agent on an 8.1+ install: the slot line does not call a removed cap gateway-wide', { skip: needsSqlite }, async () => {
  // Observed on a real 2026.9.6 gateway: `list --agent okay` said "1 ACP slot held by 1 idle
  // (OpenClaw 2026.8.1+ has no ACP session cap) across all agents (the cap is gateway-wide); 1 by the selection".
  const state = tempDir();
  writeFile(path.join(state, 'openclaw.json'), '{ agents: { list: [{ id: "main", default: true }, { id: "okay" }] } }');
  for (const agent of ['main', 'okay']) {
    const dir = path.join(state, 'agents', agent, 'agent');
    writeFile(path.join(dir, '.keep'), '');
    makeAgentDb(path.join(dir, 'openclaw-agent.sqlite'), false);
  }
  const result = await runInProcess(['list', '--agent', 'okay', '--no-rpc', '--state-dir', state]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /\(OpenClaw 2026\.8\.1\+ has no ACP session cap\) across all agents; \d+ by the selection$/m);
  assert.doesNotMatch(result.stdout, /gateway-wide/);
});

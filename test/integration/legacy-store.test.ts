/**
 * Issue 8 defect 8: with OpenClaw 8.1+, a sessions.json left beside the agent's SQLite store is
 * a leftover the gateway no longer reads. It is listed as legacy, kept out of counts and slot
 * claims, and left alone by prune unless named with --store. Runs the CLI on Node 22 (node:sqlite),
 * the lane's Node; skipped where that is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN } from '../helpers/cli.js';
import { acpEntry, chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';
import { NODE22 } from '../e2e/real-gateway.js';

const skip = existsSync(NODE22) ? false : `needs Node 22 for node:sqlite (${NODE22}; bash .ci/install-openclaw.sh)`;

function node22(args: string[], env: Record<string, string>, input?: string) {
  const result = spawnSync(NODE22, args, { env: { PATH: process.env.PATH, LANG: 'C.UTF-8', NODE_NO_WARNINGS: '1', ...env }, encoding: 'utf8', input, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function install(): { home: string; state: string; legacy: string; legacyBytes: Buffer } {
  const home = tempDir();
  const state = path.join(home, '.openclaw');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  const db = path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
  writeFile(path.join(path.dirname(db), '.keep'), '');
  const now = Date.now();
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(${JSON.stringify(db)});
    db.exec('PRAGMA user_version = 23');
    db.exec('CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT, entry_json TEXT, updated_at INTEGER, status TEXT, archived_at INTEGER)');
    const insert = db.prepare('INSERT INTO session_nodes VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('agent:main:main', 's-main', JSON.stringify({ sessionId: 's-main', updatedAt: ${now} }), ${now}, null, null);
    db.close();`;
  const made = node22(['-e', script], {});
  assert.equal(made.status, 0, made.stderr);
  // The leftover: what a 4.x–7.x gateway had written, three errored ACP sessions among them.
  const legacy = writeFile(storePath(state, 'main'), {
    'agent:main:main': chatEntry('old-main', 90 * 24 * 60 * MIN),
    'agent:main:acp:a': acpEntry('a', 90 * 24 * 60 * MIN, { state: 'error', lastError: 'x' }),
    'agent:main:acp:b': acpEntry('b', 90 * 24 * 60 * MIN, { state: 'error', lastError: 'x' }),
    'agent:main:acp:c': acpEntry('c', 90 * 24 * 60 * MIN, { state: 'error', lastError: 'x' }),
  });
  return { home, state, legacy, legacyBytes: readFileSync(legacy) };
}

test('defect 8: a sessions.json beside an 8.1+ SQLite store is listed as legacy, not counted, no slots claimed, not pruned', { skip }, () => {
  const { home, legacy, legacyBytes } = install();
  const listed = node22([BIN, 'list', '--json'], { HOME: home });
  assert.equal(listed.status, 0, listed.stderr);
  const doc = JSON.parse(listed.stdout) as { sessions: Array<{ key: string }>; summary: { total: number; acp: { slotsHeld: number } }; legacyStores: Array<{ path: string }>; stores: Array<{ path: string }> };
  assert.deepEqual(doc.sessions.map((s) => s.key), ['agent:main:main']);
  assert.equal(doc.summary.total, 1);
  assert.equal(doc.summary.acp.slotsHeld, 0);
  assert.deepEqual(doc.legacyStores.map((s) => s.path), [legacy]);
  assert.ok(!doc.stores.some((s) => s.path === legacy));
  const text = node22([BIN, 'list'], { HOME: home });
  assert.match(text.stdout, /legacy .*sessions\.json: left beside agent main's SQLite store/);

  const dry = node22([BIN, 'prune', '--dry-run', '--json', '--older-than', '0'], { HOME: home });
  assert.equal(dry.status, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout) as { pruned: unknown[]; slotsFreed: number | null; slotsHeldOnDisk: number };
  assert.deepEqual([plan.pruned.length, plan.slotsFreed, plan.slotsHeldOnDisk], [0, null, 0], 'no slots promised on 8.1+');
  const real = node22([BIN, 'prune', '--yes', '--older-than', '0'], { HOME: home });
  assert.equal(real.status, 0, real.stderr);
  assert.deepEqual(readFileSync(legacy), legacyBytes);

  // Named with --store, it is read like any sessions.json.
  const named = node22([BIN, 'list', '--json', '--store', legacy], { HOME: home });
  assert.equal(named.status, 0, named.stderr);
  assert.equal((JSON.parse(named.stdout) as { sessions: unknown[] }).sessions.length, 4);
});

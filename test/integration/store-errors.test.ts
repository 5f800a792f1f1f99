/**
 * Stores a run cannot read are named on stderr, one line each, except that stores failing for a
 * reason of this Node.js's (no node:sqlite before 22.13) share one line. Observed: `list` on Node
 * 20 against a real 2026.9.6 install printed the same "needs Node.js 22.13" line once per agent.
 * Runs under whichever Node runs the tests: on 22.13+ the files below fail one by one (not
 * databases), and the lines stay one per store.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { chatEntry } from '../helpers/stores.js';
import { loadNodeSqlite } from '../../src/store/sqlite-open.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const MIN = 60_000;

/** An install whose agents keep SQLite stores (8.1+): the header of a SQLite file and nothing else. */
function install(sqliteAgents: string[], jsonAgents: string[] = []): { state: string; env: Record<string, string> } {
  const root = tempDir();
  const state = path.join(root, 'state');
  const agents = [...jsonAgents, ...sqliteAgents];
  writeFile(path.join(state, 'openclaw.json'), `{ agents: { list: [${agents.map((id) => `{ id: "${id}" }`).join(', ')}] } }`);
  for (const id of sqliteAgents) {
    const db = path.join(state, 'agents', id, 'agent', 'openclaw-agent.sqlite');
    mkdirSync(path.dirname(db), { recursive: true });
    writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)]));
  }
  for (const id of jsonAgents) writeFile(storePath(state, id), { [`agent:${id}:main`]: chatEntry('m', MIN) });
  return { state, env: { HOME: root, TMPDIR: root } };
}

const nodeCannot = loadNodeSqlite() === null;
const storeLines = (stderr: string): string[] => stderr.split('\n').filter((line) => /openclaw-agent\.sqlite/.test(line));

test('no store readable: the Node.js reason is one line naming every store (list, prune --dry-run), exit 1', () => {
  const { state, env } = install(['main', 'a2', 'a3']);
  for (const args of [['list', '--no-rpc'], ['prune', '--dry-run']]) {
    const result = runCli([...args, '--state-dir', state], env);
    assert.equal(result.status, 1, result.stderr);
    const lines = storeLines(result.stderr);
    if (nodeCannot) {
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /^openclaw-sessions: cannot read 3 SQLite stores \(.*\): reading SQLite needs Node\.js 22\.13 or later/);
      for (const id of ['main', 'a2', 'a3']) assert.ok(lines[0]!.includes(path.join(state, 'agents', id, 'agent', 'openclaw-agent.sqlite')), id);
    } else {
      assert.equal(lines.length, 3, result.stderr);
    }
  }
});

test('some stores readable: the table (or the plan), then one folded line for the SQLite stores', () => {
  const { state, env } = install(['a2', 'a3'], ['main']);
  const list = runCli(['list', '--no-rpc', '--state-dir', state], env);
  assert.equal(list.status, 1, list.stderr);
  assert.match(list.stdout, /agent:main:main/);
  const prune = runCli(['prune', '--dry-run', '--state-dir', state], env);
  assert.equal(prune.status, 1, prune.stderr);
  for (const result of [list, prune]) {
    const lines = storeLines(result.stderr);
    if (nodeCannot) {
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /cannot read 2 SQLite stores \(.*a2.*a3.*\): reading SQLite needs Node\.js 22\.13/);
    } else {
      assert.equal(lines.length, 2, result.stderr);
    }
  }
  // list shows how to act on the healthy store alone; prune acts on it (and leaves the others).
  assert.match(list.stderr, /2 stores are broken; to act on the healthy one meanwhile:/);
  assert.match(storeLines(prune.stderr)[0]!, /^openclaw-sessions: left untouched: /);
});

test('doctor: stores failing for this Node.js\'s reason are one finding naming every store, with the Node.js fix once', () => {
  const { state, env } = install(['main', 'a2', 'a3']);
  const result = runCli(['doctor', '--no-rpc', '--json', '--state-dir', state], env);
  const findings = (JSON.parse(result.stdout) as { findings: Array<{ id: string; message: string; fix: string | null }> }).findings.filter((f) => f.id === 'store-unreadable');
  if (nodeCannot) {
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.match(findings[0]!.message, /^cannot read 3 SQLite stores \(.*\): reading SQLite needs Node\.js 22\.13 or later/);
    for (const id of ['main', 'a2', 'a3']) assert.ok(findings[0]!.message.includes(path.join(state, 'agents', id, 'agent', 'openclaw-agent.sqlite')), id);
    assert.equal(findings[0]!.fix, 'run openclaw-sessions with Node.js 22.13 or later');
  } else {
    assert.equal(findings.length, 3, JSON.stringify(findings));
  }
});

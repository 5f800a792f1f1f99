/**
 * ACP state in state/openclaw.sqlite (OpenClaw 7.x+), on a fixture captured from a real
 * 2026.7.35 gateway (test/fixtures/acp-state/2026.7.35: the three agents' sessions.json as the
 * gateway wrote them, and its acp_sessions table with the same DDL and rows, in WAL mode; one
 * idle healthy persistent session, two whose turns failed).
 *
 * On a Node.js without node:sqlite the ACP sessions are `unknown` and nothing is pruned; on one
 * with it (this process, or the lanes' cached Node 22) they are idle/errored, the database is
 * left byte for byte with nothing beside it, and stderr stays empty.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/acp-state/2026.7.35', import.meta.url));
const IDLE = 'agent:okay:acp:1f35db43-ab50-43ad-bc92-3e8855d5e6ae';
const FAILED = ['agent:failer:acp:c9e6a638-28b2-4e27-bac2-b77c80054d46', 'agent:failer:acp:bb05c57a-77a0-4ec6-aa73-0722d3f2ecaa'];

function hasNodeSqlite(node: string): boolean {
  return spawnSync(node, ['-e', "process.exit(process.getBuiltinModule && process.getBuiltinModule('node:sqlite') ? 0 : 1)"], { stdio: 'ignore' }).status === 0;
}

/** A Node.js with node:sqlite: this one, or the one the real-gateway lanes cache. */
function sqliteNode(): string | null {
  const candidates = [process.execPath, path.join(os.homedir(), '.cache', 'openclaw-sessions-e2e', 'node22', 'bin', 'node'), path.join(os.homedir(), '.cache', 'openclaw-sessions-e2e-2026.7.35', 'node22', 'bin', 'node')];
  return candidates.find((node) => existsSync(node) && hasNodeSqlite(node)) ?? null;
}

function stateDirCopy(): string {
  const dir = path.join(tempDir('ocs-acp-state-'), 'state');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function run(node: string, args: string[], stateDir: string) {
  const home = path.dirname(stateDir);
  const result = spawnSync(node, [BIN, ...args, '--state-dir', stateDir], { env: { PATH: process.env.PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type Listed = { sessions: Array<{ key: string; state: string; reason: string }>; summary: { acp: { slotsHeld: number; heldByState: Record<string, number> } } };

test('without node:sqlite (Node 20): ACP sessions are unknown, never closed, and a prune leaves them', { skip: hasNodeSqlite(process.execPath) ? 'this Node.js has node:sqlite' : false }, () => {
  const stateDir = stateDirCopy();
  const listed = run(process.execPath, ['list', '--json'], stateDir);
  assert.equal(listed.status, 0, listed.stderr);
  const list = JSON.parse(listed.stdout) as Listed;
  for (const key of [IDLE, ...FAILED]) {
    const session = list.sessions.find((s) => s.key === key);
    assert.equal(session?.state, 'unknown', key);
    assert.match(session!.reason, /ACP state unknown: .*Node\.js 22\.13/);
  }
  const doctor = run(process.execPath, ['doctor', '--json'], stateDir);
  const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; severity: string; fix: string | null }> }).findings;
  const unreadable = findings.find((f) => f.id === 'acp-state-unreadable');
  assert.equal(unreadable?.severity, 'problem', JSON.stringify(findings));
  assert.match(unreadable!.fix ?? '', /Node\.js 22\.13/);

  // Three sessions left unjudged is not "nothing to prune": a scheduled run must not report success
  // forever while they may hold every slot (seen on a real 7.35 gateway at 3/3, helper-22).
  const pruned = run(process.execPath, ['prune', '--yes', '--json', '--older-than', '0'], stateDir);
  assert.equal(pruned.status, 1, pruned.stderr);
  assert.match(pruned.stderr, /^openclaw-sessions: 3 ACP sessions left unjudged, never pruned: cannot read their state \(.*Node\.js 22\.13.*\); run openclaw-sessions with Node\.js 22\.13 or later\n$/);
  const keys = (JSON.parse(pruned.stdout) as { pruned: Array<{ key: string }> }).pruned.map((p) => p.key);
  for (const key of [IDLE, ...FAILED]) assert.ok(!keys.includes(key), `${key} must not be pruned for lack of data`);
  const okay = JSON.parse(readFileSync(path.join(stateDir, 'agents', 'okay', 'sessions', 'sessions.json'), 'utf8')) as Record<string, unknown>;
  assert.ok(okay[IDLE]);
  const quiet = run(process.execPath, ['prune', '--yes', '--quiet', '--older-than', '0'], stateDir);
  assert.deepEqual([quiet.status, quiet.stdout, quiet.stderr.split('\n').length], [1, '', 2], 'cron mails the one line');
});

test('without node:sqlite (Node 20), a 7.x install with a cap: list and metrics say the slots held on disk are unknown, not 0', { skip: hasNodeSqlite(process.execPath) ? 'this Node.js has node:sqlite' : false }, () => {
  const stateDir = stateDirCopy();
  writeFileSync(path.join(stateDir, 'openclaw.json'), '{ acp: { enabled: true, maxConcurrentSessions: 3 } }');
  const listed = run(process.execPath, ['list', '--no-rpc'], stateDir);
  assert.equal(listed.status, 0, listed.stderr);
  assert.doesNotMatch(listed.stdout, /0 of 3 ACP slots held/);
  assert.match(listed.stdout, /^ACP slots held \(cap 3\): unknown, the ACP state in .*openclaw\.sqlite is unreadable$/m);
  const metrics = run(process.execPath, ['metrics', '--no-rpc'], stateDir);
  assert.equal(metrics.status, 0, metrics.stderr);
  assert.doesNotMatch(metrics.stdout, /^openclaw_acp_slots_held/m);
  assert.match(metrics.stdout, /^openclaw_acp_state_readable 0$/m);
  assert.match(metrics.stdout, /^openclaw_acp_slots_cap 3$/m);
});

test('with node:sqlite: idle and errored from acp_sessions, slots counted, database untouched, stderr empty', { skip: sqliteNode() ? false : 'no Node.js with node:sqlite here (run .ci/install-openclaw.sh)' }, () => {
  const node = sqliteNode()!;
  const stateDir = stateDirCopy();
  const db = path.join(stateDir, 'state', 'openclaw.sqlite');
  const before = readFileSync(db);
  const listed = run(node, ['list', '--json'], stateDir);
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(listed.stderr, '', 'no ExperimentalWarning or anything else on stderr');
  const list = JSON.parse(listed.stdout) as Listed;
  assert.equal(list.sessions.find((s) => s.key === IDLE)?.state, 'idle');
  for (const key of FAILED) assert.equal(list.sessions.find((s) => s.key === key)?.state, 'errored');
  assert.equal(list.summary.acp.slotsHeld, 3);
  assert.deepEqual(readFileSync(db), before, 'the database is not written');
  assert.deepEqual(readdirSync(path.dirname(db)).sort(), ['openclaw.sqlite'], 'no -wal/-shm left beside it');

  const doctor = run(node, ['doctor', '--json'], stateDir);
  assert.equal(doctor.stderr, '');
  const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; message: string }> }).findings;
  assert.ok(findings.some((f) => /3 ACP slots held/.test(f.message) && /2 errored/.test(f.message) && /1 idle/.test(f.message)), JSON.stringify(findings));

  // No gateway runs: the file prune takes the errored pair and leaves the idle session.
  const pruned = run(node, ['prune', '--yes', '--json', '--older-than', '0'], stateDir);
  assert.equal(pruned.status, 0, pruned.stderr);
  assert.equal(pruned.stderr, '');
  const keys = (JSON.parse(pruned.stdout) as { pruned: Array<{ key: string }> }).pruned.map((p) => p.key).sort();
  assert.deepEqual(keys, [...FAILED].sort());
  const okay = JSON.parse(readFileSync(path.join(stateDir, 'agents', 'okay', 'sessions', 'sessions.json'), 'utf8')) as Record<string, unknown>;
  assert.ok(okay[IDLE], 'the idle session survives');
  assert.deepEqual(readFileSync(db), before, 'still untouched after the prune');
});

test('with node:sqlite and a hung gateway on the port (nothing answers, no version known): the 7.x store is not written at all (exit 4)', { skip: sqliteNode() ? false : 'no Node.js with node:sqlite here (run .ci/install-openclaw.sh)' }, async () => {
  const node = sqliteNode()!;
  const stateDir = stateDirCopy();
  const failer = path.join(stateDir, 'agents', 'failer', 'sessions', 'sessions.json');
  const before = readFileSync(failer);
  // The kernel accepts connections on a listening socket while this process, blocked in
  // spawnSync, answers none of them: a gateway too hung to answer, as SIGSTOP makes one.
  const server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const home = path.dirname(stateDir);
    const port = String((server.address() as AddressInfo).port);
    const result = spawnSync(node, [BIN, 'prune', '--yes', '--older-than', '0', '--state-dir', stateDir], { env: { PATH: process.env.PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8', OPENCLAW_GATEWAY_PORT: port }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 4, result.stdout + result.stderr);
    // ACP state in state/openclaw.sqlite is a release after 4.29: its JSON store has no cross-process lock.
    assert.match(result.stderr, new RegExp(`^openclaw-sessions: port ${port} accepts connections but nothing there answers as a gateway \\(a hung gateway, or another program\\): this OpenClaw version \\(5\\.2–7\\.x\\) has no cross-process store lock, so only its gateway may write the store; .*nothing was changed\\n$`));
    assert.deepEqual(readFileSync(failer), before, 'the store is unchanged');
  } finally {
    server.close();
  }
});

test('without node:sqlite (Node 20) and a hung gateway on the port, no version known: the unreadable state database still says 7.x, so no store is written (exit 4)', { skip: hasNodeSqlite(process.execPath) ? 'this Node.js has node:sqlite' : false }, async () => {
  const stateDir = stateDirCopy();
  // A finished subagent run beside the ACP sessions: the one entry a file prune would take.
  const okayStore = path.join(stateDir, 'agents', 'okay', 'sessions', 'sessions.json');
  const entries = JSON.parse(readFileSync(okayStore, 'utf8')) as Record<string, unknown>;
  entries['agent:okay:subagent:done'] = { sessionId: 'sub-done', updatedAt: Date.now() - 86_400_000, status: 'done' };
  writeFileSync(okayStore, JSON.stringify(entries, null, 2));
  const stores = ['okay', 'failer', 'main'].map((agent) => path.join(stateDir, 'agents', agent, 'sessions', 'sessions.json')).filter((file) => existsSync(file));
  const before = stores.map((file) => readFileSync(file, 'utf8'));
  const server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const home = path.dirname(stateDir);
    const port = String((server.address() as AddressInfo).port);
    const result = spawnSync(process.execPath, [BIN, 'prune', '--yes', '--older-than', '0', '--state-dir', stateDir], { env: { PATH: process.env.PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8', OPENCLAW_GATEWAY_PORT: port }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 4, result.stdout + result.stderr);
    assert.match(result.stderr, /this OpenClaw version \(5\.2–7\.x\) has no cross-process store lock, so only its gateway may write the store; .*nothing was changed\n$/);
    assert.deepEqual(stores.map((file) => readFileSync(file, 'utf8')), before, 'no store changed');
  } finally {
    server.close();
  }
});

test('restore while a 7.x gateway may be running (its port taken, no version known) writes nothing (exit 4): that store has no cross-process lock', async () => {
  // helper-22's walk: with a real 2026.7.35 gateway running, `restore` put two entries back into its
  // sessions.json behind its back (only the gateway may write a 5.2–7.x store while it runs).
  const stateDir = stateDirCopy();
  const okayStore = path.join(stateDir, 'agents', 'okay', 'sessions', 'sessions.json');
  const entries = JSON.parse(readFileSync(okayStore, 'utf8')) as Record<string, unknown>;
  entries['agent:okay:subagent:done'] = { sessionId: 'sub-done', updatedAt: Date.now() - 86_400_000, status: 'done' };
  writeFileSync(okayStore, JSON.stringify(entries, null, 2));
  const home = path.dirname(stateDir);
  const server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = String((server.address() as AddressInfo).port);
  const env = { PATH: process.env.PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8', OPENCLAW_GATEWAY_PORT: port };
  try {
    // No gateway yet (the listener is closed): the file prune journals the finished run.
    server.close();
    const pruned = spawnSync(process.execPath, [BIN, 'prune', '--yes', '--quiet', '--older-than', '0', '--state-dir', stateDir], { env, encoding: 'utf8', timeout: 60_000 });
    assert.ok(pruned.status === 0 || pruned.status === 1, pruned.stderr);
    assert.equal((JSON.parse(readFileSync(okayStore, 'utf8')) as Record<string, unknown>)['agent:okay:subagent:done'], undefined);
    await new Promise<void>((resolve) => server.listen(Number(port), '127.0.0.1', resolve));
    const before = readFileSync(okayStore);
    const restored = spawnSync(process.execPath, [BIN, 'restore', '--yes', '--state-dir', stateDir], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(restored.status, 4, restored.stdout + restored.stderr);
    assert.match(restored.stderr, /^openclaw-sessions: .*this OpenClaw version \(5\.2–7\.x\) has no cross-process store lock, so only its gateway may write the store while it runs: stop the gateway, restore, then start it; nothing was changed\n$/);
    assert.deepEqual(readFileSync(okayStore), before, 'the store is unchanged');
  } finally {
    server.close();
  }
});

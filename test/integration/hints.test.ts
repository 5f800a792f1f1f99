/**
 * Printed commands work when pasted: the list footer's `prune --dry-run`, the dry run's "to prune
 * them", the "To undo" after a prune, doctor's fixes and the broken-store hints are cut out of the
 * output of the built binary and EXECUTED by sh — from another directory, with HOME pointing at an
 * empty place — and must act on the same install (a state dir whose path needs quoting).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { loadNodeSqlite } from '../../src/store/sqlite-open.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const PTY = fileURLToPath(new URL('../../../test/helpers/pty-run.py', import.meta.url));

interface Install {
  state: string;
  env: Record<string, string>;
  /** The environment a pasted command runs in: `openclaw-sessions` on PATH, an empty HOME. */
  shell: Record<string, string>;
}

function install(): Install {
  const root = tempDir();
  // A path that must be quoted to survive a shell.
  const state = path.join(root, "ops' state dir");
  cpSync(path.join(REPO, 'examples', 'state'), state, { recursive: true });
  const home = path.join(root, 'home');
  mkdirSync(home);
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'openclaw-sessions'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(path.join(bin, 'openclaw-sessions'), 0o755);
  const env = { HOME: home, TMPDIR: root };
  return { state, env, shell: { ...env, PATH: `${bin}:${process.env.PATH}` } };
}

/**
 * The command printed on the line(s) after the one containing `marker` (continued with ` \`). The
 * prose before a command wraps at the terminal's width, so the marker may end one line later.
 */
function commandAfter(output: string, marker: string): string {
  const lines = output.replaceAll('\r\n', '\n').split('\n');
  let at = lines.findIndex((line, i) => line.includes(marker) || `${lines[i - 1]?.trim() ?? ''} ${line.trim()}`.includes(marker));
  assert.ok(at >= 0, `no "${marker}" in:\n${output}`);
  const command: string[] = [];
  do command.push(lines[++at]!.trim());
  while (command.at(-1)!.endsWith('\\'));
  return command.join('\n');
}

function paste(command: string, shell: Record<string, string>, answer?: string): { status: number | null; stdout: string; stderr: string } {
  assert.match(command, /^openclaw-sessions /);
  const args = answer ? [PTY, answer, '[y/N]', '--', 'sh', '-c', command] : ['-c', command];
  const result = spawnSync(answer ? 'python3' : 'sh', args, { cwd: '/', env: { ...shell, TERM: 'xterm', COLUMNS: '80' }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sessionCount(state: string, env: Record<string, string>, extra: string[] = []): number {
  const result = runCli(['list', '--json', '--state-dir', state, ...extra], env);
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { sessions: unknown[] }).sessions.length;
}

test('list footer → prune --dry-run → prune → restore: each printed command, pasted, acts on the same install', () => {
  const { state, env, shell } = install();
  const list = runCli(['list', '--state-dir', state], { ...env, COLUMNS: '80' });
  assert.equal(list.status, 0, list.stderr);
  const dryRun = commandAfter(list.stdout, 'to see the plan:');
  assert.ok(dryRun.includes(`'${state.replace("'", "'\\''")}'`), `the path is shell-quoted: ${dryRun}`);

  const plan = paste(dryRun, shell);
  assert.equal(plan.status, 0, plan.stderr);
  assert.match(plan.stdout, /would prune 7 of 14 sessions, from 2 stores/);

  const prune = paste(commandAfter(plan.stdout, 'to prune them:'), shell, 'y');
  assert.equal(prune.status, 0, prune.stdout);
  assert.match(prune.stdout, /Pruned 7 sessions from 2 stores/);
  assert.equal(sessionCount(state, env), 7);

  const undo = paste(commandAfter(prune.stdout, 'To undo:'), shell, 'y');
  assert.equal(undo.status, 0, undo.stdout);
  assert.match(undo.stdout, /Restored 7 sessions from run/);
  assert.equal(sessionCount(state, env), 14);
});

test('--agent: the footer keeps --agent and counts slots across all agents, saying so', () => {
  const { state, env, shell } = install();
  const list = runCli(['list', '--agent', 'coder', '--state-dir', state], env);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^4 of 3 ACP slots held by 1 idle, 2 errored, 1 stale across all agents \(the cap is gateway-wide\); 1 by the selection$/m);
  const plan = paste(commandAfter(list.stdout, 'to see the plan:'), shell);
  assert.equal(plan.status, 0, plan.stderr);
  assert.match(plan.stdout, /would prune 2 of 5 sessions, from 1 store/);
  assert.doesNotMatch(plan.stdout, /agent:main:/);
});

test('--store with no config found: the cap is unknown, not "no cap set"', () => {
  const { state, env } = install();
  const store = storePath(state, 'main');
  const elsewhere = path.join(state, '..', 'elsewhere');
  mkdirSync(elsewhere);
  const list = runCli(['list', '--store', store, '--state-dir', elsewhere], env);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^3 ACP slots held by 1 idle, 2 errored \(cap unknown: no OpenClaw config found\), in this store only/m);
  assert.doesNotMatch(list.stdout, /no acp\.maxConcurrentSessions cap set/);
  const json = JSON.parse(runCli(['list', '--json', '--store', store, '--state-dir', elsewhere], env).stdout) as { gatewaySlots: { capKnown: boolean; scope: string } };
  assert.deepEqual([json.gatewaySlots.capKnown, json.gatewaySlots.scope], [false, 'selected-stores']);
  // with the install's config found, --store counts the whole gateway
  const known = runCli(['list', '--store', store, '--state-dir', state], env);
  assert.match(known.stdout, /^4 of 3 ACP slots held .* across all agents \(the cap is gateway-wide\); 3 by the selection$/m);
});

test('doctor\'s fix for the terminal sessions on disk, pasted, removes them (no gateway: no "spawns fail", exit 0)', () => {
  const { state, env, shell } = install();
  const doctor = runCli(['doctor', '--no-rpc', '--state-dir', state], { ...env, COLUMNS: '80' });
  assert.equal(doctor.status, 0, doctor.stdout);
  assert.doesNotMatch(doctor.stdout, /spawns fail/);
  const fix = commandAfter(doctor.stdout.replace(/^ +fix: /m, (m) => `FIX\n${' '.repeat(m.length)}`), 'FIX');
  const pasted = paste(fix, shell, 'y');
  assert.equal(pasted.status, 0, pasted.stdout);
  const after = JSON.parse(runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], env).stdout) as { findings: Array<{ id: string }> };
  assert.ok(!after.findings.some((f) => f.id === 'terminal-slots' || f.id === 'cap-reached'), JSON.stringify(after.findings));
});

test('a broken store: list and prune say how to act on the healthy ones, and those commands work', () => {
  const { state, env, shell } = install();
  writeFileSync(storePath(state, 'main'), '{"agent:main:main": ');
  const list = runCli(['list', '--state-dir', state], env);
  assert.equal(list.status, 1);
  assert.match(list.stderr, /a store is broken; to act on the healthy one meanwhile:/);
  const listed = paste(commandAfter(list.stderr, 'to act on the healthy one'), shell);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /5 sessions in 1 store: coder 5/);

  // prune acts on the healthy stores itself (main's partial-failure rule), names the broken one
  // left untouched, and exits 1.
  const prune = runCli(['prune', '--dry-run', '--state-dir', state], env);
  assert.equal(prune.status, 1);
  assert.match(prune.stdout, /would prune 2 of 5 sessions, from 1 store/);
  assert.match(prune.stderr, /left untouched: session store .*does not parse/);

  // doctor's prune fix names the healthy store only, and runs
  const doctor = JSON.parse(runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], env).stdout) as { findings: Array<{ id: string; fix: string | null }> };
  const fix = doctor.findings.find((f) => f.id === 'terminal-slots' || f.id === 'cap-reached')!.fix!;
  assert.match(fix, /--agent coder/);
  const pasted = paste(`${fix} --dry-run`, shell);
  assert.equal(pasted.status, 0, pasted.stderr);
  assert.match(pasted.stdout, /would prune 2 of 5 sessions, from 1 store/);
});

// node:sqlite (22.13+) writes the fixture; the default lane's Node 20 has none (CI reruns under Node 22).
const sqlite = loadNodeSqlite() as unknown as {
  DatabaseSync: new (file: string, options: { readOnly: boolean }) => { exec(sql: string): void; prepare(sql: string): { run(...params: unknown[]): unknown }; close(): void };
} | null;

test('doctor never suggests prune for a SQLite store it cannot write (no gateway running)', { skip: sqlite ? false : `Node.js ${process.version} has no node:sqlite` }, () => {
  const { env } = install();
  const state = path.join(tempDir(), 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 1 } }');
  const db = path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
  writeFile(path.join(path.dirname(db), '.keep'), '');
  const handle = new sqlite!.DatabaseSync(db, { readOnly: false });
  handle.exec('PRAGMA user_version = 23');
  handle.exec('CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT, entry_json TEXT, updated_at INTEGER, status TEXT, archived_at INTEGER)');
  const at = Date.now() - 3_600_000;
  const entry = { sessionId: 's-err', updatedAt: at, acp: { backend: 'acpx', agent: 'x', mode: 'persistent', state: 'error', lastError: 'boom', lastActivityAt: at } };
  handle.prepare('INSERT INTO session_nodes VALUES (?, ?, ?, ?, ?, ?)').run('agent:main:acp:err', 's-err', JSON.stringify(entry), at, 'failed', null);
  handle.close();
  const doctor = JSON.parse(runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], env).stdout) as { findings: Array<{ id: string; message: string; fix: string | null }> };
  // No gateway runs, so nothing is held now (no cap-reached): the errored session is a warning
  // whose fix is to start the gateway, never a prune of a store only the gateway may write.
  assert.equal(doctor.findings.some((f) => f.id === 'cap-reached'), false);
  const held = doctor.findings.find((f) => f.id === 'terminal-slots')!;
  assert.doesNotMatch(held.fix ?? '', /openclaw-sessions prune/);
  assert.match(held.fix ?? '', /openclaw gateway start/);
  assert.match(held.message, /changes only through the gateway/);
  // and prune would indeed refuse it
  assert.equal(runCli(['prune', '--yes', '--older-than', '0', '--state-dir', state], env).status, 4);
  void readFileSync;
});

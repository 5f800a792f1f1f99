/**
 * Issue 8 defects 6 and 7, through the built binary: one broken store must not hide or block
 * the healthy ones; a name given explicitly that does not exist is an error, not "nothing to do".
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { acpEntry, chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

/** main healthy (one errored ACP run, one chat), ops truncated (a real, reported failure). */
function installWithBrokenAgent(): { home: string; state: string; healthy: string; broken: string; brokenBytes: Buffer } {
  const home = tempDir();
  const state = path.join(home, '.openclaw');
  writeFile(path.join(state, 'openclaw.json'), '{ agents: { list: [ { id: "main" }, { id: "ops" } ] } }');
  const healthy = writeFile(storePath(state, 'main'), {
    'agent:main:main': chatEntry('m', 2 * MIN, { status: 'done' }),
    'agent:main:acp:dead': acpEntry('dead', 60 * MIN, { state: 'error', lastError: 'acpx exited with code 1' }, { status: 'failed' }),
  });
  const broken = writeFile(storePath(state, 'ops'), '');
  const brokenBytes = Buffer.from('{\n  "agent:ops:acp:x": {\n    "sessionId": "x",\n    "upd');
  writeFileSync(broken, brokenBytes);
  return { home, state, healthy, broken, brokenBytes };
}

test('defect 6: list shows the readable stores and one error line per broken store, exit 1', () => {
  const { home, broken } = installWithBrokenAgent();
  const text = runCli(['list'], { HOME: home });
  assert.equal(text.status, 1);
  assert.match(text.stdout, /agent:main:acp:dead/);
  // One error line per broken store; then (ux) the pasteable command for the healthy ones.
  const lines = text.stderr.split('\n').filter((line) => line.startsWith('openclaw-sessions: ') && !line.includes('to act on the healthy'));
  assert.equal(lines.length, 1, text.stderr);
  assert.ok(lines[0]!.includes(broken), text.stderr);
  assert.match(text.stderr, /to act on the healthy one/);
  const json = runCli(['list', '--json'], { HOME: home });
  assert.equal(json.status, 1);
  const doc = JSON.parse(json.stdout) as { sessions: Array<{ key: string }>; failedStores: Array<{ agentId: string; path: string; error: string }> };
  assert.deepEqual(doc.sessions.map((s) => s.key).sort(), ['agent:main:acp:dead', 'agent:main:main']);
  assert.deepEqual(doc.failedStores.map((f) => [f.agentId, f.path]), [['ops', broken]]);
});

test('defect 6: prune prunes the readable stores, leaves the broken one byte-identical and names it, exit 1', () => {
  const { home, healthy, broken, brokenBytes } = installWithBrokenAgent();
  const result = runCli(['prune', '--yes', '--json'], { HOME: home });
  assert.equal(result.status, 1, result.stderr);
  const report = JSON.parse(result.stdout) as { pruned: Array<{ key: string }>; failedStores: Array<{ path: string }> };
  assert.deepEqual(report.pruned.map((p) => p.key), ['agent:main:acp:dead']);
  assert.deepEqual(report.failedStores.map((f) => f.path), [broken]);
  assert.ok(result.stderr.includes(broken), result.stderr);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(healthy, 'utf8')) as object), ['agent:main:main']);
  assert.deepEqual(readFileSync(broken), brokenBytes);
});

test('every store broken: still one line per store, exit 1, nothing written', () => {
  const home = tempDir();
  const state = path.join(home, '.openclaw');
  const a = writeFile(storePath(state, 'main'), '');
  writeFileSync(a, '{');
  const result = runCli(['prune', '--yes'], { HOME: home });
  assert.equal(result.status, 1);
  assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
  assert.equal(readFileSync(a, 'utf8'), '{');
});

function install(): { home: string; state: string } {
  const home = tempDir();
  const state = path.join(home, '.openclaw');
  writeFile(path.join(state, 'openclaw.json'), '{ agents: { list: [ { id: "main" }, { id: "ops" } ] } }');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', 2 * MIN) });
  writeFile(path.join(home, '.openclaw-work', 'openclaw.json'), '{}');
  return { home, state };
}

test('defect 7: --agent, --profile, --state-dir, --config that do not exist: one line naming what exists, exit 2, for list, prune and doctor', () => {
  const { home, state } = install();
  const cases: Array<[string[], RegExp]> = [
    [['--agent', 'nosuch'], /agent "nosuch" not found \(agents: main, ops;/],
    [['--profile', 'nosuch'], /profile "nosuch" not found: no .*\.openclaw-nosuch \(profiles in .*: default, work\)/],
    [['--state-dir', path.join(home, 'typo')], /state dir not found: .*typo \(OpenClaw state dirs in .*: .*\.openclaw, .*\.openclaw-work\)/],
    [['--config', path.join(home, 'typo.json')], new RegExp(`config file not found: .*typo\\.json.*\\(existing: ${path.join(state, 'openclaw.json').replace(/[.]/g, '\\.')}\\)`)],
  ];
  for (const command of [['list'], ['prune', '--dry-run'], ['prune', '--yes'], ['doctor', '--no-rpc'], ['schedule']]) {
    for (const [flags, pattern] of cases) {
      // schedule names no agent and reads no config.
      if (command[0] === 'schedule' && (flags[0] === '--agent' || flags[0] === '--config')) continue;
      const result = runCli([...command, ...flags], { HOME: home });
      assert.equal(result.status, 2, `${[...command, ...flags].join(' ')}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
      assert.match(result.stderr, pattern);
    }
  }
});

// helper-28: the variable was the one typo that did nothing forever ("Nothing to prune", exit 0).
test('OPENCLAW_STATE_DIR naming no directory: one line, exit 2, for list, prune and doctor; a flag still wins over it', () => {
  const { home, state } = install();
  for (const command of [['list'], ['prune', '--dry-run'], ['prune', '--yes'], ['doctor', '--no-rpc'], ['metrics'], ['schedule']]) {
    const result = runCli(command, { HOME: home, OPENCLAW_STATE_DIR: path.join(home, 'opnclaw') });
    assert.equal(result.status, 2, `${command.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
    assert.match(result.stderr, /state dir not found: .*opnclaw \(from OPENCLAW_STATE_DIR\) \(OpenClaw state dirs in .*: .*\.openclaw, .*\.openclaw-work\)/);
  }
  assert.equal(runCli(['list', '--state-dir', state], { HOME: home, OPENCLAW_STATE_DIR: path.join(home, 'opnclaw') }).status, 0);
});

test('names that exist still work; no install at the default location is still exit 0 with the paths looked at', () => {
  const { home } = install();
  assert.equal(runCli(['list', '--agent', 'ops'], { HOME: home }).status, 0);
  assert.equal(runCli(['list', '--agent', 'MAIN'], { HOME: home }).status, 0);
  assert.equal(runCli(['list', '--profile', 'work'], { HOME: home }).status, 0);
  const empty = tempDir();
  const none = runCli(['prune', '--dry-run'], { HOME: empty });
  assert.equal(none.status, 0, none.stderr);
  // Without an agents list the gateway's only agent is main, store or not.
  assert.equal(runCli(['list', '--agent', 'main'], { HOME: empty }).status, 0);
});

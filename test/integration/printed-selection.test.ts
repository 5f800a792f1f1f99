/**
 * A command the tool prints (the `restore <id>` after a prune, list's `prune --dry-run`) names
 * the install the environment chose, so pasted where that environment is not set — a cron
 * run's log read in a login shell — it acts on the same install. Before, it carried the flags
 * alone: after `OPENCLAW_STATE_DIR=/srv/x openclaw-sessions prune --yes` the printed
 * `openclaw-sessions restore <id>` looked in ~/.openclaw and found no such run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openclawCommand, printedSelection } from '../../src/cli/selection.js';
import { BIN, runCli } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

/** The shell words of the first printed line that starts with `openclaw-sessions <command>`. */
function printed(output: string, command: string): string {
  const line = output.split('\n').find((text) => text.trim().startsWith(`openclaw-sessions ${command}`));
  assert.ok(line, `no printed ${command} command in:\n${output}`);
  return line.trim();
}

/** Runs a printed command through sh, as pasted (its quoting included), without the environment that chose the install. */
function paste(line: string, home: string) {
  const words = line.replace(/^openclaw-sessions /, '');
  const result = spawnSync('sh', ['-c', `"$0" "$1" ${words}`, process.execPath, BIN], { env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('an install chosen by OPENCLAW_STATE_DIR: the printed undo names it, and pasted without that variable it restores the pruned sessions', () => {
  const root = tempDir();
  const state = path.join(root, 'srv state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  const home = path.join(root, 'home');
  const env = { HOME: home, OPENCLAW_STATE_DIR: state };

  const list = runCli(['list', '--no-rpc'], env);
  assert.equal(list.status, 0, list.stderr);
  assert.equal(printed(list.stdout, 'prune'), `openclaw-sessions prune --dry-run --state-dir '${state}'`, 'the config beside the state dir is found by --state-dir, not named');

  const pruned = runCli(['prune', '--yes', '--older-than', '0'], env);
  assert.equal(pruned.status, 0, pruned.stderr);
  const undo = printed(pruned.stdout, 'restore');
  assert.match(undo, new RegExp(`^openclaw-sessions restore \\S+ --state-dir '${state}'$`));
  // Pasted without OPENCLAW_STATE_DIR, quoting and all.
  const restored = paste(`${undo} --yes`, home);
  assert.equal(restored.status, 0, restored.stderr);
  assert.ok(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object).includes('agent:main:acp:errored'), 'the pruned session is back');
});

test('a config named by OPENCLAW_CONFIG_PATH elsewhere is named too; flags the operator gave are kept as given; no environment, no pinning', () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  const config = writeFile(path.join(root, 'etc', 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  const home = path.join(root, 'home');

  const fromEnv = runCli(['list', '--no-rpc', '--state-dir', state], { HOME: home, OPENCLAW_CONFIG_PATH: config });
  assert.equal(fromEnv.status, 0, fromEnv.stderr);
  const line = printed(fromEnv.stdout, 'prune');
  assert.equal(line, `openclaw-sessions prune --dry-run --state-dir ${state} --config ${config}`);
  const pasted = paste(line, home);
  assert.equal(pasted.status, 0, pasted.stderr);
  assert.equal(printed(pasted.stdout, 'prune'), `openclaw-sessions prune --state-dir ${state} --config ${config}`, 'pasted without the variable, it still acts on that config');

  const plain = runCli(['list', '--no-rpc', '--state-dir', state, '--config', config], { HOME: home });
  assert.equal(printed(plain.stdout, 'prune'), `openclaw-sessions prune --dry-run --state-dir ${state} --config ${config}`);
});

test('--profile under OPENCLAW_HOME: the printed command carries the profile\'s state dir (pasted, --profile alone would name ~/.openclaw-NAME, another install); openclaw commands keep OPENCLAW_HOME and --profile', () => {
  const root = tempDir();
  const served = path.join(root, 'srv');
  const home = path.join(root, 'home');
  const state = path.join(served, '.openclaw-work');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  // The login shell's own ~/.openclaw-work: another install, which the pasted command must not touch.
  writeFile(path.join(home, '.openclaw-work', 'openclaw.json'), '{ acp: { maxConcurrentSessions: 7 } }');

  const list = runCli(['list', '--no-rpc', '--profile', 'work'], { HOME: home, OPENCLAW_HOME: served });
  assert.equal(list.status, 0, list.stderr);
  const line = printed(list.stdout, 'prune');
  assert.equal(line, `openclaw-sessions prune --dry-run --state-dir ${state}`);
  const pasted = paste(line, home);
  assert.equal(pasted.status, 0, pasted.stderr);
  assert.match(pasted.stdout, /would prune 5 of 9 sessions, from 1 store/);
  assert.equal(printedSelection({ profile: 'work' }, { OPENCLAW_HOME: served }, { home: served, stateDir: state, configPath: path.join(state, 'openclaw.json') }).openclawProfile?.home, served);
  assert.equal(openclawCommand(printedSelection({ profile: 'work' }, { OPENCLAW_HOME: served }, { home: served, stateDir: state, configPath: null }), ['gateway', 'restart']).join(' '), `OPENCLAW_HOME=${served} openclaw --profile work gateway restart`);
});

test('OPENCLAW_CONFIG_PATH naming no file: the run had no config, so the printed command names that path and, pasted, stops at "config file not found" instead of reading the config beside the state dir', () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  const home = path.join(root, 'home');
  const missing = path.join(root, 'etc', 'missing.json');

  const list = runCli(['list', '--no-rpc'], { HOME: home, OPENCLAW_STATE_DIR: state, OPENCLAW_CONFIG_PATH: missing });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /cap unknown: no OpenClaw config found/);
  const line = printed(list.stdout, 'prune');
  assert.equal(line, `openclaw-sessions prune --dry-run --state-dir ${state} --config ${missing}`);
  const pasted = paste(line, home);
  assert.equal(pasted.status, 2, pasted.stdout);
  assert.match(pasted.stderr, /config file not found/);

  // Nothing beside the state dir to be read instead: the state dir alone is the same install.
  const bare = path.join(root, 'bare');
  writeFile(storePath(bare, 'main'), everyState('main'));
  const plain = runCli(['list', '--no-rpc'], { HOME: home, OPENCLAW_STATE_DIR: bare, OPENCLAW_CONFIG_PATH: missing });
  assert.equal(printed(plain.stdout, 'prune'), `openclaw-sessions prune --dry-run --state-dir ${bare}`);
});

test('a `~` the shell left to the tool (--state-dir=~/x from sh, as in a cron line) is printed as the dir the run used, not <cwd>/~/x', () => {
  const root = tempDir();
  const state = path.join(root, '.oc');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  const list = runCli(['list', '--no-rpc', '--state-dir=~/.oc'], { HOME: root });
  assert.equal(list.status, 0, list.stderr);
  assert.equal(printed(list.stdout, 'prune'), `openclaw-sessions prune --dry-run --state-dir ${state}`);
});

/**
 * The advice about a listener that may be a hung gateway names this install's `openclaw`: pasted
 * in a login shell, a bare `openclaw gateway restart` restarts ~/.openclaw's gateway — another
 * install's, its chats' running turns dropped. A TCP server that accepts and never answers (the
 * kernel completes the handshake while this process waits in spawnSync) is that listener.
 */
test('a listener on the port that answers nothing: doctor\'s and prune\'s `openclaw gateway restart` name the install OPENCLAW_STATE_DIR chose', async () => {
  const { createServer } = await import('node:net');
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const root = tempDir();
    const state = path.join(root, 'srv state');
    writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
    writeFile(storePath(state, 'main'), everyState('main'));
    const port = String((server.address() as { port: number }).port);
    const env = { HOME: path.join(root, 'home'), OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_PORT: port };
    const restart = `${openclawCommand({ stateDir: state }, ['gateway', 'restart']).join(' ')}`;
    assert.equal(restart, `OPENCLAW_STATE_DIR='${state}' openclaw gateway restart`);

    const doctor = runCli(['doctor', '--json', '--no-rpc'], env);
    const taken = (JSON.parse(doctor.stdout) as { findings: { id: string; fix: string | null }[] }).findings.find((finding) => finding.id === 'gateway-port-taken');
    assert.ok(taken, doctor.stdout);
    assert.ok(taken.fix?.includes(`a hung gateway: ${restart};`), taken.fix ?? '');

    // The errored ACP entry may hold a handle in a hung gateway: prune refuses, naming the same restart.
    const prune = runCli(['prune', '--yes', '--older-than', '0'], env);
    assert.equal(prune.status, 5, prune.stderr);
    assert.ok(prune.stderr.includes(`a hung gateway: ${restart};`), prune.stderr);
    assert.ok(!/[^=' ]openclaw gateway restart|^openclaw gateway restart/m.test(prune.stderr.replaceAll(restart, '')), `an unpinned restart is left: ${prune.stderr}`);
  } finally {
    server.close();
  }
});

test('restore\'s own pointer to `restore --list` names the install too (it said a bare `openclaw-sessions restore --list`, which pasted elsewhere lists ~/.openclaw\'s runs)', () => {
  const root = tempDir();
  const state = path.join(root, 'srv state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  const home = path.join(root, 'home');
  const env = { HOME: home, OPENCLAW_STATE_DIR: state };
  const pruned = runCli(['prune', '--yes', '--older-than', '0'], env);
  assert.equal(pruned.status, 0, pruned.stderr);

  const unknown = runCli(['restore', '20200101T000000Z-0000', '--yes'], env);
  assert.equal(unknown.status, 1, unknown.stderr);
  const line = /see: (openclaw-sessions restore --list[^)]*)\)/.exec(unknown.stderr)?.[1];
  assert.equal(line, `openclaw-sessions restore --list --state-dir '${state}'`, unknown.stderr);
  const pasted = paste(line, home);
  assert.equal(pasted.status, 0, pasted.stderr);
  assert.match(pasted.stdout, /RESTORABLE/, 'pasted without the variable, it lists this install\'s runs');

  const flagged = runCli(['restore', '20200101T000000Z-0000', '--yes', '--state-dir', state, '--agent', 'main'], { HOME: home });
  assert.match(flagged.stderr, new RegExp(`see: openclaw-sessions restore --list --state-dir '${state}' --agent main\\)`), 'the flags given are carried as well');
});

test("an install chosen by HOME (root's crontab `HOME=/home/oc …`): printed commands name its state dir, and pasted in a login shell with the account's own HOME they act on it; HOME that is the account's own pins nothing", () => {
  const root = tempDir();
  const home = path.join(root, 'oc home');
  const state = path.join(home, '.openclaw');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  // The login shell the command is pasted into: another home, holding another install.
  const shellHome = path.join(root, 'login');
  writeFile(path.join(shellHome, '.openclaw', 'openclaw.json'), '{ acp: { maxConcurrentSessions: 7 } }');

  const list = runCli(['list', '--no-rpc'], { HOME: home });
  assert.equal(list.status, 0, list.stderr);
  const line = printed(list.stdout, 'prune');
  assert.equal(line, `openclaw-sessions prune --dry-run --state-dir '${state}'`);
  const pasted = paste(line, shellHome);
  assert.equal(pasted.status, 0, pasted.stderr);
  assert.match(pasted.stdout, /would prune 5 of 9 sessions, from 1 store/);

  const location = { home, stateDir: state, configPath: path.join(state, 'openclaw.json') };
  assert.equal(printedSelection({}, { HOME: home }, location).stateDir, state);
  assert.equal(openclawCommand(printedSelection({ profile: 'work' }, { HOME: home }, { ...location, stateDir: path.join(home, '.openclaw-work') }), ['gateway', 'restart']).join(' '), `OPENCLAW_HOME='${home}' openclaw --profile work gateway restart`);
  // The account's own home (what a login shell has): a bare command finds the same install.
  assert.deepEqual(printedSelection({}, { HOME: `${userInfo().homedir}/` }, { ...location, home: userInfo().homedir, stateDir: path.join(userInfo().homedir, '.openclaw') }), {});
});

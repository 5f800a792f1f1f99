/**
 * Root's cron against a state dir the gateway's user owns, with that user as the attacker: what a
 * root run does before (or without) reading the install must not write there as root either.
 * Run as root (CI runs as root) with a second uid; skipped, with the reason, when not root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, runCli, runCliAsync } from '../helpers/cli.js';
import { chatEntry, everyState, MIN } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';
import { startStranger } from '../helpers/stranger.js';

const OWNER = 4243;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = isRoot ? false : 'needs root (CI runs as root): root runs on another user\'s state dir';
const children = trackedChildren();

/** A state dir owned by uid/gid 4243 (no passwd entry needed), under a root-owned directory. */
function ownedInstall(): { root: string; state: string } {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, state]);
  return { root, state };
}

test('a root prune that fails on a bad flag records its outcome as the owner, never as root', { skip }, () => {
  const { state } = ownedInstall();
  // The tool's own directory, owned by the owner but not writable by them: only a root write can
  // create the record there (a root write there is what a swapped link redirects, chown included).
  const own = path.join(state, 'openclaw-sessions');
  mkdirSync(own, { mode: 0o500 });
  spawnSync('chown', [`${OWNER}:${OWNER}`, own]);
  chmodSync(own, 0o500);
  const result = runCli(['prune', '--yes', '--older-than', 'bogus', '--state-dir', state], { HOME: '/root' });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /invalid --older-than "bogus"/);
  assert.equal(existsSync(path.join(own, 'last-prune.json')), false, 'root wrote the prune record in the owner\'s directory');
});

test('a state dir the owner swapped for a link to a root-owned directory is still run as the owner', { skip }, () => {
  const root = tempDir();
  chmodSync(root, 0o755);
  // The gateway user's home, and in it `.openclaw` replaced by a link to a directory of root's
  // that anyone may fill (a sticky one, as /tmp is): the files in it are the owner's.
  const home = path.join(root, 'home');
  mkdirSync(home, { mode: 0o755 });
  const sticky = path.join(root, 'sticky');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const store = writeFile(storePath(sticky, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': chatEntry('a', 60 * MIN, { status: 'done', spawnedBy: 'agent:main:main' }) });
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, home, path.join(sticky, 'agents')]);
  const state = path.join(home, '.openclaw');
  symlinkSync(sticky, state);
  lchownSync(state, OWNER, OWNER);
  const result = runCli(['prune', '--yes', '--recompute', 'none', '--state-dir', state], { HOME: '/root' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Pruned 1 session/);
  const dir = path.dirname(store);
  for (const name of readdirSync(dir)) assert.equal(lstatSync(path.join(dir, name)).uid, OWNER, `${name} belongs to the owner, not root`);
  assert.equal(lstatSync(path.join(sticky, 'openclaw-sessions')).uid, OWNER, 'the prune record\'s directory belongs to the owner');
});

test('restore reads the owner\'s config as the owner: a root-only file it $includes is not read, nor printed', { skip }, () => {
  const { state } = ownedInstall();
  const secret = writeFile(path.join(tempDir(), 'root-only.json5'), '{ gateway: { mode: "remote", remote: { url: "wss://root-only.internal:8443" } } }');
  writeFile(path.join(state, 'openclaw.json'), `{ $include: ${JSON.stringify(secret)} }`);
  spawnSync('chown', [`${OWNER}:${OWNER}`, path.join(state, 'openclaw.json')]);
  for (const args of [['restore', '--list'], ['restore', '--yes']]) {
    const result = runCli([...args, '--state-dir', state], { HOME: '/root' });
    assert.doesNotMatch(result.stdout + result.stderr, /root-only\.internal/, `${args.join(' ')} printed what only root can read`);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /cannot read config .*EACCES/);
  }
});

/** A root-owned state dir whose agents/ the gateway's user owns (chowned by hand, say). */
function rootStateUserAgents(): { state: string; store: string } {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  const store = writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': chatEntry('a', 60 * MIN, { status: 'done', spawnedBy: 'agent:main:main' }) });
  chmodSync(state, 0o755);
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, path.join(state, 'agents')]);
  return { state, store };
}

test('under a root-owned state dir, a store the gateway\'s user linked to a root-only file is read as that user: nothing of it is printed', { skip }, () => {
  const { state, store } = rootStateUserAgents();
  const secret = writeFile(path.join(tempDir(), 'root-only.json'), { 'agent:main:root-only-secret': chatEntry('s', MIN) });
  rmSync(store);
  symlinkSync(secret, store);
  lchownSync(store, OWNER, OWNER);
  const result = runCli(['list', '--json', '--no-rpc', '--state-dir', state], { HOME: '/root' });
  assert.doesNotMatch(result.stdout + result.stderr, /root-only-secret/, 'a root run read the root-only file through the owner\'s link');
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /EACCES/);
});

test('under a root-owned state dir, a root prune of stores the gateway\'s user owns creates nothing of root\'s there', { skip }, () => {
  const { state, store } = rootStateUserAgents();
  const result = runCli(['prune', '--yes', '--recompute', 'none', '--state-dir', state], { HOME: '/root' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Pruned 1 session/);
  const dir = path.dirname(store);
  for (const name of readdirSync(dir)) assert.equal(lstatSync(path.join(dir, name)).uid, OWNER, `${name} belongs to the owner, not root`);
});

test('under a root-owned state dir, stores of two users are refused as one root run (exit 4), naming both', { skip }, () => {
  const { state } = rootStateUserAgents();
  const other = writeFile(storePath(state, 'coder'), { 'agent:coder:main': chatEntry('c', MIN) });
  spawnSync('chown', ['-R', `${OWNER + 1}:${OWNER + 1}`, path.join(state, 'agents', 'coder')]);
  // agents/ itself root's: each agent's directory is its own user's (were agents/ one user's,
  // that user would control both, and the run would be theirs).
  spawnSync('chown', ['0:0', path.join(state, 'agents')]);
  const result = runCli(['list', '--no-rpc', '--state-dir', state], { HOME: '/root' });
  assert.equal(result.status, 4, result.stderr);
  assert.match(result.stderr, /directories of several users: .*uid 4243.*uid 4244|directories of several users: .*uid 4244.*uid 4243/);
  assert.ok(existsSync(other));
});

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

test('root without CAP_SETUID is refused (exit 4) with a pasteable sudo line that leaves the token and password out', { skip: skip || (!hasSetpriv && 'needs setpriv (util-linux)') }, () => {
  const { state } = ownedInstall();
  const args = ['prune', '--dry-run', '--state-dir', state, '--token', 'tok-secret 1', '--password=pw-secret', '--key', 'agent:main:a b'];
  const result = spawnSync('setpriv', ['--bounding-set=-setuid,-setgid', '--inh-caps=-setuid,-setgid', process.execPath, BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/root' }, timeout: 60_000 });
  assert.equal(result.status, 4, result.stderr);
  assert.doesNotMatch(result.stderr, /tok-secret|pw-secret/, 'a secret in the refusal line');
  const line = /sudo -u (.*)$/m.exec(result.stderr)?.[1];
  assert.ok(line, result.stderr);
  // The line is shell words: sh reads back the same arguments, the secrets as placeholders.
  const words = spawnSync('sh', ['-c', `for w in ${line}; do printf '%s\\n' "$w"; done`], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.deepEqual(words, ['#4243', 'openclaw-sessions', 'prune', '--dry-run', '--state-dir', state, '--token', '<TOKEN>', '--password=<PASSWORD>', '--key', 'agent:main:a b']);
});

test('a root-owned state dir under a directory every user may write (no sticky bit) is refused (exit 4), not run as root', { skip }, () => {
  const root = tempDir();
  chmodSync(root, 0o755);
  const open = path.join(root, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const state = path.join(open, 'state');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  const result = runCli(['list', '--no-rpc', '--state-dir', state], { HOME: '/root' });
  assert.equal(result.status, 4, result.stderr);
  assert.match(result.stderr, /every user may write without the sticky bit/);
  // The same directory with the sticky bit (as /tmp has) is root's to use.
  chmodSync(open, 0o1777);
  const sticky = runCli(['list', '--no-rpc', '--state-dir', state], { HOME: '/root' });
  assert.equal(sticky.status, 0, sticky.stderr);
});

test('a root-owned state dir under a directory a group other than root\'s may write (no sticky bit, setgid or not) is refused (exit 4), naming it, the group and the chmod', { skip }, () => {
  const root = tempDir();
  chmodSync(root, 0o755);
  // As Debian's /var/local (root:staff 2775): setgid picks new entries' group, members still rename.
  const shared = path.join(root, 'shared');
  mkdirSync(shared);
  const GROUP = 4250;
  spawnSync('chown', [`0:${GROUP}`, shared]);
  chmodSync(shared, 0o2775);
  const state = path.join(shared, 'state');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  const refused = runCli(['list', '--no-rpc', '--state-dir', state], { HOME: '/root' });
  assert.equal(refused.status, 4, refused.stderr);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, new RegExp(`its path goes through ${shared}, which group gid ${GROUP} may write without the sticky bit, .*chmod g-w ${shared} \\(or chmod \\+t\\)`));
  // A group's store directory under a root state dir: the same refusal (prune too).
  chmodSync(shared, 0o755);
  spawnSync('chown', [`0:${GROUP}`, path.join(state, 'agents')]);
  chmodSync(path.join(state, 'agents'), 0o775);
  const store = runCli(['prune', '--dry-run', '--state-dir', state], { HOME: '/root' });
  assert.equal(store.status, 4, store.stderr);
  assert.match(store.stderr, /on the store directory .*its path goes through \S+\/agents, which group gid 4250 may write/);
  // Sticky (only an entry's owner may move it), or root's own group: root's to use.
  chmodSync(path.join(state, 'agents'), 0o1775);
  assert.equal(runCli(['list', '--no-rpc', '--state-dir', state], { HOME: '/root' }).status, 0);
  chmodSync(path.join(state, 'agents'), 0o775);
  spawnSync('chown', ['0:0', path.join(state, 'agents')]);
  const rootGroup = runCli(['list', '--no-rpc', '--state-dir', state], { HOME: '/root' });
  assert.equal(rootGroup.status, 0, rootGroup.stderr);
});

test('a root run acting as the owner resolves ${VAR} in the owner\'s config from OPENCLAW_* only: no other value of root\'s environment reaches a URL that config names', { skip }, async () => {
  const { state } = ownedInstall();
  const listener = await startStranger(children);
  const port = listener.port;
  writeFile(path.join(state, 'openclaw.json'), '{ gateway: { mode: "remote", remote: { url: "ws://127.0.0.1:${OPENCLAW_TEST_PORT}", token: "${ROOT_ONLY_SECRET}" } } }');
  spawnSync('chown', [`${OWNER}:${OWNER}`, path.join(state, 'openclaw.json')]);
  const result = await runCliAsync(['list', '--state-dir', state], { HOME: '/root', ROOT_ONLY_SECRET: 'root-env-secret', OPENCLAW_TEST_PORT: String(port) });
  assert.match(result.stderr, /missing env var "ROOT_ONLY_SECRET" at gateway\.remote\.token/);
  // The URL's port came from an OPENCLAW_* variable: those still resolve.
  const heard = listener.output();
  assert.ok(/heard .*"connect"/.test(heard), `the listener was asked to connect: ${heard}`);
  assert.doesNotMatch(heard, /root-env-secret/, 'root\'s environment value was sent to the owner\'s URL');
  // The owner's own run (or OpenClaw) would resolve it from its own environment: nothing changes there.
  const mine = runCli(['list', '--json', '--no-rpc', '--store', storePath(state, 'main')], { HOME: '/root', ROOT_ONLY_SECRET: 'x' });
  assert.equal(mine.status, 0, mine.stderr);
});

test('a root-owned state dir with a config another user controls (--config): the run is that user\'s, so a root-only store the config names is not read', { skip }, () => {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  chmodSync(state, 0o755);
  const secret = writeFile(path.join(tempDir(), 'main.json'), { 'agent:main:root-only-secret': chatEntry('s', MIN) });
  const home = path.join(root, 'home');
  const config = writeFile(path.join(home, 'openclaw.json'), `{ session: { store: ${JSON.stringify(secret)} } }`);
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, home]);
  chmodSync(home, 0o755);
  const result = runCli(['list', '--json', '--no-rpc', '--state-dir', state, '--config', config], { HOME: '/root' });
  assert.doesNotMatch(result.stdout + result.stderr, /root-only-secret/, 'root read a root-only file the owner\'s config named');
  // As the owner, that file is out of reach: no store there (not a session of it listed).
  assert.equal(result.status, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { sessions: unknown[] }).sessions.length, 0);
});

test("root's crontab `HOME=/home/oc openclaw-sessions …`: the run acts as the owner, and the commands it prints (root reads and pastes them, with root's own ~) name the owner's state dir", { skip }, () => {
  const root = tempDir();
  chmodSync(root, 0o755);
  const home = path.join(root, 'home');
  const state = path.join(home, '.openclaw');
  writeFile(storePath(state, 'main'), everyState('main'));
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, home]);
  // uid 4243 has no passwd entry: after the switch the account's home is unknown, so only the
  // switch itself says HOME chose the install.
  const result = runCli(['list', '--no-rpc'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(result.stdout.split('\n').some((line) => line.trim() === `openclaw-sessions prune --dry-run --state-dir ${state}`), result.stdout);
});

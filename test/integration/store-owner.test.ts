/**
 * Issue 16 finding 7: root runs act as the store's owner. Run as root (CI runs as root) with a
 * second uid that owns the state directory; `setpriv` runs the owner's own commands. Skipped,
 * with the reason, when not root.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, LOCK_HOLDER, runCli } from '../helpers/cli.js';
import { chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const OWNER = 4242;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const skip = !isRoot ? 'needs root (CI runs as root): root runs on another user\'s state dir' : !hasSetpriv ? 'needs setpriv (util-linux)' : false;
const children = trackedChildren();

function subagent(id: string) {
  return chatEntry(id, 60 * MIN, { status: 'done', spawnedBy: 'agent:main:main' });
}

/** A state dir owned by uid/gid 4242 (no passwd entry needed), reachable by that uid. */
function ownedInstall(): { state: string; store: string; dir: string } {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  const store = writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a'), 'agent:main:subagent:b': subagent('b') });
  writeFile(path.join(path.dirname(store), 'a.jsonl'), 'x\n');
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, state]);
  chmodSync(path.dirname(store), 0o700);
  return { state, store, dir: path.dirname(store) };
}

function runAsOwner(args: string[]) {
  // uid 4242 has no passwd entry: give it a HOME, as a real account has.
  const result = spawnSync('setpriv', ['--reuid', String(OWNER), '--regid', String(OWNER), '--clear-groups', process.execPath, BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: '/nonexistent' }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a root prune on another user\'s state dir creates everything as that user; the owner\'s next run works', { skip }, () => {
  const { state, store, dir } = ownedInstall();
  const result = runCli(['prune', '--yes', '--json', '--recompute', 'none', '--key', 'agent:main:subagent:a', '--state-dir', state]);
  assert.equal(result.status, 0, result.stderr);
  for (const name of readdirSync(dir)) {
    const stat = statSync(path.join(dir, name));
    assert.equal(stat.uid, OWNER, `${name} belongs to the owner`);
  }
  assert.equal(statSync(`${store}.openclaw-sessions.journal`).mode & 0o777, 0o600);
  assert.equal(statSync(store).mode & 0o777, 0o600);
  assert.ok(readdirSync(dir).some((f) => f.startsWith('a.jsonl.deleted.')));
  // The owner's own run appends to that journal and rewrites the store.
  const owner = runAsOwner(['prune', '--yes', '--recompute', 'none', '--state-dir', state]);
  assert.equal(owner.status, 0, owner.stderr);
  assert.match(owner.stdout, /Pruned 1 session/);
  const restore = runAsOwner(['restore', '--yes', '--state-dir', state]);
  assert.equal(restore.status, 0, restore.stderr);
});

test('under umask 000 the run lock is 0700 and the owner\'s; a root run killed with SIGKILL does not lock the owner out', { skip }, async () => {
  const { state, store } = ownedInstall();
  // The gateway's lock, held by a live process of the owner (as a real gateway runs), keeps the
  // root run waiting while we look. (A holder of another uid reads as dead: kill(pid, 0) fails
  // EPERM, which the gateway's own rule counts as dead too.)
  const holderChild = spawn('setpriv', ['--reuid', String(OWNER), '--regid', String(OWNER), '--clear-groups', process.execPath, LOCK_HOLDER, 'hold', store, '60000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(holderChild);
  await new Promise<void>((resolve) => holderChild.stdout!.once('data', () => resolve()));
  const holder = { child: holderChild, done: new Promise((resolve) => holderChild.on('close', resolve)) };
  const child = spawn('sh', ['-c', `umask 000; exec "${process.execPath}" "${BIN}" prune --yes --recompute none --lock-timeout 60s --state-dir "${state}"`], { env: { PATH: process.env.PATH } });
  children.push(child);
  const lockDir = `${store}.openclaw-sessions.lock`;
  for (let i = 0; i < 300 && !existsSync(path.join(lockDir, 'owner.json')); i++) await sleep(100);
  const stat = statSync(lockDir);
  assert.equal(stat.mode & 0o777, 0o700, 'run lock directory mode');
  assert.equal(stat.uid, OWNER, 'run lock directory owner');
  assert.equal(statSync(path.join(lockDir, 'owner.json')).uid, OWNER);
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await closed;
  holder.child.kill('SIGKILL');
  await holder.done;
  // SIGKILL left the holder's lock and the root run's run lock behind: both are reclaimed from
  // their dead owners by the owner's own run (the run lock is the owner's, so it can).
  const owner = runAsOwner(['prune', '--yes', '--recompute', 'none', '--state-dir', state]);
  assert.equal(owner.status, 0, owner.stderr);
  assert.match(owner.stdout, /Pruned 2 sessions/);
  assert.ok(!existsSync(lockDir));
  for (const name of readdirSync(path.dirname(store))) assert.equal(statSync(path.join(path.dirname(store), name)).uid, OWNER, name);
  assert.ok(readFileSync(store, 'utf8').includes('agent:main:main'));
});

import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { acquireGatewayLock } from '../../src/store/gateway-lock.js';
import { LOCK_HOLDER, runCli, runCliAsync, startHolder } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';
import { spawnSync } from 'node:child_process';

function install(): { state: string; store: string } {
  const state = path.join(tempDir(), 'state');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  return { state, store };
}

function forge(store: string, ...args: string[]): void {
  const result = spawnSync(process.execPath, [LOCK_HOLDER, 'forge', store, ...args]);
  assert.equal(result.status, 0, String(result.stderr));
}

function assertNeverDirectory(store: string): void {
  const lock = `${store}.lock`;
  if (existsSync(lock)) assert.ok(!lstatSync(lock).isDirectory(), 'lock path became a directory');
}

test('waits for a live gateway holder, then exits 3 naming its pid; store untouched', async () => {
  const { state, store } = install();
  const before = readFileSync(store);
  // Held until we end it, not for a fixed time a slow start-up could outlast.
  const holder = await startHolder(['hold', store, '600000']);
  const started = Date.now();
  const result = await runCliAsync(['prune', '--yes', '--lock-timeout', '1500ms', '--state-dir', state]);
  const waited = Date.now() - started;
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, new RegExp(`held by an unknown process \\(pid ${holder.child.pid}\\b`));
  assert.ok(waited >= 1400, `gave up after ${waited} ms`);
  assert.deepEqual(readFileSync(store), before);
  assertNeverDirectory(store);
  holder.child.kill('SIGKILL');
  await holder.done;
});

test('a holder that releases in time: the prune waits and then succeeds', async () => {
  const { state, store } = install();
  const holder = await startHolder(['hold', store, '800']);
  const result = await runCliAsync(['prune', '--yes', '--json', '--state-dir', state]);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { pruned: unknown[] };
  assert.equal(report.pruned.length, 5);
  await holder.done;
});

test('reclaims stale gateway locks: dead pid, recycled pid, older than 30 s', () => {
  const cases: Array<[string, string[]]> = [
    ['dead pid', [String(2 ** 22 - 3), new Date().toISOString()]],
    ['recycled pid (start time differs)', [String(process.pid), new Date().toISOString(), '1']],
    ['older than 30 s', [String(process.pid), new Date(Date.now() - 60_000).toISOString()]],
  ];
  for (const [name, args] of cases) {
    const { state, store } = install();
    forge(store, ...args);
    const result = runCli(['prune', '--yes', '--lock-timeout', '2s', '--state-dir', state]);
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    assert.match(result.stdout, /Pruned 5 sessions/, name);
    assert.ok(!existsSync(`${store}.lock`), `${name}: lock left behind`);
  }
});

test('a fresh lock held by a live pid is not reclaimed', () => {
  const { state, store } = install();
  forge(store, String(process.pid), new Date().toISOString());
  const result = runCli(['prune', '--yes', '--lock-timeout', '500ms', '--state-dir', state]);
  assert.equal(result.status, 3);
  assert.ok(existsSync(`${store}.lock`), 'the live lock was left alone');
});

test('the gateway protocol in another process waits while we hold the lock, then gets it', async () => {
  const { store } = install();
  const ours = await acquireGatewayLock(store, { timeoutMs: 1000 });
  const body = JSON.parse(readFileSync(`${store}.lock`, 'utf8')) as { pid: number; createdAt: string; starttime?: number };
  assert.equal(body.pid, process.pid);
  assert.ok(Number.isFinite(Date.parse(body.createdAt)));
  assert.equal(typeof body.starttime, 'number');
  assert.ok(lstatSync(`${store}.lock`).isFile());
  const other = startHolder(['acquire', store]);
  let releasedAt = 0;
  setTimeout(() => {
    releasedAt = Date.now();
    void ours.release();
  }, 700);
  const { done } = await other;
  const finished = await done;
  assert.equal(finished.status, 0);
  const { acquiredAt } = JSON.parse(finished.stdout) as { acquiredAt: number };
  // Order, not duration: the other process got the lock only after we gave it back.
  assert.ok(releasedAt > 0 && acquiredAt >= releasedAt, `other process got the lock at ${acquiredAt}, we released at ${releasedAt}`);
  assertNeverDirectory(store);
});

test('a directory at the lock path is refused with a clear message and left alone', () => {
  const { state, store } = install();
  mkdirSync(`${store}.lock`);
  const result = runCli(['prune', '--yes', '--state-dir', state]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /is a directory .* rmdir /);
  assert.ok(lstatSync(`${store}.lock`).isDirectory());
  rmdirSync(`${store}.lock`);
});

test('another run of this tool holding the run lock: wait, then exit 3 without touching anything', async () => {
  const { state, store } = install();
  const before = readFileSync(store);
  const other = await startHolder(['proper-lock', store, '600000']);
  const result = await runCliAsync(['prune', '--yes', '--lock-timeout', '1s', '--state-dir', state]);
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, /another openclaw-sessions run is working on/);
  assert.deepEqual(readFileSync(store), before);
  assert.ok(!existsSync(`${store}.lock`), 'never took the gateway lock while waiting for the run lock');
  other.child.kill('SIGKILL');
  await other.done;
});


test('a symlink or FIFO at the lock path is named as what it is (not "a process that has not written its pid yet"), left alone, and doctor reports it with the rm', async () => {
  const { symlinkSync, unlinkSync } = await import('node:fs');
  for (const kind of ['symbolic link', 'FIFO'] as const) {
    const { state, store } = install();
    const lock = `${store}.lock`;
    const target = writeFile(path.join(tempDir(), 'elsewhere'), 'not a lock');
    if (kind === 'FIFO') assert.equal(spawnSync('mkfifo', [lock]).status, 0);
    else symlinkSync(target, lock);
    const before = readFileSync(store);
    const result = runCli(['prune', '--yes', '--lock-timeout', '500ms', '--state-dir', state]);
    assert.equal(result.status, 3, result.stderr);
    assert.doesNotMatch(result.stderr, /has not written its pid/);
    assert.match(result.stderr, new RegExp(`store lock ${lock.replaceAll('/', '\\/')} is a ${kind}, not a lock file`));
    assert.ok(result.stderr.includes(`rm '${lock}'`) || result.stderr.includes(`rm ${lock}`), result.stderr);
    assert.deepEqual(readFileSync(store), before);
    assert.ok(lstatSync(lock), 'left where it is');
    assert.equal(readFileSync(target, 'utf8'), 'not a lock', 'nothing written through the link');
    const doctor = runCli(['doctor', '--no-rpc', '--state-dir', state]);
    assert.equal(doctor.status, 6, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, new RegExp(`PROBLEM +${lock.replaceAll('/', '\\/')} is a ${kind}, not a lock file`));
    unlinkSync(lock);
  }
});

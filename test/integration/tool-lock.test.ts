import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes.js';
import { ToolError } from '../../src/errors.js';
import { acquireToolLock, acquireToolLocks, toolLockPathFor } from '../../src/store/tool-lock.js';
import { startHolder } from '../helpers/cli.js';
import { tempDir, trackedChildren } from '../helpers/tmp.js';

const MODULE = fileURLToPath(new URL('../../src/store/tool-lock.js', import.meta.url));

function newStore(): string {
  const dir = path.join(tempDir('ocs-tlock-'), 'sessions');
  mkdirSync(dir, { mode: 0o700 });
  const store = path.join(dir, 'sessions.json');
  writeFileSync(store, '{}', { mode: 0o600 });
  return store;
}

const children = trackedChildren();

/** Another run of this tool: takes the run lock, says "locked", holds it for holdMs, releases. */
async function otherRun(stores: string[], holdMs: number): Promise<{ child: ChildProcess; closed: Promise<unknown> }> {
  const script = `import { acquireToolLocks } from ${JSON.stringify(MODULE)};
    const release = await acquireToolLocks(${JSON.stringify(stores)}, { timeoutMs: 5000 });
    console.log('locked');
    setTimeout(async () => { await release(); console.log(release.compromised() ?? 'released'); }, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const closed = once(child, 'close');
  const [first] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(String(first).trim(), 'locked');
  return { child, closed };
}

async function busy(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ToolError, String(error));
    assert.equal(exitCodeOf(error), EXIT.lockBusy, error.message);
    assert.ok(!error.message.includes('\n'));
    return error;
  }
  assert.fail('expected lock-busy');
}

test('a second run waits for the first, then fails lock-busy naming the other run; the gateway\'s lock path is never touched', async () => {
  const store = newStore();
  const first = await otherRun([store], 4000);
  const gatewayLock = `${store}.lock`;
  let sawGatewayLock = false;
  const watcher = setInterval(() => (sawGatewayLock ||= existsSync(gatewayLock)), 5);
  const started = Date.now();
  const error = await busy(acquireToolLocks([store], { timeoutMs: 900 }));
  const waited = Date.now() - started;
  clearInterval(watcher);
  assert.ok(waited >= 890 && waited < 2500, `gave up after ${waited} ms`);
  assert.match(error.message, /another openclaw-sessions run is working on/);
  assert.match(error.message, new RegExp(`\\(pid ${first.child.pid}\\)`));
  assert.ok(error.message.includes(`${store}.openclaw-sessions.lock`), error.message);
  assert.ok(lstatSync(`${store}.openclaw-sessions.lock`).isDirectory(), 'the other run\'s lock is where we expect it');
  assert.equal(sawGatewayLock, false, 'sessions.json.lock appeared');
  assert.ok(!existsSync(gatewayLock));
  first.child.kill('SIGKILL');
  await first.closed;
});

test('a second run gets the lock once the first releases it within the timeout', async () => {
  const store = newStore();
  const first = await otherRun([store], 600);
  const started = Date.now();
  const release = await acquireToolLock(store, { timeoutMs: 5000 });
  assert.ok(Date.now() - started >= 400, 'did not wait for the first run');
  await release();
  assert.ok(!existsSync(toolLockPathFor(store)), 'lock left after release');
  await first.closed;
});

test('the run lock and the gateway\'s lock are independent: holding one does not block or alter the other', async () => {
  const store = newStore();
  const gateway = await startHolder(['hold', store, '1500']);
  const theirs = readFileSync(`${store}.lock`, 'utf8');
  const release = await acquireToolLock(store, { timeoutMs: 500 });
  assert.equal(readFileSync(`${store}.lock`, 'utf8'), theirs);
  assert.ok(lstatSync(`${store}.lock`).isFile());
  await release();
  assert.equal(readFileSync(`${store}.lock`, 'utf8'), theirs, 'releasing ours touched the gateway\'s');
  assert.equal((await gateway.done).status, 0);
});

test('a run killed while holding the lock does not block the next for proper-lockfile\'s 10 s', async () => {
  const store = newStore();
  const first = await otherRun([store], 60_000);
  first.child.kill('SIGKILL');
  await first.closed;
  assert.ok(existsSync(toolLockPathFor(store)), 'set-up: the killed run left its lock');
  const started = Date.now();
  const release = await acquireToolLock(store, { timeoutMs: 3000 });
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  await release();
});

test('two paths to one store (a symlinked directory) share one run lock', async () => {
  const store = newStore();
  const link = path.join(path.dirname(path.dirname(store)), 'linked');
  symlinkSync(path.dirname(store), link);
  const viaLink = path.join(link, 'sessions.json');
  const first = await otherRun([store], 3000);
  await busy(acquireToolLock(viaLink, { timeoutMs: 300 }));
  first.child.kill('SIGKILL');
  await first.closed;
  // Named both ways in one run, the store is locked once, not waited on by ourselves.
  const started = Date.now();
  const release = await acquireToolLocks([store, viaLink], { timeoutMs: 2000 });
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  await release();
  assert.ok(!existsSync(toolLockPathFor(store)));
});

test('when a later store is busy, the locks already taken are given back', async () => {
  const a = newStore();
  const b = newStore();
  // Locks are taken in lock-path order: make the busy one the second.
  const [free, held] = [a, b].sort((x, y) => (toolLockPathFor(x) < toolLockPathFor(y) ? -1 : 1));
  const first = await otherRun([held!], 3000);
  await busy(acquireToolLocks([a, b], { timeoutMs: 300 }));
  assert.ok(!existsSync(toolLockPathFor(free!)), 'the free store\'s lock was kept after failing');
  first.child.kill('SIGKILL');
  await first.closed;
});

test('held past proper-lockfile\'s refresh interval, a lock is not reported compromised', async () => {
  const store = newStore();
  const release = await acquireToolLock(store, { timeoutMs: 1000 });
  await sleep(3600);
  assert.equal(release.compromised(), null);
  await release();
  assert.ok(!existsSync(toolLockPathFor(store)));
});

test('a lock removed under us is recorded as compromised instead of crashing the process', async () => {
  const store = newStore();
  const release = await acquireToolLock(store, { timeoutMs: 1000 });
  rmSync(toolLockPathFor(store), { recursive: true, force: true });
  // proper-lockfile notices at its next refresh (3 s); its default handler would throw from a timer.
  const deadline = Date.now() + 6000;
  while (release.compromised() === null && Date.now() < deadline) await sleep(100);
  assert.match(release.compromised() ?? '', /run lock .*openclaw-sessions\.lock compromised/);
  await assert.doesNotReject(release());
});

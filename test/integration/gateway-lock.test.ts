import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes.js';
import { ToolError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/store/atomic-write.js';
import { acquireGatewayLock, lockPathFor } from '../../src/store/gateway-lock.js';
import { readProcStartTime, readProcState } from '../../src/system/proc.js';
import { LOCK_HOLDER, startHolder } from '../helpers/cli.js';
import { tempDir, trackedChildren } from '../helpers/tmp.js';

function newStore(content: object = { 'agent:main:main': { sessionId: 'main', updatedAt: 1 } }): string {
  const dir = path.join(tempDir('ocs-glock-'), 'sessions');
  mkdirSync(dir, { mode: 0o700 });
  const store = path.join(dir, 'sessions.json');
  writeFileSync(store, JSON.stringify(content, null, 2), { mode: 0o600 });
  return store;
}

/** The protocol's one hard rule for outsiders (docs/openclaw.md §5). */
function assertNeverDirectory(store: string): void {
  const lock = `${store}.lock`;
  if (existsSync(lock)) assert.ok(!lstatSync(lock).isDirectory(), `${lock} became a directory`);
}

function forge(store: string, ...args: string[]): void {
  const result = spawnSync(process.execPath, [LOCK_HOLDER, 'forge', store, ...args], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

const children = trackedChildren();

async function liveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'console.log("up"); setTimeout(() => {}, 60000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child.pid!;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'close');
  return child.pid!;
}

async function zombiePid(): Promise<number> {
  // The child outlives the shell's exec by a second: one that exits first may be reaped by the
  // shell (seen on a busy machine), leaving no zombie. `sleep 60` never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(parent);
  const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
  const pid = Number(String(chunk).trim());
  const deadline = Date.now() + 5000;
  while (readProcState(pid) !== 'Z' && Date.now() < deadline) await sleep(20);
  assert.equal(readProcState(pid), 'Z', 'set-up: no zombie');
  return pid;
}

async function rejectsWith(promise: Promise<unknown>, exitCode: number): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ToolError, `expected a ToolError, got ${String(error)}`);
    assert.equal(exitCodeOf(error), exitCode, error.message);
    assert.ok(!error.message.includes('\n'), 'user-facing errors are one line');
    return error;
  }
  assert.fail('expected a rejection');
}

test('the lock is a regular file with the gateway\'s exact content, and release removes it', async () => {
  const store = newStore();
  const before = Date.now();
  const handle = await acquireGatewayLock(store, { timeoutMs: 1000 });
  const after = Date.now();
  const lock = `${store}.lock`;
  assert.equal(handle.path, lock);
  assert.ok(lstatSync(lock).isFile());
  const text = readFileSync(lock, 'utf8');
  const body = JSON.parse(text) as { pid: number; createdAt: string; starttime?: number };
  assert.deepEqual(Object.keys(body), ['pid', 'createdAt', 'starttime']);
  assert.equal(text, JSON.stringify(body, null, 2), 'pretty JSON, two spaces, no trailing newline');
  assert.equal(body.pid, process.pid);
  assert.equal(new Date(body.createdAt).toISOString(), body.createdAt);
  // Written during the call (ISO time has ms resolution): order, not a duration bound.
  assert.ok(Date.parse(body.createdAt) >= before && Date.parse(body.createdAt) <= after, body.createdAt);
  assert.ok(handle.acquiredAt >= before && handle.acquiredAt <= after);
  assert.equal(body.starttime, readProcStartTime(process.pid));
  assert.ok(handle.waitedMs >= 0 && handle.waitedMs <= after - before);
  assert.deepEqual(handle.reclaimed, []);
  await sleep(30);
  assert.ok(handle.heldMs() >= 30);
  assert.equal(await handle.isStillOurs(), true);
  assert.equal(await handle.release(), true);
  assert.ok(!existsSync(lock));
  assert.equal(await handle.isStillOurs(), false);
  assert.equal(await handle.release(), false, 'a second release is a no-op');
});

test('the lock lives next to the real directory, so a symlinked path shares the gateway\'s lock', async () => {
  const store = newStore();
  const link = path.join(path.dirname(path.dirname(store)), 'linked');
  symlinkSync(path.dirname(store), link);
  const viaLink = path.join(link, 'sessions.json');
  assert.equal(lockPathFor(viaLink), `${store}.lock`);
  const handle = await acquireGatewayLock(viaLink, { timeoutMs: 1000 });
  assert.ok(lstatSync(`${store}.lock`).isFile());
  await handle.release();
});

test('a live holder in another process: we wait the whole timeout, then fail lock-busy naming its pid and the path', async () => {
  const store = newStore();
  const holder = await startHolder(['hold', store, '600000']); // held until we end it
  const theirs = readFileSync(`${store}.lock`, 'utf8');
  const started = Date.now();
  const error = await rejectsWith(acquireGatewayLock(store, { timeoutMs: 800 }), EXIT.lockBusy);
  const waited = Date.now() - started;
  // Waited the whole timeout: a lower bound, which a loaded machine only makes longer.
  assert.ok(waited >= 790, `gave up after ${waited} ms`);
  assert.match(error.message, new RegExp(`held by an unknown process \\(pid ${holder.child.pid}\\b`));
  assert.ok(error.message.includes(`${store}.lock`), error.message);
  assert.equal(readFileSync(`${store}.lock`, 'utf8'), theirs, 'the live holder\'s lock was left alone');
  assertNeverDirectory(store);
  holder.child.kill('SIGKILL');
  await holder.done;
});

test('a holder that releases in time: we wait for it, then get the lock', async () => {
  const store = newStore();
  const holder = await startHolder(['hold', store, '700']);
  const handle = await acquireGatewayLock(store, { timeoutMs: 5000 });
  assert.ok(handle.waitedMs > 0, 'did not wait');
  assert.equal((JSON.parse(readFileSync(handle.path, 'utf8')) as { pid: number }).pid, process.pid);
  assert.deepEqual(handle.reclaimed, [], 'a released lock is not a reclaimed one');
  await handle.release();
  const finished = await holder.done;
  assert.equal(finished.status, 0);
  // Order, not duration: we got the lock only after the holder released it.
  const releasedAt = Number(/released (\d+)/.exec(finished.stdout)?.[1]);
  assert.ok(handle.acquiredAt >= releasedAt, `acquired at ${handle.acquiredAt}, holder released at ${releasedAt}`);
  assertNeverDirectory(store);
});

test('stale locks are reclaimed by the gateway\'s rules', async () => {
  const now = () => new Date().toISOString();
  const live = await liveProcess();
  const liveStart = readProcStartTime(live)!;
  const cases: Array<{ name: string; make: (store: string) => Promise<void> | void; reason: RegExp }> = [
    { name: 'dead pid', make: async (s) => forge(s, String(await deadPid()), now()), reason: /is not running/ },
    { name: 'zombie pid', make: async (s) => forge(s, String(await zombiePid()), now()), reason: /is not running/ },
    { name: 'recycled pid', make: (s) => forge(s, String(live), now(), String(liveStart + 1)), reason: /recycled/ },
    // However long the machine takes to get here, the lock is over 30 s old when looked at.
    { name: 'older than 30 s', make: (s) => forge(s, String(live), new Date(Date.now() - 31_000).toISOString(), String(liveStart)), reason: /created \d+s ago \(over 30s\)/ },
    {
      name: 'unreadable, mtime older than 30 s',
      make: (s) => {
        writeFileSync(`${s}.lock`, '{"pid": 12');
        const old = (Date.now() - 60_000) / 1000;
        utimesSync(`${s}.lock`, old, old);
      },
      reason: /names no pid .* last modified \d+s ago/,
    },
  ];
  for (const { name, make, reason } of cases) {
    const store = newStore();
    await make(store);
    // None of these locks would be given up by its holder: getting it at all means it was reclaimed.
    const handle = await acquireGatewayLock(store, { timeoutMs: 10_000 });
    assert.equal(handle.reclaimed.length, 1, name);
    assert.match(handle.reclaimed[0]!, reason, name);
    assert.equal((JSON.parse(readFileSync(handle.path, 'utf8')) as { pid: number }).pid, process.pid, name);
    await handle.release();
    assertNeverDirectory(store);
  }
});

test('locks that are not stale are never reclaimed: live and fresh, or unreadable with a fresh mtime', async () => {
  const live = await liveProcess();
  const cases: Array<{ name: string; make: (store: string) => void; holder: RegExp }> = [
    { name: 'live, fresh', make: (s) => forge(s, String(live), new Date().toISOString(), String(readProcStartTime(live))), holder: new RegExp(`held by an unknown process \\(pid ${live}\\b`) },
    { name: 'unreadable, fresh mtime', make: (s) => writeFileSync(`${s}.lock`, ''), holder: /has not written its pid yet/ },
  ];
  for (const { name, make, holder } of cases) {
    const store = newStore();
    make(store);
    const before = readFileSync(`${store}.lock`, 'utf8');
    const error = await rejectsWith(acquireGatewayLock(store, { timeoutMs: 600 }), EXIT.lockBusy);
    assert.match(error.message, holder, name);
    assert.equal(readFileSync(`${store}.lock`, 'utf8'), before, `${name}: lock was touched`);
  }
});

test('the gateway\'s protocol in a second process waits while we hold the lock, and gets it after our release', async () => {
  const store = newStore();
  const ours = await acquireGatewayLock(store, { timeoutMs: 1000 });
  const other = spawn(process.execPath, [LOCK_HOLDER, 'acquire', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(other);
  let out = '';
  other.stdout!.on('data', (d) => (out += d));
  const closed = once(other, 'close');
  await sleep(1000);
  assert.equal(other.exitCode, null, `the other process did not wait: ${out}`);
  assert.equal(await ours.isStillOurs(), true, 'the other process took our lock');
  const releasedAt = Date.now();
  await ours.release();
  const [status] = (await closed) as [number];
  assert.equal(status, 0, out);
  const result = JSON.parse(out) as { acquired: boolean; acquiredAt: number };
  assert.equal(result.acquired, true);
  assert.ok(result.acquiredAt >= releasedAt, `the other process got the lock at ${result.acquiredAt}, before our release at ${releasedAt}`);
  assertNeverDirectory(store);
});

test('isStillOurs and release notice a lock replaced under us and leave the new one alone', async () => {
  const store = newStore();
  const first = await acquireGatewayLock(store, { timeoutMs: 1000 });
  const live = await liveProcess();
  forge(store, String(live), new Date().toISOString());
  assert.equal(await first.isStillOurs(), false);
  assert.equal(await first.release(), false);
  assert.equal((JSON.parse(readFileSync(`${store}.lock`, 'utf8')) as { pid: number }).pid, live, 'someone else\'s lock was removed');

  // Same bytes in a new file (another inode) is a different lock, too.
  const store2 = newStore();
  const second = await acquireGatewayLock(store2, { timeoutMs: 1000 });
  const copy = `${store2}.lock.copy`;
  writeFileSync(copy, readFileSync(second.path));
  renameSync(copy, second.path);
  assert.equal(await second.isStillOurs(), false);
  assert.equal(await second.release(), false);
  assert.ok(existsSync(second.path));
});

test('a directory at the lock path is refused at once with a one-line fix, and left as it was', async () => {
  const store = newStore();
  const lock = `${store}.lock`;
  mkdirSync(lock);
  const before = readdirSync(path.dirname(store)).sort();
  const started = Date.now();
  const error = await rejectsWith(acquireGatewayLock(store, { timeoutMs: 30_000 }), EXIT.error);
  assert.ok(Date.now() - started < 30_000, 'refused without waiting out the timeout');
  assert.ok(error.message.startsWith(`${lock} is a directory`), error.message);
  assert.match(error.message, /proper-lockfile/);
  assert.ok(error.message.endsWith(`rmdir ${lock}`), error.message);
  assert.ok(lstatSync(lock).isDirectory());
  assert.deepEqual(readdirSync(lock), []);
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), before, 'nothing created beside it');
});

test('a missing store directory fails clearly and creates nothing', async () => {
  const root = tempDir('ocs-glock-');
  const store = path.join(root, 'absent', 'sessions.json');
  const error = await rejectsWith(acquireGatewayLock(store, { timeoutMs: 500 }), EXIT.error);
  assert.match(error.message, /cannot create store lock .*absent\/sessions\.json\.lock/);
  assert.ok(!existsSync(path.dirname(store)));
});

test('against the gateway-protocol writer: every read-modify-write on both sides survives', async () => {
  const store = newStore({});
  // Counts, not a time window: on a loaded machine both sides still write this often.
  const THEIRS = 15;
  const OURS = 15;
  const writer = spawn(process.execPath, [LOCK_HOLDER, 'writer', store, `x${THEIRS}`, '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(writer);
  let out = '';
  let err = '';
  writer.stdout!.on('data', (d) => (out += d));
  writer.stderr!.on('data', (d) => (err += d));
  let writerDone = false;
  const closed = once(writer, 'close').then((result) => ((writerDone = true), result));

  const ours: string[] = [];
  while (!writerDone || ours.length < OURS) {
    const handle = await acquireGatewayLock(store, { timeoutMs: 10_000 });
    try {
      const doc = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
      // Yield with the lock held, so an unexcluded writer would interleave and lose an update.
      await sleep(3);
      const key = `agent:main:ours-${ours.length}`;
      doc[key] = { sessionId: `ours-${ours.length}`, updatedAt: Date.now() };
      await writeFileAtomic(store, JSON.stringify(doc, null, 2), { beforeRename: async () => assert.ok(await handle.isStillOurs()) });
      ours.push(key);
    } finally {
      await handle.release();
    }
    // Idle most of the time, as a real outside writer does: the gateway's polling (up to 1 s apart)
    // must find the lock free, or it starves exactly as it would in production.
    await sleep(20 + Math.random() * 40);
  }
  const [status] = (await closed) as [number];
  assert.equal(status, 0, err);
  const theirs = JSON.parse(out) as string[];
  const final = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  assert.equal(theirs.length, THEIRS);
  assert.ok(ours.length >= OURS);
  for (const key of [...ours, ...theirs]) assert.ok(Object.hasOwn(final, key), `${key} was lost`);
  assert.ok(!existsSync(`${store}.lock`));
});

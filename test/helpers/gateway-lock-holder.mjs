#!/usr/bin/env node
// A second, independent process speaking OpenClaw's sessions.json lock protocol (docs/openclaw.md §5, as
// openclaw 2026.4.2's acquireSessionWriteLock does it), written apart from src/ so interop tests
// catch a mismatch instead of sharing a bug.
//
//   hold <store> <ms>                      take the lock, print "locked", hold, release
//   acquire <store> [timeoutMs]            wait like the gateway (≤10 s), print JSON {acquired, waitedMs}, exit 0/1
//   forge <store> <pid> <createdAt> [st]   write a lock file with this content (stale-lock tests)
//   writer <store> <ms> [holdMs]           for <ms>: lock, read, [wait holdMs], add a unique entry, atomic
//                                          write, unlock; prints the keys it wrote as JSON at the end
//   proper-lock <store> <ms>               hold this tool's own run lock (proper-lockfile) for <ms>
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const STALE_MS = 30_000;
const [mode, store, arg1, arg2, arg3] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const siblingOf = (suffix) => path.join(fs.realpathSync(path.dirname(path.resolve(store))), `${path.basename(store)}${suffix}`);

const isLockNumber = (value) => typeof value === 'number' && Number.isInteger(value) && value >= 0;

function starttime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const value = Number(stat.slice(stat.lastIndexOf(')') + 1).trimStart().split(/\s+/)[19]);
    return Number.isInteger(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^State:\s+(\S)/m)?.[1] !== 'Z';
  } catch {
    return true;
  }
}

function shouldReclaim(file) {
  let payload = null;
  try {
    payload = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {}
  const pid = isLockNumber(payload?.pid) && payload.pid > 0 ? payload.pid : null;
  const created = typeof payload?.createdAt === 'string' ? Date.parse(payload.createdAt) : NaN;
  const reasons = [];
  if (pid === null) reasons.push('missing-pid');
  else if (!pidAlive(pid)) reasons.push('dead-pid');
  else if (isLockNumber(payload.starttime) && starttime(pid) !== null && starttime(pid) !== payload.starttime) reasons.push('recycled-pid');
  if (!Number.isFinite(created)) reasons.push('invalid-createdAt');
  else if (Date.now() - created > STALE_MS) reasons.push('too-old');
  if (reasons.length === 0) return false;
  if (!reasons.every((r) => r === 'missing-pid' || r === 'invalid-createdAt')) return true;
  try {
    return Date.now() - fs.statSync(file).mtimeMs > STALE_MS;
  } catch (error) {
    return error.code !== 'ENOENT';
  }
}

async function lock(timeoutMs = 10_000) {
  const file = siblingOf('.lock');
  const started = Date.now();
  let attempt = 0;
  while (Date.now() - started < timeoutMs) {
    attempt += 1;
    let fd = null;
    try {
      fd = fs.openSync(file, 'wx');
      const body = { pid: process.pid, createdAt: new Date().toISOString() };
      const st = starttime(process.pid);
      if (st !== null) body.starttime = st;
      fs.writeSync(fd, JSON.stringify(body, null, 2));
      fs.closeSync(fd);
      return { file, waitedMs: Date.now() - started };
    } catch (error) {
      if (fd !== null) {
        try { fs.closeSync(fd); } catch {}
        fs.rmSync(file, { force: true });
      }
      // EISDIR never happens for wx on a directory: it is EEXIST, and the gateway's rm then fails.
      if (error.code !== 'EEXIST') throw error;
    }
    if (shouldReclaim(file)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    await sleep(Math.min(1000, 50 * attempt));
  }
  return null;
}

function atomicWrite(target, text) {
  const temp = `${target}.${randomUUID()}.tmp`;
  try {
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, target);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

if (mode === 'hold') {
  const held = await lock();
  if (!held) process.exit(1);
  process.stdout.write('locked\n');
  await sleep(Number(arg1));
  fs.rmSync(held.file, { force: true });
} else if (mode === 'acquire') {
  const held = await lock(arg1 ? Number(arg1) : 10_000);
  if (!held) {
    process.stdout.write(JSON.stringify({ acquired: false }) + '\n');
    process.exit(1);
  }
  fs.rmSync(held.file, { force: true });
  process.stdout.write(JSON.stringify({ acquired: true, waitedMs: held.waitedMs }) + '\n');
} else if (mode === 'forge') {
  const body = { pid: Number(arg1), createdAt: arg2, ...(arg3 ? { starttime: Number(arg3) } : {}) };
  fs.writeFileSync(siblingOf('.lock'), JSON.stringify(body, null, 2), { mode: 0o644 });
} else if (mode === 'writer') {
  const until = Date.now() + Number(arg1);
  const written = [];
  let n = 0;
  while (Date.now() < until) {
    const held = await lock();
    if (!held) continue;
    try {
      const doc = JSON.parse(fs.readFileSync(store, 'utf8'));
      // A longer critical section makes any lapse in the other side's exclusion lose an update.
      if (arg2) await sleep(Number(arg2));
      // Alternate a session that must survive every prune with one a prune may take
      // (an ACP key with no acp object reads as closed).
      const key = n % 2 === 0 ? `agent:main:writer-${process.pid}-${n}` : `agent:main:acp:writer-${process.pid}-${n}`;
      n++;
      doc[key] = { sessionId: randomUUID(), updatedAt: Date.now() - 3_600_000, writer: { pid: process.pid, n } };
      atomicWrite(store, JSON.stringify(doc, null, 2));
      written.push(key);
    } finally {
      fs.rmSync(held.file, { force: true });
    }
    await sleep(5);
  }
  process.stdout.write(JSON.stringify(written) + '\n');
} else if (mode === 'proper-lock') {
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(store, { lockfilePath: siblingOf('.openclaw-sessions.lock'), realpath: false, stale: 15_000, update: 5_000 });
  process.stdout.write('locked\n');
  await sleep(Number(arg1));
  await release();
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}

#!/usr/bin/env node
// A second, independent process speaking OpenClaw's sessions.json lock protocol (facts §5),
// written apart from src/ so interop tests catch a mismatch instead of sharing a bug.
//
//   hold <store> <ms>                      take the lock, print "locked", hold, release
//   acquire <store> [timeoutMs]            wait like the gateway (≤10 s), print JSON {waitedMs}, exit 0/1
//   forge <store> <pid> <createdAt> [st]   write a lock file with this content (stale-lock tests)
//   writer <store> <ms>                    for <ms>: lock, read, add a unique entry, atomic write, unlock;
//                                          prints the keys it wrote as JSON at the end
//   proper-lock <store> <ms>               hold this tool's own run lock (proper-lockfile) for <ms>
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [mode, store, arg1, arg2, arg3] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const lockPath = () => path.join(fs.realpathSync(path.dirname(store)), `${path.basename(store)}.lock`);

function starttime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

function isStale(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return false;
  }
  let body;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return Date.now() - stat.mtimeMs > 30_000;
  }
  const created = Date.parse(body.createdAt);
  if (typeof body.pid !== 'number' || !Number.isFinite(created)) return Date.now() - stat.mtimeMs > 30_000;
  try {
    process.kill(body.pid, 0);
  } catch {
    return true;
  }
  if (body.starttime !== undefined && starttime(body.pid) !== undefined && starttime(body.pid) !== body.starttime) return true;
  return Date.now() - created > 30_000;
}

async function lock(timeoutMs = 10_000) {
  const file = lockPath();
  const started = Date.now();
  let delay = 50;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString(), starttime: starttime(process.pid) }, null, 2));
      fs.closeSync(fd);
      return { file, waitedMs: Date.now() - started };
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (isStale(file)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) return null;
    await sleep(delay);
    delay = Math.min(1000, delay * 2);
  }
}

function atomicWrite(target, text) {
  const temp = `${target}.${randomUUID()}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temp, target);
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
  fs.writeFileSync(lockPath(), JSON.stringify(body, null, 2), { mode: 0o600 });
} else if (mode === 'writer') {
  const until = Date.now() + Number(arg1);
  const written = [];
  let n = 0;
  while (Date.now() < until) {
    const held = await lock();
    if (!held) continue;
    try {
      const doc = JSON.parse(fs.readFileSync(store, 'utf8'));
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
  const release = await lockfile.lock(store, { lockfilePath: `${path.resolve(store)}.openclaw-sessions.lock`, realpath: false, stale: 15_000, update: 5_000 });
  process.stdout.write('locked\n');
  await sleep(Number(arg1));
  await release();
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}

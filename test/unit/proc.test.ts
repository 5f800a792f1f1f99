import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  isProcessAlive,
  parseEnviron,
  parseNulList,
  parseStatComm,
  parseStatCpuTicks,
  parseStatStartTime,
  parseStatState,
  readProcCmdline,
  readProcCpuMs,
  readProcEnviron,
  readProcStartTime,
  readProcState,
  readProcTitle,
} from '../../src/system/proc.js';

const linux = process.platform === 'linux';
const PROC_MODULE = fileURLToPath(new URL('../../src/system/proc.js', import.meta.url));

/** A /proc/<pid>/stat line: fields 3..52 after comm, with starttime (22) and state (3) chosen. */
function statLine(pid: number, comm: string, state: string, starttime: number | string): string {
  const after = Array.from({ length: 50 }, (_, i) => String(1000 + i));
  after[0] = state;
  after[19] = String(starttime);
  return `${pid} (${comm}) ${after.join(' ')}\n`;
}

test('starttime is field 22, counted after the last ")" even when comm has spaces and parentheses', () => {
  assert.equal(parseStatStartTime(statLine(42, 'node', 'S', 987654)), 987654);
  // A naive split on spaces would shift every field by the words in comm.
  assert.equal(parseStatStartTime(statLine(42, 'my (weird) proc', 'S', 555)), 555);
  assert.equal(parseStatStartTime(statLine(42, ') S 1 2 3', 'R', 777)), 777);
  assert.equal(parseStatStartTime(statLine(42, '', 'S', 0)), 0);
});

test('state is field 3 and comm is everything between the first "(" and the last ")"', () => {
  assert.equal(parseStatState(statLine(7, 'a) Z (b', 'S', 1)), 'S');
  assert.equal(parseStatState(statLine(7, 'zombie one', 'Z', 1)), 'Z');
  assert.equal(parseStatComm(statLine(7, 'a) Z (b', 'S', 1)), 'a) Z (b');
  assert.equal(parseStatComm('garbage'), null);
});

test('malformed stat lines give null, never a wrong number', () => {
  assert.equal(parseStatStartTime(''), null);
  assert.equal(parseStatStartTime('42 node S 1 2 3'), null, 'no parentheses');
  assert.equal(parseStatStartTime('42 (node) S 1 2 3'), null, 'truncated before field 22');
  assert.equal(parseStatStartTime(statLine(42, 'x', 'S', '-5')), null, 'negative');
  assert.equal(parseStatStartTime(statLine(42, 'x', 'S', '12.5')), null, 'fraction');
  assert.equal(parseStatState('42 (x)'), null);
});

test('CPU time is utime (14) + stime (15), after the last ")"; anything malformed gives null', () => {
  const after = Array.from({ length: 50 }, (_, i) => String(1000 + i));
  after[11] = '250';
  after[12] = '30';
  assert.equal(parseStatCpuTicks(`9 (a) b) ${after.join(' ')}\n`), 280);
  after[12] = '-1';
  assert.equal(parseStatCpuTicks(`9 (a) ${after.join(' ')}\n`), null);
  assert.equal(parseStatCpuTicks('9 (a) S 1 2 3'), null, 'truncated');
});

test('readProcCpuMs grows while a process computes and is null for no process', { skip: !linux && 'needs /proc' }, async () => {
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 60000; while (Date.now() < end);'], { stdio: 'ignore' });
  try {
    const first = readProcCpuMs(child.pid!);
    assert.notEqual(first, null);
    // Outcome, not a time bound: the CPU count rises at some point while the loop spins.
    let later = first!;
    for (let i = 0; i < 200 && later <= first! + 50; i++) {
      await sleep(50);
      later = readProcCpuMs(child.pid!) ?? later;
    }
    assert.ok(later > first! + 50, `cpu ${first} -> ${later} ms`);
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  assert.equal(readProcCpuMs(-1), null);
});

test('NUL lists drop only the terminator; empty arguments in between survive', () => {
  assert.deepEqual(parseNulList('node\0a b\0\0last\0'), ['node', 'a b', '', 'last']);
  assert.deepEqual(parseNulList('no-terminator'), ['no-terminator']);
  assert.deepEqual(parseNulList(''), []);
});

test('environ splits at the first "=" only and skips entries without a name', () => {
  assert.deepEqual(parseEnviron('A=1\0URL=http://x/?a=b&c=d\0EMPTY=\0=weird\0noequals\0'), {
    A: '1',
    URL: 'http://x/?a=b&c=d',
    EMPTY: '',
  });
});

test('readers on this very process agree with /proc/self', { skip: !linux && 'needs /proc' }, () => {
  const self = readFileSync('/proc/self/stat', 'utf8');
  assert.equal(readProcStartTime(process.pid), parseStatStartTime(self));
  assert.equal(typeof readProcStartTime(process.pid), 'number');
  assert.match(readProcState(process.pid) ?? '', /^[RS]$/);
  assert.equal(readProcCmdline(process.pid)?.[0], readFileSync('/proc/self/cmdline', 'utf8').split('\0')[0]);
});

test('invalid pids are never alive and read as null', () => {
  for (const pid of [0, -1, 1.5, Number.NaN]) {
    assert.equal(isProcessAlive(pid), false, String(pid));
    assert.equal(readProcStartTime(pid), null, String(pid));
    assert.equal(readProcCmdline(pid), null, String(pid));
  }
});

async function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const closed = once(child, 'close');
    child.kill('SIGKILL');
    await closed;
  }
}

test('a live child: alive, its environ and the title it set', { skip: !linux && 'needs /proc' }, async () => {
  const script = 'process.title = "ocs-proc-test"; console.log("ready"); setTimeout(() => {}, 20000)';
  const child = await startChild(['-e', script], { OCS_TOKEN: 'a=b=c', OCS_EMPTY: '' });
  try {
    const pid = child.pid!;
    assert.equal(isProcessAlive(pid), true);
    assert.equal(readProcTitle(pid), 'ocs-proc-test');
    assert.equal(typeof readProcStartTime(pid), 'number');
    const env = readProcEnviron(pid);
    assert.equal(env?.OCS_TOKEN, 'a=b=c');
    assert.equal(env?.OCS_EMPTY, '');
  } finally {
    await stop(child);
  }
});

test('cmdline keeps arguments with spaces and empty ones, in order', { skip: !linux && 'needs /proc' }, async () => {
  const child = await startChild(['-e', 'console.log("ready"); setTimeout(() => {}, 20000)', 'two words', '', 'last']);
  try {
    assert.deepEqual(readProcCmdline(child.pid!), [process.execPath, '-e', 'console.log("ready"); setTimeout(() => {}, 20000)', 'two words', '', 'last']);
  } finally {
    await stop(child);
  }
});

test('an exited process is not alive and its facts read as null', { skip: !linux && 'needs /proc' }, async () => {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'close');
  const pid = child.pid!;
  assert.equal(isProcessAlive(pid), false);
  assert.equal(readProcStartTime(pid), null);
  assert.equal(readProcCmdline(pid), null);
  assert.equal(readProcEnviron(pid), null);
  assert.equal(readProcTitle(pid), null);
});

test('a zombie is not alive even though kill(pid, 0) succeeds', { skip: !linux && 'needs /proc' }, async () => {
  // `sleep 1` becomes a child of `sleep 30` after the exec, and sleep never reaps it. Not `sleep 0`:
  // on a busy machine it could end before the exec, and the shell reaped it (CI, once: no zombie).
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
    const zombie = Number(String(chunk).trim());
    const deadline = Date.now() + 15_000;
    while (readProcState(zombie) !== 'Z' && Date.now() < deadline) await sleep(20);
    assert.equal(readProcState(zombie), 'Z', 'the test set-up did not produce a zombie');
    assert.doesNotThrow(() => process.kill(zombie, 0));
    assert.equal(isProcessAlive(zombie), false);
  } finally {
    await stop(parent);
  }
});

const root = typeof process.getuid === 'function' && process.getuid() === 0;

test('EPERM from kill(pid, 0) means not alive, and another user\'s environ reads as null', { skip: (!root || !linux) && 'needs root to run a child as nobody' }, () => {
  const script = `import { isProcessAlive, readProcEnviron } from ${JSON.stringify(PROC_MODULE)};
    let eperm = false; try { process.kill(1, 0); } catch (e) { eperm = e.code === 'EPERM'; }
    console.log(JSON.stringify({ eperm, alive: isProcessAlive(1), environ: readProcEnviron(1), self: isProcessAlive(process.pid) }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const seen = JSON.parse(result.stdout) as { eperm: boolean; alive: boolean; environ: unknown; self: boolean };
  assert.equal(seen.eperm, true, 'set-up: pid 1 should refuse signals from nobody');
  assert.equal(seen.alive, false);
  assert.equal(seen.environ, null);
  assert.equal(seen.self, true);
});

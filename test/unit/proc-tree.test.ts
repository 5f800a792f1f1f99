import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseStatPpid, parseStatReapedChildTicks, readProcCpuMs } from '../../src/system/proc.js';
import { readProcTreeCpuMs } from '../../src/system/proc-tree.js';

const linux = process.platform === 'linux';

test('stat fields: ppid (4) and the reaped children\'s cutime + cstime (16, 17), after a comm holding ") "', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(1000 + i));
  fields[1] = '77';
  fields[13] = '40';
  fields[14] = '2';
  assert.equal(parseStatPpid(`9 (a) b) ${fields.join(' ')}\n`), 77);
  assert.equal(parseStatReapedChildTicks(`9 (a) b) ${fields.join(' ')}\n`), 42);
  assert.equal(parseStatReapedChildTicks('9 (a) S 1 2 3'), null, 'truncated');
});

test('a process blocked in spawnSync on a computing child: its own clock stands still, its tree clock runs', { skip: !linux && 'needs /proc' }, async () => {
  // The child computes until its parent is gone, so killing the parent ends both.
  const spin = 'const parent = process.ppid; while (process.ppid === parent) {}';
  const parent = spawn(process.execPath, ['-e', `require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(spin)}])`], { stdio: 'ignore' });
  try {
    let own = readProcCpuMs(parent.pid!);
    const tree = readProcTreeCpuMs(parent.pid!);
    assert.notEqual(tree, null);
    // Outcome, not a time bound: the tree's count rises by a second of CPU at some point.
    let later = tree!;
    for (let i = 0; i < 400 && later < tree! + 1000; i++) {
      await sleep(50);
      later = readProcTreeCpuMs(parent.pid!) ?? later;
    }
    const ownLater = readProcCpuMs(parent.pid!);
    assert.ok(later >= tree! + 1000, `tree cpu ${tree} -> ${later} ms`);
    own ??= 0;
    assert.ok(ownLater !== null && ownLater - own < (later - tree!) / 4, `own cpu ${own} -> ${ownLater} ms while the tree used ${later - tree!} ms`);
  } finally {
    parent.kill('SIGKILL');
    await once(parent, 'exit');
  }
  assert.equal(readProcTreeCpuMs(-1), null);
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatewayLockPath } from '../helpers/gateway-lock-path.js';
import { readProcStartTime } from '../../src/system/proc.js';
import { runCliAsync } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

test('a forged gateway lock naming another live process: reported as not a gateway, never signalled', async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  const tmp = path.join(root, 'tmp');
  const config = writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  // A bystander that would die on SIGUSR1 (default action: terminate).
  const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
  const exited = new Promise<string | null>((resolve) => bystander.on('exit', (_code, signal) => resolve(signal)));
  await sleep(100);
  const lockFile = gatewayLockPath(config, tmp);
  mkdirSync(path.dirname(lockFile), { recursive: true });
  writeFileSync(lockFile, JSON.stringify({ pid: bystander.pid, createdAt: new Date().toISOString(), configPath: config, startTime: readProcStartTime(bystander.pid!) }));
  const env = { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: tmp };
  try {
    const status = await runCliAsync(['gateway', '--json'], env);
    assert.equal(status.status, 0, status.stderr);
    const info = JSON.parse(status.stdout) as { running: boolean; staleLocks: Array<{ pid: number; why: string }>; recompute: { restart: { available: boolean } } };
    assert.equal(info.running, false);
    assert.equal(info.staleLocks[0]!.pid, bystander.pid);
    assert.match(info.staleLocks[0]!.why, /not an OpenClaw gateway/);
    assert.equal(info.recompute.restart.available, false);

    // With no verified gateway, prune is a plain file prune and signals nobody.
    const pruned = await runCliAsync(['prune', '--yes', '--json', '--recompute', 'restart', '--allow-restart'], env);
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.equal((JSON.parse(pruned.stdout) as { recompute: { method: string } }).recompute.method, 'file');
    await sleep(300);
    assert.equal(bystander.exitCode, null, 'the bystander must still run');
    assert.equal(bystander.signalCode, null);

    // Same pid, wrong start time (a recycled pid): stale as well.
    writeFileSync(lockFile, JSON.stringify({ pid: bystander.pid, createdAt: new Date().toISOString(), configPath: config, startTime: 1 }));
    const recycled = JSON.parse((await runCliAsync(['gateway', '--json'], env)).stdout) as { staleLocks: Array<{ why: string }> };
    assert.match(recycled.staleLocks[0]!.why, /another process now has that pid/);
  } finally {
    bystander.kill('SIGKILL');
    await exited;
  }
});

test('no gateway, explicit --recompute rpc: file prune with a note, exit 0', async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), everyState('main'));
  const result = await runCliAsync(['prune', '--yes', '--json', '--recompute', 'rpc'], { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp') });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { recompute: { method: string; ok: boolean; detail: string } };
  assert.deepEqual([report.recompute.method, report.recompute.ok], ['file', true]);
  assert.match(report.recompute.detail, /no gateway is running/);
});

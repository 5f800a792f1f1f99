/**
 * A verified gateway that holds its port but gives /healthz and /readyz no response: busy,
 * stopped or stuck, told apart by what was measured (src/gateway/silent-gateway.ts), never by a
 * guess. Before, every one of them was "a hung gateway, or another program", and doctor advised
 * `openclaw gateway restart` — for a gateway that was only busy (seen on a real 2026.4.29 right
 * after a `doctor`: deleting the live-count probe session kept it from answering for seconds),
 * a restart that drops its chats' running turns.
 *
 * The gateway here is a stand-in: a Node process titled `openclaw-gateway` (as a 2026.4.2
 * gateway names itself) holding a lock this config's gateway would write, listening on the
 * port and answering nothing. Busy: its one thread spins, as a gateway's event loop does while
 * it works (the kernel still accepts connections). The real gateway's stopped case is in the
 * real-gateway lanes (test/e2e/lanes.test.ts, SIGSTOP).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcStartTime } from '../../src/system/proc.js';
import { runCliAsync } from '../helpers/cli.js';
import { gatewayLockPath } from '../helpers/gateway-lock-path.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const children = trackedChildren();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

// Listens, says on which port, then keeps its only thread busy (SPIN=self), blocks in spawnSync
// on a child that computes until its parent is gone (SPIN=child: the 2026.4.29 probe delete's
// shape, docs/openclaw-probe-delete.md), or idles.
const STAND_IN = `process.title = 'openclaw-gateway';
// ANSWER: a gateway that answers /healthz and /readyz (the ordinary case), not a silent one.
const server = process.env.ANSWER ? require('node:http').createServer((req, res) => res.end('{"ok":true}')) : require('node:net').createServer(() => {});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('listening ' + server.address().port + '\\n');
  if (process.env.SPIN === 'self') setTimeout(() => { for (;;) {} }, 100);
  const spinUntilOrphaned = 'const parent = process.ppid; while (process.ppid === parent) {}';
  if (process.env.SPIN === 'child') setTimeout(() => require('node:child_process').spawnSync(process.execPath, ['-e', spinUntilOrphaned]), 100);
});`;

async function silentGateway(spin: 'self' | 'child' | null, answer = false): Promise<{ env: Record<string, string>; child: ChildProcess; state: string }> {
  const root = tempDir();
  const state = path.join(root, 'state');
  const tmp = path.join(root, 'tmp');
  const config = writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  writeFile(storePath(state, 'main'), everyState('main'));
  const child = spawn(process.execPath, ['-e', STAND_IN], { env: { PATH: process.env.PATH, ...(spin ? { SPIN: spin } : {}), ...(answer ? { ANSWER: '1' } : {}) }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 200 && !/listening \d+/.test(out); i++) await sleep(50);
  const port = /listening (\d+)/.exec(out)?.[1];
  assert.ok(port, `the stand-in did not listen: ${out}`);
  const lockFile = gatewayLockPath(config, tmp);
  mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
  writeFileSync(lockFile, JSON.stringify({ pid: child.pid, createdAt: new Date().toISOString(), configPath: config, startTime: readProcStartTime(child.pid!) }), { mode: 0o600 });
  return { env: { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: tmp, OPENCLAW_GATEWAY_PORT: port }, child, state };
}

interface GatewayJson {
  schemaVersion: number;
  running: boolean;
  verified: boolean;
  health: { silent: boolean };
  silentGateway: { verdict: string; gatewayCpuMs: number | null; why: string; fix: string } | null;
}

test('a verified gateway that works but answers nothing is busy: gateway, doctor, list and prune say so and advise waiting, a restart only if it stays busy for minutes', async () => {
  const { env, child, state } = await silentGateway('self');
  // The install came from OPENCLAW_STATE_DIR: the restart named is that install's, pasteable without it.
  const restart = `OPENCLAW_STATE_DIR=${state} openclaw gateway restart`;
  const json = JSON.parse((await runCliAsync(['gateway', '--json', '--no-rpc'], env)).stdout) as GatewayJson;
  assert.deepEqual([json.schemaVersion, json.running, json.verified, json.health.silent, json.silentGateway?.verdict], [5, false, true, true, 'busy'], JSON.stringify(json));
  assert.match(json.silentGateway!.why, new RegExp(`^gateway pid ${child.pid} holds this config's lock and the socket and is busy: it gave no response to /healthz or /readyz within \\d+\\.\\d s while it and the processes it started used \\d+\\.\\d s of CPU, as a gateway finishing a session delete \\(seconds\\) or loading its plugins \\(up to 76 s\\) does, or one caught in a loop$`));
  assert.equal(json.silentGateway!.fix, `run again in a minute; if it is still busy and silent after 5 minutes, restart it (${restart})`);

  const text = await runCliAsync(['gateway', '--no-rpc'], env);
  assert.match(text.stdout, /^Answers: +nothing: gateway pid \d+ holds this config's lock and the socket and is busy: .*; run again in a minute; if it is still busy and silent after 5 minutes, restart it/m);

  const doctor = await runCliAsync(['doctor', '--json', '--no-rpc'], env);
  const finding = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; severity: string; message: string; fix: string | null }> }).findings.find((f) => f.id === 'gateway-not-answering');
  assert.deepEqual([finding?.severity, finding?.fix], ['warning', `run again in a minute; if it is still busy and silent after 5 minutes, restart it (${restart})`], doctor.stdout);
  assert.doesNotMatch(doctor.stdout, /another program/);

  const list = await runCliAsync(['list'], env);
  assert.match(list.stdout, /^Live: port \d+ accepts connections but nothing there answers as a gateway \(gateway pid \d+ .* is busy: .*\): its ACP count cannot be read$/m);

  // Metrics: not up, and busy rather than down (an alert can tell them apart).
  const metrics = await runCliAsync(['metrics'], env);
  assert.equal(metrics.status, 0, metrics.stderr);
  assert.match(metrics.stdout, /^openclaw_gateway_up 0$/m);
  assert.match(metrics.stdout, /^openclaw_gateway_silent\{verdict="busy"\} 1$/m);

  // ACP entries stay beside it (it still holds their handles), and the advice is to wait.
  const pruned = await runCliAsync(['prune', '--yes'], env);
  assert.notEqual(pruned.status, 0);
  assert.ok(pruned.stderr.includes(`; run again in a minute; if it is still busy and silent after 5 minutes, restart it (${restart}); nothing was changed`), pruned.stderr);
});

test('a verified gateway that idles and answers nothing is stuck; stopped (SIGSTOP), it is told to be resumed, not restarted', async () => {
  const { env, child, state } = await silentGateway(null);
  const idle = JSON.parse((await runCliAsync(['gateway', '--json', '--no-rpc'], env)).stdout) as GatewayJson;
  assert.deepEqual([idle.running, idle.silentGateway?.verdict, idle.silentGateway?.fix], [false, 'stuck', `restart it (OPENCLAW_STATE_DIR=${state} openclaw gateway restart), then run again`], JSON.stringify(idle));
  assert.match(idle.silentGateway!.why, /stayed idle \(0\.\d s of CPU\): it is stuck$/);
  assert.match((await runCliAsync(['metrics', '--no-rpc'], env)).stdout, /^openclaw_gateway_silent\{verdict="stuck"\} 1$/m);

  child.kill('SIGSTOP');
  try {
    const stopped = JSON.parse((await runCliAsync(['gateway', '--json', '--no-rpc'], env)).stdout) as GatewayJson;
    assert.deepEqual([stopped.silentGateway?.verdict, stopped.silentGateway?.fix], ['stopped', `resume it (kill -CONT ${child.pid}), then run again`]);
    const doctor = JSON.parse((await runCliAsync(['doctor', '--json', '--no-rpc'], env)).stdout) as { findings: Array<{ id: string; severity: string }> };
    assert.equal(doctor.findings.find((f) => f.id === 'gateway-not-answering')?.severity, 'problem');
    assert.match((await runCliAsync(['metrics', '--no-rpc'], env)).stdout, /^openclaw_gateway_silent\{verdict="stopped"\} 1$/m);
  } finally {
    child.kill('SIGCONT');
  }
});

test('a verified gateway blocked in a child it waits for (spawnSync), its own thread idle: busy, counted with the processes it started — as 2026.4.29 is while deleting a session', async () => {
  const { env, child } = await silentGateway('child');
  const json = JSON.parse((await runCliAsync(['gateway', '--json', '--no-rpc'], env)).stdout) as GatewayJson;
  assert.deepEqual([json.running, json.silentGateway?.verdict], [false, 'busy'], JSON.stringify(json));
  assert.match(json.silentGateway!.why, new RegExp(`^gateway pid ${child.pid} holds this config's lock and the socket and is busy: `));
});

test('a verified gateway that answers is one Gateway line: never also "pid unknown (no verified lock)"', async () => {
  const { env, child } = await silentGateway(null, true);
  const text = await runCliAsync(['gateway', '--no-rpc'], env);
  assert.equal(text.status, 0, text.stderr);
  const gatewayLines = text.stdout.split('\n').filter((line) => line.startsWith('Gateway:'));
  assert.deepEqual(gatewayLines.map((line) => line.replace(/\s+/g, ' ')), [`Gateway: pid ${child.pid} (verified: lock owned by its user, start time matches, OpenClaw gateway process, holds port ${env.OPENCLAW_GATEWAY_PORT})`], text.stdout);
  assert.doesNotMatch(text.stdout, /^Answers:/m);
  // It answered: no silent series at all (absent, not 0).
  const metrics = await runCliAsync(['metrics', '--no-rpc'], env);
  assert.equal(metrics.status, 0, metrics.stderr);
  assert.doesNotMatch(metrics.stdout, /openclaw_gateway_silent/);
});

/**
 * Issue 9 on a real OpenClaw 2026.4.2 gateway: found by every route (a TMPDIR that hides its
 * lock, --url from another state dir), its live ACP count read and measured around a prune,
 * orphaned handles seen by doctor and cleared by a verified restart, and a planted lock that
 * never gets a signal or the token.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { gatewayLockPath } from '../helpers/gateway-lock-path.js';
import { readProcStartTime } from '../../src/system/proc.js';
import { StoreEntryParser } from '../../src/store/json-entries.js';
import { runCliAsync } from '../helpers/cli.js';
import { e2eUnavailable, freePort, RealGateway } from './real-gateway.js';

const unavailable = e2eUnavailable();
const skip = unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false;
if (unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

async function failedSessions(gateway: RealGateway, n: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(await gateway.spawnFailedSession());
  return keys;
}

interface GatewayJson {
  running: boolean;
  pid: number | null;
  verified: boolean;
  route: string | null;
  trusted: { ok: boolean; why: string };
  staleLocks: Array<{ lockPath: string; pid: number | null; why: string }>;
  acp: { activeRuntimeSessions: number | null; cap: number | null; orphanedHandles: number | null; turnCounts: { failed: number } | null };
  recompute: { rpc: { available: boolean }; restart: { available: boolean; why?: string }; none: { available: boolean } };
}

interface PruneJson {
  pruned: Array<{ key: string }>;
  slotsFreed: number | null;
  slotsHeldOnDisk: number;
  summary: string;
  recompute: { method: string; ok: boolean; viaRpc: string[]; liveBefore: number | null; liveAfter: number | null; gatewayPid: number | null; newGatewayPid: number | null; detail: string };
}

describe('real gateway: live truth (issue 9)', { skip, timeout: 900_000 }, () => {
  const gateway = new RealGateway();
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'ocs-elsewhere-'));
  before(async () => gateway.start(), { timeout: 180_000 });
  after(async () => {
    await gateway.stop();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  test('stuck 3/3, run with a TMPDIR that hides the lock: found by its port, live count 3, prune frees through RPC, measured 3 → 0', async () => {
    const keys = await failedSessions(gateway, 3);
    assert.equal(await gateway.activeRuntimeSessions(), 3);
    // The layout large stores are parsed in, entry by entry (json-entries.ts), is the one this
    // gateway writes: its own files give JSON.parse's document through that parser.
    for (const agent of ['failer', 'main']) {
      const bytes = readFileSync(path.join(gateway.stateDir, 'agents', agent, 'sessions', 'sessions.json'));
      const parser = new StoreEntryParser();
      for (let at = 0; at < bytes.length; at += 4096) assert.ok(parser.push(bytes.subarray(at, at + 4096)), `${agent}: not the expected layout`);
      const document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      assert.deepEqual(parser.end(), document, `${agent}: entry-by-entry parse differs`);
      // Every top-level key, and only those, starts a line with two spaces and a quote.
      assert.equal(bytes.toString('utf8').split('\n  "').length - 1, Object.keys(document).length, `${agent}: top-level keys are not the only '\\n  "' line starts`);
    }
    assert.ok('refused' in (await gateway.spawn('okay')), 'stuck at 3/3');
    gateway.dropClient();
    const hidden = { ...gateway.env, TMPDIR: path.join(elsewhere, 'tmp') };
    mkdirSync(hidden.TMPDIR, { recursive: true });

    const status = await runCliAsync(['gateway', '--json'], hidden);
    assert.equal(status.status, 0, status.stderr);
    const info = JSON.parse(status.stdout) as GatewayJson;
    assert.equal(info.running, true);
    assert.equal(info.verified, false);
    assert.equal(info.pid, null, 'no lock seen: pid unknown');
    assert.equal(info.route, 'port');
    assert.equal(info.trusted.ok, true, info.trusted.why);
    assert.equal(info.acp.activeRuntimeSessions, 3);
    assert.equal(info.acp.cap, 3);
    assert.equal(info.acp.turnCounts?.failed, 3);
    assert.equal(info.recompute.rpc.available, true);
    assert.equal(info.recompute.restart.available, false, 'pid unknown: never signalled');
    assert.equal(info.recompute.none.available, false);

    const text = await runCliAsync(['gateway'], hidden);
    assert.match(text.stdout, /running on port \d+, pid unknown/);
    assert.match(text.stdout, /Live ACP:\s+3 handles held \(cap 3\)/);
    const listed = await runCliAsync(['list'], hidden);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^Live: the gateway holds 3 ACP handles of 3$/m);

    // Pointed at a port where nothing answers while this gateway holds the config's lock: the ACP
    // entries must not leave the file behind its back (they would be orphans).
    const wrongPort = { ...gateway.env, OPENCLAW_GATEWAY_PORT: String(await freePort()) };
    const before = JSON.stringify(gateway.storeOf('failer'));
    const refused = await runCliAsync(['prune', '--yes', '--older-than', '0'], wrongPort);
    assert.equal(refused.status, 5, `${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, /holds this config's lock .*removing \d+ sessions? that may hold an ACP runtime handle from the file could orphan (it|them).*nothing was changed/);
    assert.equal(JSON.stringify(gateway.storeOf('failer')), before, 'the store was changed');

    const pruned = await runCliAsync(['prune', '--yes', '--json', '--older-than', '0'], hidden);
    assert.equal(pruned.status, 0, pruned.stderr);
    const report = JSON.parse(pruned.stdout) as PruneJson;
    assert.equal(report.recompute.method, 'rpc');
    assert.deepEqual([...report.recompute.viaRpc].sort(), [...keys].sort());
    assert.deepEqual([report.recompute.liveBefore, report.recompute.liveAfter, report.slotsFreed], [3, 0, 3]);
    assert.match(report.summary, /\(3 ACP slots freed: live count 3 → 0\)/);
    assert.equal(await gateway.activeRuntimeSessions(), 0);
    const again = await gateway.spawn('okay');
    assert.ok('key' in again, `spawn refused after prune: ${'refused' in again ? again.refused : ''}`);
    // The tool's own /acp doctor sessions are gone.
    assert.deepEqual(Object.keys(gateway.storeOf('main')).filter((key) => key.includes('openclaw-sessions-probe')), []);
    // Clean slate for the next test: the healthy session goes through the gateway.
    await (await gateway.client()).call('sessions.delete', { key: (again as { key: string }).key });
  });

  test('orphans: ACP entries removed by hand → doctor exit 6 naming them; prune --recompute restart --allow-restart with nothing to prune restarts; count 0', async () => {
    const keys = await failedSessions(gateway, 3);
    assert.equal(await gateway.activeRuntimeSessions(), 3);
    gateway.dropClient();
    gateway.removeByHand('failer', keys);

    const doctor = await runCliAsync(['doctor'], gateway.env);
    assert.equal(doctor.status, 6, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /PROBLEM\s+3 orphaned ACP handles: the gateway holds 3 runtime handles but only 0 sessions on disk/);
    assert.match(doctor.stdout, /fix: openclaw-sessions prune --recompute restart --allow-restart/);
    const doctorJson = JSON.parse((await runCliAsync(['doctor', '--json'], gateway.env)).stdout) as { findings: Array<{ id: string; severity: string }> };
    assert.ok(doctorJson.findings.some((f) => f.id === 'orphaned-handles' && f.severity === 'problem'));

    const oldPid = gateway.lockPid();
    const restarted = await runCliAsync(['prune', '--yes', '--json', '--recompute', 'restart', '--allow-restart', '--wait', '150s'], gateway.env);
    assert.equal(restarted.status, 0, restarted.stderr);
    const report = JSON.parse(restarted.stdout) as PruneJson;
    assert.equal(report.pruned.length, 0);
    assert.equal(report.recompute.method, 'restart');
    assert.equal(report.recompute.gatewayPid, oldPid);
    assert.notEqual(report.recompute.newGatewayPid, oldPid);
    assert.deepEqual([report.recompute.liveBefore, report.recompute.liveAfter], [3, 0]);
    assert.equal(report.slotsFreed, 3);
    await gateway.waitForLiveCount(0);
    // And with nothing orphaned, the same command does not restart again.
    gateway.dropClient();
    const idle = await runCliAsync(['prune', '--yes', '--json', '--recompute', 'restart', '--allow-restart'], gateway.env);
    assert.equal(idle.status, 0, idle.stderr);
    assert.match((JSON.parse(idle.stdout) as PruneJson).recompute.detail, /no orphaned handles/);
    assert.equal(gateway.lockPid(), report.recompute.newGatewayPid);
  });

  test('--url and --token from another state dir: list and prune over RPC; file-only restore says why not', async () => {
    const keys = await failedSessions(gateway, 2);
    gateway.dropClient();
    // Another install's state dir (empty): one that names no directory is a usage error (explicit-names.ts).
    mkdirSync(path.join(elsewhere, 'state'), { recursive: true });
    const other = { HOME: path.join(elsewhere, 'home'), OPENCLAW_STATE_DIR: path.join(elsewhere, 'state'), TMPDIR: path.join(elsewhere, 'tmp') };
    const url = `ws://127.0.0.1:${gateway.port}`;
    const listed = await runCliAsync(['list', '--json', '--url', url, '--token', gateway.token], other);
    assert.equal(listed.status, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as { sessions: Array<{ key: string; state: string }> };
    for (const key of keys) assert.equal(list.sessions.find((s) => s.key === key)?.state, 'errored', key);
    const text = await runCliAsync(['list', '--url', url, '--token', gateway.token], other);
    assert.match(text.stdout, /^Live: the gateway holds 2 ACP handles$/m);

    const pruned = await runCliAsync(['prune', '--yes', '--json', '--older-than', '0', '--url', url, '--token', gateway.token], other);
    assert.equal(pruned.status, 0, pruned.stderr);
    const report = JSON.parse(pruned.stdout) as PruneJson;
    assert.equal(report.recompute.method, 'rpc');
    assert.deepEqual([...report.recompute.viaRpc].sort(), [...keys].sort());
    assert.deepEqual([report.recompute.liveBefore, report.recompute.liveAfter, report.slotsFreed], [2, 0, 2]);
    for (const key of keys) assert.equal(gateway.storeOf('failer')[key], undefined);

    const status = JSON.parse((await runCliAsync(['gateway', '--json', '--url', url, '--token', gateway.token], other)).stdout) as GatewayJson;
    assert.deepEqual([status.running, status.route, status.pid, status.acp.activeRuntimeSessions, status.recompute.restart.available], [true, 'url', null, 0, false]);
    const doctor = await runCliAsync(['doctor', '--url', url, '--token', gateway.token], other);
    assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /0 live ACP handles in the gateway \(stores not local/);
    const restore = await runCliAsync(['restore', '--yes', '--url', url], other);
    assert.equal(restore.status, 2, restore.stderr);
    assert.match(restore.stderr, /restore re-adds entries to local store files/);
    // A wrong token: refused by the gateway, one line, no stack.
    const wrong = await runCliAsync(['list', '--url', url, '--token', 'not-the-token'], other);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^openclaw-sessions: cannot read the sessions of ws:\/\/127\.0\.0\.1:\d+ over RPC: .*token/m);
  });

  test('a planted lock naming a non-gateway process and a stranger\'s port: never signalled, never sent the token', async () => {
    const heard: string[] = [];
    const stranger = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    stranger.on('connection', (socket) => {
      socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: Date.now() } }));
      socket.on('message', (data) => heard.push(String(data)));
    });
    await new Promise((resolve) => stranger.once('listening', resolve));
    const strangerPort = (stranger.address() as { port: number }).port;
    const log = path.join(gateway.stateDir, 'openclaw', 'gateway.log');
    mkdirSync(path.dirname(log), { recursive: true });
    writeFileSync(log, '');
    const bystander = spawn('tail', ['-f', log], { stdio: 'ignore' });
    const exited = new Promise<string | null>((resolve) => bystander.on('exit', (_code, signal) => resolve(signal)));
    await sleep(200);
    // The 9.x lock location, with a 9.x `port` pointing at the stranger.
    const planted = gatewayLockPath(gateway.configPath, path.join(gateway.stateDir, 'tmp'));
    mkdirSync(path.dirname(planted), { recursive: true });
    writeFileSync(planted, JSON.stringify({ pid: bystander.pid, createdAt: new Date().toISOString(), configPath: gateway.configPath, startTime: readProcStartTime(bystander.pid!), port: strangerPort }));
    try {
      const status = JSON.parse((await runCliAsync(['gateway', '--json'], gateway.env)).stdout) as GatewayJson;
      const bad = status.staleLocks.find((s) => s.lockPath === planted);
      assert.ok(bad && /not an OpenClaw gateway: it runs \/usr\/bin\/tail/.test(bad.why), JSON.stringify(status.staleLocks));
      // The real gateway is still found by its own, verified lock.
      assert.equal(status.pid, gateway.lockPid());
      assert.equal(status.acp.activeRuntimeSessions, 0);
      const doctor = await runCliAsync(['doctor'], gateway.env);
      assert.match(doctor.stdout, new RegExp(`${planted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} names pid ${bystander.pid}: .*never signalled`));
      assert.doesNotMatch(doctor.stdout, new RegExp(`rm ${planted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'never advise removing a lock whose pid is alive');
      await runCliAsync(['prune', '--yes', '--older-than', '0'], gateway.env);
      await sleep(300);
      assert.equal(bystander.exitCode, null, 'the bystander still runs');
      assert.equal(bystander.signalCode, null);
      assert.deepEqual(heard.filter((frame) => frame.includes(gateway.token)), [], 'the token never reached the stranger');
      assert.deepEqual(heard, [], 'nothing was sent to the stranger at all');
    } finally {
      bystander.kill('SIGKILL');
      await exited;
      await new Promise((resolve) => stranger.close(resolve));
      rmSync(planted, { force: true });
    }
  });
});

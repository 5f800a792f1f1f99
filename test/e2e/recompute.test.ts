/**
 * The stuck gateway, reproduced on a real OpenClaw 2026.4.2, and unstuck by openclaw-sessions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliAsync } from '../helpers/cli.js';
import { e2eUnavailable, LANE, RealGateway } from './real-gateway.js';

const unavailable = e2eUnavailable();
// These 4.2 scenarios (SIGUSR1 replaces the process; version string) run in the 4.2 lane;
// lanes.test.ts runs every version.
const otherLane = LANE.version !== '2026.4.2' ? `the ${LANE.version} lane runs lanes.test.ts only` : false;
const skip = otherLane || (unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false);
if (!otherLane && unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

async function stick(gateway: RealGateway): Promise<string[]> {
  const keys = [await gateway.spawnFailedSession(), await gateway.spawnFailedSession(), await gateway.spawnFailedSession()];
  assert.equal(await gateway.activeRuntimeSessions(), 3);
  const fourth = await gateway.spawn('okay');
  assert.ok('refused' in fourth, 'the 4th spawn must fail: the gateway is stuck');
  assert.match(fourth.refused, /ACP max concurrent sessions reached \(3\/3\)/);
  return keys;
}

describe('real gateway: stuck by failed persistent ACP sessions', { skip, timeout: 600_000 }, () => {
  const gateway = new RealGateway();
  before(async () => gateway.start(), { timeout: 180_000 });
  after(async () => gateway.stop());

  test('list and gateway see the stuck state; prune --yes (auto) recomputes over RPC and spawns work again', async () => {
    const keys = await stick(gateway);

    const listed = await runCliAsync(['list', '--json'], gateway.env);
    assert.equal(listed.status, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as { summary: { acp: { slotsHeld: number; cap: number; heldByState: Record<string, number> } }; sessions: Array<{ key: string; state: string }> };
    assert.equal(list.summary.acp.cap, 3);
    assert.equal(list.summary.acp.heldByState.errored, 3);
    for (const key of keys) assert.equal(list.sessions.find((s) => s.key === key)?.state, 'errored');

    const status = await runCliAsync(['gateway', '--json'], gateway.env);
    assert.equal(status.status, 0, status.stderr);
    const info = JSON.parse(status.stdout) as { running: boolean; pid: number; verified: boolean; version: string; ready: boolean; port: number; recompute: { rpc: { available: boolean }; restart: { available: boolean; signal?: string } } };
    assert.equal(info.running, true);
    assert.equal(info.verified, true);
    assert.equal(info.pid, gateway.lockPid());
    assert.equal(info.version, '2026.4.2');
    assert.equal(info.ready, true);
    assert.equal(info.port, gateway.port);
    assert.equal(info.recompute.rpc.available, true);
    assert.deepEqual([info.recompute.restart.available, info.recompute.restart.signal], [true, 'SIGUSR1']);

    // The sessions errored seconds ago: --older-than 0 skips the default 10m grace.
    const pruned = await runCliAsync(['prune', '--yes', '--json', '--older-than', '0'], gateway.env);
    assert.equal(pruned.status, 0, pruned.stderr);
    const report = JSON.parse(pruned.stdout) as { pruned: Array<{ key: string }>; recompute: { method: string; ok: boolean; viaRpc: string[] } };
    assert.equal(report.recompute.method, 'rpc');
    assert.equal(report.recompute.ok, true);
    assert.deepEqual([...report.recompute.viaRpc].sort(), [...keys].sort());
    for (const key of keys) assert.equal(gateway.storeOf('failer')[key], undefined, `${key} still in sessions.json`);

    assert.equal(await gateway.activeRuntimeSessions(), 0);
    const again = await gateway.spawn('okay');
    assert.ok('key' in again, `spawn still refused after prune: ${'refused' in again ? again.refused : ''}`);
  });
});

describe('real gateway: prune --recompute restart', { skip, timeout: 600_000 }, () => {
  // Cap 4: three failed sessions and one spawned without a turn, whose ACP identity stays
  // pending; a starting gateway re-creates the handles of such sessions in the background
  // (docs/openclaw-restart.md), so a count read right after the restart must say it may rise.
  const gateway = new RealGateway({ maxConcurrentSessions: 4 });
  before(async () => gateway.start(), { timeout: 180_000 });
  after(async () => gateway.stop());

  test('prunes the file, restarts the verified pid to a new verified pid, and the count is clear but for the pending session, which the report says may come back', async () => {
    const fresh = await gateway.spawn('okay');
    assert.ok('key' in fresh, JSON.stringify(fresh));
    const keys = [await gateway.spawnFailedSession(), await gateway.spawnFailedSession(), await gateway.spawnFailedSession()];
    assert.equal(await gateway.activeRuntimeSessions(), 4);
    const fifth = await gateway.spawn('okay');
    assert.ok('refused' in fifth && /ACP max concurrent sessions reached \(4\/4\)/.test(fifth.refused), JSON.stringify(fifth));
    const oldPid = gateway.lockPid();
    gateway.dropClient();
    const noAllow = await runCliAsync(['prune', '--yes', '--older-than', '0', '--recompute', 'restart'], gateway.env);
    assert.equal(noAllow.status, 2, noAllow.stderr);
    assert.match(noAllow.stderr, /--allow-restart/);

    const result = await runCliAsync(['prune', '--yes', '--json', '--older-than', '0', '--recompute', 'restart', '--allow-restart', '--wait', '150s'], gateway.env);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { recompute: { method: string; ok: boolean; gatewayPid: number; newGatewayPid: number; liveAfter: number | null; liveNote: string | null } };
    assert.equal(report.recompute.method, 'restart');
    assert.equal(report.recompute.ok, true);
    assert.equal(report.recompute.gatewayPid, oldPid);
    assert.notEqual(report.recompute.newGatewayPid, oldPid);
    assert.equal(gateway.lockPid(), report.recompute.newGatewayPid);
    for (const key of keys) assert.equal(gateway.storeOf('failer')[key], undefined);
    assert.ok(gateway.storeOf('okay')[fresh.key], 'the session spawned without a turn is no terminal run: kept');
    // The one count read right after the restart: below the pending session, it says so.
    const liveAfter = report.recompute.liveAfter;
    assert.equal(typeof liveAfter, 'number', JSON.stringify(report.recompute));
    process.stdout.write(`# ${LANE.version} right after the restart: live ${liveAfter}, note: ${report.recompute.liveNote}\n`);
    if (liveAfter! < 1) assert.match(report.recompute.liveNote ?? '', /read right after the restart: .*\(1 left here\), so its count may rise to 1/);
    else assert.equal(report.recompute.liveNote, null);
    // The three errored handles are gone; only the pending one may come back.
    await gateway.waitFor(async () => {
      try {
        return (await gateway.activeRuntimeSessions()) <= 1;
      } catch {
        gateway.dropClient();
        return false;
      }
    }, 60_000, 'the restarted gateway to hold at most the pending session\'s handle');
    const again = await gateway.spawn('okay');
    assert.ok('key' in again, `spawn refused after restart: ${'refused' in again ? again.refused : ''}`);
  });
});

/**
 * OpenClaw issue #61539 on a real openclaw@2026.4.2 gateway: persistent ACP sessions whose
 * turn failed keep holding concurrency slots until the gateway is told to close them, and
 * `sessions.delete` over RPC (this tool's client) is what frees a slot at once.
 *
 * Skips when the lane is not set up (see e2eSkipReason); OPENCLAW_E2E=1 makes that a failure.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, RealGateway, startGateway } from './harness.js';

const skip = e2eSkipReason();

describe('real gateway 2026.4.2: failed persistent ACP sessions leak slots (#61539)', { skip, timeout: 300_000 }, () => {
  let gateway: RealGateway;
  const stale: string[] = [];

  before(async () => {
    gateway = await startGateway({ maxConcurrentSessions: 3 });
  }, { timeout: 150_000 });

  after(async () => {
    await gateway?.stop();
  });

  test('the gateway under test: version, scopes granted to our device, singleton lock', async () => {
    const hello = await gateway.hello();
    assert.equal(hello.serverVersion, '2026.4.2');
    assert.equal(hello.protocol, 3);
    assert.ok(hello.methods.includes('sessions.delete'), 'sessions.delete is offered');
    assert.ok(hello.scopes.includes('operator.admin'), `granted scopes: ${hello.scopes.join(',')}`);
    const pid = gateway.gatewayPid();
    assert.ok(pid !== null, `no singleton lock at ${gateway.info.lockFile}`);
    const lock = JSON.parse(fs.readFileSync(gateway.info.lockFile, 'utf8')) as Record<string, unknown>;
    assert.equal(lock.configPath, gateway.info.configPath);
    assert.equal(typeof lock.startTime, 'number');
    assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1'), /openclaw/);
    assert.equal(await gateway.activeRuntimeSessions(), 0);
  });

  test('three failed persistent sessions hold all three slots; the fourth spawn is refused', { timeout: 180_000 }, async () => {
    for (let i = 0; i < 3; i++) {
      const { key, entry } = await gateway.spawnFailedPersistentSession();
      assert.match(key, /^agent:failer:acp:[0-9a-f-]{36}$/);
      assert.equal(entry.acp?.state, 'error');
      assert.equal(entry.acp?.mode, 'persistent');
      assert.equal(entry.status, 'failed');
      assert.match(String(entry.acp?.lastError), /acpx exited with code 1/);
      stale.push(key);
    }
    assert.equal(await gateway.activeRuntimeSessions(), 3, 'every errored session still counts');

    const fourth = await gateway.spawnSession('okay');
    assert.equal(fourth.accepted, false, `4th spawn should be refused, got: ${fourth.message}`);
    assert.match(fourth.message, /ACP max concurrent sessions reached \(3\/3\)/);
  });

  test('sessions.delete over RPC frees one slot at once; a new spawn is accepted', { timeout: 120_000 }, async () => {
    assert.equal(stale.length, 3, 'needs the three stale sessions of the previous test');
    const [victim, ...kept] = stale as [string, ...string[]];

    const answer = await gateway.call<{ ok: boolean; key: string; deleted: boolean }>('sessions.delete', { key: victim }, { timeoutMs: 60_000 });
    assert.equal(answer.ok, true);
    assert.equal(answer.deleted, true);
    assert.equal(answer.key, victim);
    assert.equal(gateway.findEntry(victim), undefined, 'entry gone from sessions.json');
    for (const key of kept) assert.equal(gateway.findEntry(key)?.acp?.state, 'error', `${key} untouched`);

    assert.equal(await gateway.activeRuntimeSessions(), 2);
    const fresh = await gateway.spawnSession('okay');
    assert.equal(fresh.accepted, true, `spawn after delete refused: ${fresh.message}`);
    if (fresh.accepted) assert.match(fresh.key, /^agent:okay:acp:/);
    assert.equal(await gateway.activeRuntimeSessions(), 3);
  });
});

/**
 * A live read whose `/acp doctor` was taken but not answered in time: never a count, and the
 * reason says what the gateway process did meanwhile (pending-read.ts). A real 2026.4.29
 * gateway's first command after a start drives the same path in test/e2e/first-read.test.ts;
 * here a gateway double acknowledges the command and never replies, and the CPU clock is given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayRpc } from '../../src/gateway/rpc-client.js';
import { readLiveAcp } from '../../src/gateway/live-acp.js';
import { judgePendingRead, pendingReadWhy } from '../../src/gateway/pending-read.js';
import { probeDeletesSettled } from '../../src/gateway/probe-deletes.js';
import { fakeGateway } from '../helpers/ws-gateway.js';

test('busy when the gateway (and what it started) used at least a tenth of a core while the reply was awaited; idle under 5%; unknown between, or without a clock', () => {
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: 21_000 }), 'busy');
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: 2500 }), 'busy');
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: 2490 }), 'unknown');
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: 1250 }), 'unknown');
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: 1240 }), 'idle');
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: 0 }), 'idle');
  assert.equal(judgePendingRead({ waitedMs: 25_000, gatewayCpuMs: null }), 'unknown');
  assert.equal(judgePendingRead({ waitedMs: 0, gatewayCpuMs: 10 }), 'unknown');
});

test('each verdict says what was measured and what to do, and never a count', () => {
  const busy = pendingReadWhy({ waitedMs: 25_000, gatewayCpuMs: 21_340 });
  assert.match(busy, /took \/acp doctor but is still working on it after 25 s \(it and the processes it started used 21\.3 s of CPU meanwhile\)/);
  assert.match(busy, /first chat command after a start loads its plugins/);
  assert.match(busy, /run again in a minute/);
  assert.match(pendingReadWhy({ waitedMs: 25_000, gatewayCpuMs: 100 }), /no reply within 25 s while it and the processes it started stayed idle \(0\.1 s of CPU\).*stopped or stuck/);
  assert.match(pendingReadWhy({ waitedMs: 25_000, gatewayCpuMs: null }), /^the gateway took \/acp doctor but gave no reply within 25 s \(/);
  for (const why of [busy, pendingReadWhy({ waitedMs: 1, gatewayCpuMs: 0 })]) assert.doesNotMatch(why, /activeRuntimeSessions|holds \d/);
});

/** Acknowledges chat.send and never sends the reply (a gateway still loading, or stuck); deletes are answered. */
async function silentGateway() {
  const sent: string[] = [];
  const gw = await fakeGateway((socket, frame) => {
    const reply = (payload: unknown) => socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload }));
    if (frame.method === 'chat.send') {
      sent.push(String(frame.params.message));
      reply({ runId: frame.params.idempotencyKey, status: 'started' });
    } else if (frame.method === 'sessions.list') reply({ sessions: [] });
    else if (frame.method === 'sessions.delete') reply({ ok: true, deleted: true });
  });
  return { gw, sent };
}

test('an acknowledged /acp doctor with no reply: the gateway CPU clock read at the acknowledgement and at the timeout decides the reason', async () => {
  const { gw, sent } = await silentGateway();
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  try {
    const clock = (...values: Array<number | null>) => {
      let call = 0;
      return () => values[Math.min(call++, values.length - 1)] ?? null;
    };
    const busy = await readLiveAcp(client, { agentId: 'main', timeoutMs: 200, gatewayCpuMs: clock(5000, 25_000) });
    assert.ok(!busy.ok);
    assert.match(busy.why, /still working on it after 0 s \(it and the processes it started used 20\.0 s of CPU meanwhile\)/);
    const idle = await readLiveAcp(client, { agentId: 'main', timeoutMs: 200, gatewayCpuMs: clock(5000, 5000) });
    assert.ok(!idle.ok);
    assert.match(idle.why, /stayed idle \(0\.0 s of CPU\)/);
    // The process went away between the two reads (or its clock went backwards): not measured.
    const gone = await readLiveAcp(client, { agentId: 'main', timeoutMs: 200, gatewayCpuMs: clock(5000, null) });
    assert.ok(!gone.ok);
    assert.match(gone.why, /^the gateway took \/acp doctor but gave no reply within 0 s \(a gateway's first chat command/);
    const remote = await readLiveAcp(client, { agentId: 'main', timeoutMs: 200 });
    assert.ok(!remote.ok);
    assert.doesNotMatch(remote.why, /CPU/);
    assert.deepEqual(sent, ['/acp doctor', '/acp doctor', '/acp doctor', '/acp doctor']);
    await probeDeletesSettled();
  } finally {
    client.close();
  }
});

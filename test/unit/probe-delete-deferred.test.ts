/**
 * The live read answers before its probe session's delete does (docs/openclaw-probe-delete.md:
 * a real 2026.4.29 gateway took 7–22 s per sessions.delete, over 30 s on a loaded machine). A gateway double holds the delete
 * until the test releases it; the real gateway drives the same path in test/e2e/lanes.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayRpc } from '../../src/gateway/rpc-client.js';
import { readLiveAcp } from '../../src/gateway/live-acp.js';
import { probeDeletesInFlight, probeDeletesSettled } from '../../src/gateway/probe-deletes.js';
import { fakeGateway } from '../helpers/ws-gateway.js';

const DOCTOR = 'ACP doctor:\nactiveRuntimeSessions: 3\nturnCounts: completed=1, failed=2';

/** A gateway double whose sessions.delete answers only when `release()` is called; `replyAfterMs` delays /acp doctor's reply. */
async function holdingGateway(replyAfterMs = 0) {
  const listed = new Set<string>();
  const held: Array<() => void> = [];
  const deletes: string[] = [];
  const gw = await fakeGateway((socket, frame) => {
    const reply = (payload: unknown) => socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload }));
    if (frame.method === 'sessions.list') return reply({ sessions: [...listed].map((key) => ({ key, updatedAt: Date.now() })) });
    if (frame.method === 'sessions.delete') {
      deletes.push(String(frame.params.key));
      held.push(() => {
        listed.delete(String(frame.params.key));
        reply({ ok: true, deleted: true });
      });
      return;
    }
    if (frame.method === 'chat.send') {
      listed.add(String(frame.params.sessionKey));
      reply({ runId: frame.params.idempotencyKey, status: 'started' });
      setTimeout(() => socket.send(JSON.stringify({ type: 'event', event: 'chat', payload: { runId: frame.params.idempotencyKey, state: 'final', message: { content: [{ type: 'text', text: DOCTOR }] } } })), replyAfterMs);
    }
  });
  const release = () => held.splice(0).forEach((answer) => answer());
  return { gw, listed, deletes, release };
}

test('the count is returned while the probe delete is unanswered; the connection is needed until it settles', async () => {
  const { gw, listed, deletes, release } = await holdingGateway();
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  try {
    const said: string[] = [];
    const reading = await readLiveAcp(client, { agentId: 'main', timeoutMs: 5000, progress: (line) => said.push(line) });
    assert.ok(reading.ok, 'read');
    assert.equal(reading.report.activeRuntimeSessions, 3);
    assert.equal(said.length, 0, 'a fast answer says nothing');
    await sleep(50);
    assert.deepEqual(deletes, [reading.probeKey], 'the delete was sent');
    assert.ok(listed.has(reading.probeKey), 'and is not answered yet');
    assert.equal(probeDeletesInFlight(), 1);

    const settled = probeDeletesSettled((line) => said.push(line));
    await sleep(1300);
    assert.equal(said.length, 1, 'a delete still pending after a second is named once');
    assert.match(said[0]!, /waiting for the gateway to delete this run's probe session/);
    release();
    await settled;
    assert.equal(await reading.probeDeleted, true);
    assert.equal(probeDeletesInFlight(), 0);
    assert.ok(!listed.has(reading.probeKey), 'no probe session left behind');
  } finally {
    client.close();
  }
});

test('a slow /acp doctor answer is named once on the progress line; no progress writer, no line', async () => {
  const { gw, release } = await holdingGateway(2300);
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  try {
    const said: string[] = [];
    const slow = await readLiveAcp(client, { agentId: 'main', timeoutMs: 10_000, progress: (line) => said.push(line) });
    assert.ok(slow.ok);
    assert.equal(said.length, 1);
    assert.match(said[0]!, /waiting for the gateway's live ACP count \(\/acp doctor/);
    await sleep(50);
    release();
    assert.equal(await slow.probeDeleted, true);
    // Settled at once: nothing in flight, nothing said.
    const after: string[] = [];
    await probeDeletesSettled((line) => after.push(line));
    assert.equal(after.length, 0);
  } finally {
    client.close();
  }
});

test('a read that fails still deletes its probe session, after returning', async () => {
  const deletes: string[] = [];
  const gw = await fakeGateway((socket, frame) => {
    const reply = (payload: unknown) => socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload }));
    if (frame.method === 'sessions.list') return reply({ sessions: [] });
    if (frame.method === 'sessions.delete') {
      deletes.push(String(frame.params.key));
      return reply({ ok: true, deleted: true });
    }
    if (frame.method === 'chat.send') reply({ runId: frame.params.idempotencyKey, status: 'started' }); // and never answers
  });
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  try {
    const reading = await readLiveAcp(client, { agentId: 'main', timeoutMs: 200 });
    assert.ok(!reading.ok);
    assert.match(reading.why, /^the gateway took \/acp doctor but gave no reply within /);
    assert.equal(await reading.probeDeleted, true);
    assert.equal(deletes.length, 1);
    assert.match(deletes[0]!, /^agent:main:openclaw-sessions-probe-/);
  } finally {
    client.close();
  }
});

test('a gateway that answers /acp doctor and then never the delete is not asked more: no leftover listing after the delete timed out', async () => {
  const asked: string[] = [];
  const gw = await fakeGateway((socket, frame) => {
    asked.push(frame.method);
    const reply = (payload: unknown) => socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload }));
    if (frame.method === 'sessions.list') return reply({ sessions: [] });
    if (frame.method === 'sessions.delete') return; // hung from here on (a SIGSTOPped or blocked gateway)
    if (frame.method === 'chat.send') {
      reply({ runId: frame.params.idempotencyKey, status: 'started' });
      socket.send(JSON.stringify({ type: 'event', event: 'chat', payload: { runId: frame.params.idempotencyKey, state: 'final', message: { content: [{ type: 'text', text: DOCTOR }] } } }));
    }
  });
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  try {
    const reading = await readLiveAcp(client, { agentId: 'main', timeoutMs: 5000, deleteTimeoutMs: 300 });
    assert.ok(reading.ok);
    assert.equal(await reading.probeDeleted, false, 'the delete was not answered');
    await sleep(100);
    assert.deepEqual(asked, ['chat.send', 'sessions.delete'], 'after an unanswered delete nothing more is asked (each further call waits out its own timeout)');
  } finally {
    client.close();
  }
});

test("the probe's delete is waited for 60 s: a 2026.4.29 delete took 28.1 s in CI's lane and over 30 s on a loaded machine (the old 30 s left the probe session behind)", async () => {
  const { gw, release } = await holdingGateway();
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  const timeouts: Array<[string, number | undefined]> = [];
  const call = client.call.bind(client);
  client.call = ((method: string, params?: unknown, options?: { timeoutMs?: number }) => {
    timeouts.push([method, options?.timeoutMs]);
    return call(method, params, options);
  }) as typeof client.call;
  try {
    const reading = await readLiveAcp(client, { agentId: 'main', timeoutMs: 5000 });
    assert.ok(reading.ok);
    await sleep(50);
    assert.deepEqual(timeouts.filter(([method]) => method === 'sessions.delete'), [['sessions.delete', 60_000]]);
    release();
    assert.equal(await reading.probeDeleted, true);
  } finally {
    client.close();
  }
});

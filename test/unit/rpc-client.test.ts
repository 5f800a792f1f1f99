import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { connectSignaturePayload, loadOrCreateDevice } from '../../src/gateway/device.js';
import { GatewayRpc } from '../../src/gateway/rpc-client.js';
import { RpcError } from '../../src/gateway/rpc-error.js';
import { tempDir } from '../helpers/tmp.js';
import { fakeGateway } from '../helpers/ws-gateway.js';


test('handshake: signed v3 device payload verifies with the public key; hello is parsed; calls resolve', async () => {
  const gw = await fakeGateway((socket, frame) => socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: { ok: true, deleted: true, key: frame.params.key } })));
  const device = loadOrCreateDevice(path.join(tempDir(), 'device.json'));
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok', device });
  assert.equal(client.hello.serverVersion, '2026.4.2');
  assert.deepEqual(client.hello.methods, ['sessions.delete', 'sessions.list']);
  const connect = gw.seen[0] as { params: { device: { id: string; publicKey: string; signature: string; signedAt: number; nonce: string }; client: { id: string; mode: string; platform: string }; role: string; scopes: string[]; auth: { token: string } } };
  const params = connect.params;
  assert.equal(params.auth.token, 'tok');
  assert.equal(params.device.nonce, 'n-123');
  assert.equal(params.device.id, device.id);
  const payload = connectSignaturePayload({ deviceId: device.id, clientId: params.client.id, clientMode: params.client.mode, role: params.role, scopes: params.scopes, signedAt: params.device.signedAt, token: 'tok', nonce: 'n-123', platform: params.client.platform });
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: params.device.publicKey }, format: 'jwk' });
  assert.ok(verify(null, Buffer.from(payload), publicKey, Buffer.from(params.device.signature, 'base64url')), 'signature verifies');
  assert.match(payload, /^v3\|[0-9a-f]{64}\|cli\|cli\|operator\|operator\.admin,operator\.read,operator\.write\|\d+\|tok\|n-123\|linux\|$/);
  assert.deepEqual(await client.call('sessions.delete', { key: 'k1' }), { ok: true, deleted: true, key: 'k1' });
  client.close();
  client.close(); // idempotent
});

test('auth refused → RpcError auth with the gateway code', async () => {
  const gw = await fakeGateway(() => undefined, { refuse: true });
  await assert.rejects(GatewayRpc.connect({ url: gw.url, token: 'bad' }), (e: unknown) => e instanceof RpcError && e.kind === 'auth' && e.code === 'UNAUTHORIZED' && /token mismatch/.test(e.message));
});

test('method error keeps the code (UNAVAILABLE); timeout; socket closed mid-call fails pending calls', async () => {
  const gw = await fakeGateway((socket, frame) => {
    if (frame.method === 'slow') return; // never answers
    if (frame.method === 'die') return socket.terminate();
    socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: false, error: { code: 'UNAVAILABLE', message: 'close timed out after 15000ms' } }));
  });
  const client = await GatewayRpc.connect({ url: gw.url, token: 't' });
  await assert.rejects(client.call('sessions.delete', { key: 'x' }), (e: unknown) => e instanceof RpcError && e.kind === 'method' && e.code === 'UNAVAILABLE');
  await assert.rejects(client.call('slow', {}, { timeoutMs: 150 }), (e: unknown) => e instanceof RpcError && e.kind === 'timeout');
  const pending = client.call('slow', {}, { timeoutMs: 5000 });
  const dying = client.call('die', {}, { timeoutMs: 5000 });
  await assert.rejects(pending, (e: unknown) => e instanceof RpcError && e.kind === 'closed');
  await assert.rejects(dying, (e: unknown) => e instanceof RpcError && e.kind === 'closed');
  await assert.rejects(client.call('after', {}), (e: unknown) => e instanceof RpcError && e.kind === 'closed');
});

test('nothing listening → RpcError connect; a silent server → timeout', async () => {
  await assert.rejects(GatewayRpc.connect({ url: 'ws://127.0.0.1:1', timeoutMs: 2000 }), (e: unknown) => e instanceof RpcError && e.kind === 'connect');
  const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => silent.once('listening', resolve));
  after(() => silent.close());
  const { port } = silent.address() as { port: number };
  await assert.rejects(GatewayRpc.connect({ url: `ws://127.0.0.1:${port}`, timeoutMs: 300 }), (e: unknown) => e instanceof RpcError && e.kind === 'timeout');
});

test('device identity: stored 0600 in a 0700 dir and the same on the next load', () => {
  const file = path.join(tempDir(), 'sub', 'device.json');
  const a = loadOrCreateDevice(file);
  const b = loadOrCreateDevice(file);
  assert.equal(a.id, b.id);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  assert.match(a.publicKey, /^[A-Za-z0-9_-]{43}$/);
});

test('password auth: the password is sent, but the signed string carries an empty token field', async () => {
  const gw = await fakeGateway(() => undefined);
  const device = loadOrCreateDevice(path.join(tempDir(), 'device.json'));
  const client = await GatewayRpc.connect({ url: gw.url, password: 'pw', device });
  const params = (gw.seen[0] as { params: { auth: { password?: string; token?: string }; device: { signature: string; signedAt: number; publicKey: string }; client: { id: string; mode: string; platform: string }; role: string; scopes: string[] } }).params;
  assert.deepEqual(params.auth, { password: 'pw' });
  const payload = connectSignaturePayload({ deviceId: device.id, clientId: params.client.id, clientMode: params.client.mode, role: params.role, scopes: params.scopes, signedAt: params.device.signedAt, token: '', nonce: 'n-123', platform: params.client.platform });
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: params.device.publicKey }, format: 'jwk' });
  assert.ok(verify(null, Buffer.from(payload), publicKey, Buffer.from(params.device.signature, 'base64url')));
  client.close();
});

test('a delete that outlasts the client is looked up in sessions.list before it is called a failure; /acp doctor goes to a probe session that is deleted', async () => {
  const { deleteViaRpc } = await import('../../src/recompute/via-rpc.js');
  const { readLiveAcp } = await import('../../src/gateway/live-acp.js');
  const listed = new Set(['agent:a:acp:slow-gone', 'agent:a:acp:slow-stays']);
  // Probe sessions left by killed runs: an old one is cleaned up, a young one (another run's) is not.
  const leftovers = { 'agent:main:openclaw-sessions-probe-old': Date.now() - 3_600_000, 'agent:main:openclaw-sessions-probe-young': Date.now() };
  for (const key of Object.keys(leftovers)) listed.add(key);
  const deletes: string[] = [];
  const gw = await fakeGateway((socket, frame) => {
    const reply = (payload: unknown) => socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload }));
    if (frame.method === 'sessions.delete') {
      const key = String(frame.params.key);
      deletes.push(key);
      // The gateway finishes this one after the client gave up; the other it never finishes.
      if (key === 'agent:a:acp:slow-gone') setTimeout(() => listed.delete(key), 20);
      if (key.startsWith('agent:a:acp:slow')) return;
      listed.delete(key);
      return reply({ ok: true, deleted: true });
    }
    if (frame.method === 'sessions.list') return reply({ sessions: [...listed].map((key) => ({ key, updatedAt: (leftovers as Record<string, number>)[key] })) });
    if (frame.method === 'chat.send') {
      reply({ runId: frame.params.idempotencyKey, status: 'started' });
      listed.add(String(frame.params.sessionKey));
      socket.send(JSON.stringify({ type: 'event', event: 'chat', payload: { runId: frame.params.idempotencyKey, state: 'final', message: { content: [{ type: 'text', text: 'ACP doctor:\nactiveRuntimeSessions: 2\nturnCounts: completed=1, failed=2' }] } } }));
    }
  });
  const client = await GatewayRpc.connect({ url: gw.url, token: 'tok' });
  try {
    const outcomes = await deleteViaRpc(client, ['agent:a:acp:slow-gone', 'agent:a:acp:slow-stays'], { timeoutMs: 150, retries: 1, backoffMs: 10 });
    assert.deepEqual(outcomes.map((o) => [o.key, o.deleted, o.confirmedByList ?? false, o.unconfirmed ?? false]), [
      ['agent:a:acp:slow-gone', true, true, false],
      ['agent:a:acp:slow-stays', false, false, 'timeout'],
    ]);
    assert.match(outcomes[1]!.why!, /no reply within 150 ms; it was sent, so the gateway may still delete it/);
    // Never sent twice: the gateway still holds the first request (a hung 7.35 gateway carried it out after SIGCONT).
    assert.deepEqual(deletes, ['agent:a:acp:slow-gone', 'agent:a:acp:slow-stays']);

    const live = await readLiveAcp(client, { agentId: 'main', timeoutMs: 2000 });
    assert.ok(live.ok && live.report.activeRuntimeSessions === 2 && live.report.turnCounts?.failed === 2);
    const probe = live.ok ? live.probeKey : '';
    assert.match(probe, /^agent:main:openclaw-sessions-probe-/);
    // The reading comes first; its housekeeping (the deletes) settles after.
    assert.equal(await live.probeDeleted, true);
    assert.ok(deletes.includes(probe) && !listed.has(probe), 'the probe session was deleted again');
    assert.ok(deletes.includes('agent:main:openclaw-sessions-probe-old') && !deletes.includes('agent:main:openclaw-sessions-probe-young'), 'only an old leftover probe is removed');
  } finally {
    client.close();
  }
});

test('close() ends the connection although a hung gateway never answers the close frame (a run must not linger 30 s after its report)', async () => {
  // Observed (helper-17, real 7.35 gateway stopped with SIGSTOP during a prune's delete): the
  // report was out and the run lock released, yet the process exited 30 s later, waiting in
  // ws's closing handshake for a peer that could not answer. Here the peer stops reading.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  after(() => server.close());
  server.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: Date.now() } }));
    socket.once('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: string };
      socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: { type: 'hello-ok', protocol: 3, server: { version: '2026.7.35' }, features: { methods: [] }, auth: { scopes: [] } } }));
      socket.pause(); // hung: reads nothing more, so the client's close frame is never answered
    });
  });
  const client = await GatewayRpc.connect({ url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`, token: 'tok' });
  client.close();
  // ws alone waits 30 s for the answer; the client gives it a short grace. Polled for up to half
  // of ws's wait, so a busy machine cannot fail the fixed client, and the old one cannot pass.
  for (let waited = 0; waited < 15_000 && !client.isClosed(); waited += 100) await sleep(100);
  assert.equal(client.isClosed(), true, 'the socket is closed: nothing keeps the process alive');
});

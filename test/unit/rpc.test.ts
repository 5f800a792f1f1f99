/**
 * GatewayRpcClient against a local WebSocket server that imitates the gateway's handshake
 * (frames as openclaw@2026.4.2 sends them; see docs/real-gateway-notes.md), and the device
 * identity file it signs with.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { CliError } from '../../src/errors.js';
import { loadOrCreateDeviceIdentity } from '../../src/gateway/device-identity.js';
import { GatewayRpcClient, RpcError, type ConnectOptions } from '../../src/gateway/rpc.js';
import { tempDir } from '../helpers/tmp.js';

// Any rejection nobody handled fails the file: the client promises never to leak one.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'unhandled rejections');
});

const TOKEN = 'test-token-1';
const SCOPES = ['operator.admin', 'operator.read', 'operator.write'];

interface ReqFrame {
  type: string;
  id: string;
  method: string;
  params: Record<string, any>;
}

type Handler = (socket: WebSocket, frame: ReqFrame) => void;

interface FakeGatewayOptions {
  /** Decides the connect answer; default accepts. */
  onConnect?: (socket: WebSocket, frame: ReqFrame, nonce: string) => void;
  /** Answers every request after connect. */
  onRequest?: Handler;
}

/** Raw 32-byte Ed25519 key → a KeyObject, the way a gateway would rebuild it. */
function publicKeyFromRaw(raw: Buffer) {
  const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
  return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}

function send(socket: WebSocket, frame: unknown): void {
  socket.send(JSON.stringify(frame));
}

function helloOk(scopes: string[]) {
  return {
    type: 'hello-ok',
    protocol: 3,
    server: { version: '2026.4.2', connId: 'conn-1' },
    features: { methods: ['health', 'sessions.list', 'sessions.delete', 'chat.send'], events: ['chat', 'tick'] },
    snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 1 },
    auth: { deviceToken: 'dt-1', role: 'operator', scopes, issuedAtMs: Date.now() },
    policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000 },
  };
}

async function fakeGateway(options: FakeGatewayOptions = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const frames: ReqFrame[] = [];
  const sockets = new Set<WebSocket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const nonce = `nonce-${Math.random().toString(16).slice(2)}`;
    send(socket, { type: 'event', event: 'connect.challenge', payload: { nonce, ts: Date.now() } });
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ReqFrame;
      frames.push(frame);
      if (frame.method === 'connect') {
        if (options.onConnect) options.onConnect(socket, frame, nonce);
        else send(socket, { type: 'res', id: frame.id, ok: true, payload: helloOk(frame.params.scopes) });
        return;
      }
      options.onRequest?.(socket, frame);
    });
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  return { url: `ws://127.0.0.1:${port}`, frames, sockets };
}

function connectOptions(url: string, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { url, token: TOKEN, clientId: 'cli', clientMode: 'cli', clientVersion: '0.1.0', scopes: SCOPES, timeoutMs: 2_000, ...extra };
}

async function rejectionOf(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RpcError, `expected RpcError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

test('handshake: the device signs the v3 string, hello-ok is read, a call resolves', async () => {
  const dir = tempDir('ocs-rpc-');
  const identity = loadOrCreateDeviceIdentity(path.join(dir, 'device.json'));
  let verified = false;
  const gw = await fakeGateway({
    onConnect(socket, frame, nonce) {
      const p = frame.params;
      // What a 4.2 gateway checks, rebuilt here independently of the client's own code.
      assert.equal(p.minProtocol <= 3 && p.maxProtocol >= 3, true);
      assert.equal(p.role, 'operator');
      assert.deepEqual(p.scopes, SCOPES);
      assert.deepEqual(p.auth, { token: TOKEN });
      assert.deepEqual(p.client, { id: 'cli', version: '0.1.0', platform: process.platform, mode: 'cli' });
      const d = p.device;
      assert.deepEqual(Object.keys(d).sort(), ['id', 'nonce', 'publicKey', 'signature', 'signedAt']);
      assert.equal(d.nonce, nonce);
      assert.ok(Math.abs(Date.now() - d.signedAt) < 5_000);
      assert.match(d.publicKey, /^[A-Za-z0-9_-]{43}$/, 'raw 32 bytes, base64url, no padding');
      const raw = Buffer.from(d.publicKey, 'base64url');
      assert.equal(raw.length, 32);
      assert.equal(d.id, createHash('sha256').update(raw).digest('hex'));
      const signed = ['v3', d.id, 'cli', 'cli', 'operator', SCOPES.join(','), String(d.signedAt), TOKEN, nonce, process.platform, ''].join('|');
      verified = verify(null, Buffer.from(signed, 'utf8'), publicKeyFromRaw(raw), Buffer.from(d.signature, 'base64url'));
      send(socket, { type: 'res', id: frame.id, ok: true, payload: helloOk(['operator.admin', 'operator.read', 'operator.write']) });
    },
    onRequest(socket, frame) {
      send(socket, { type: 'res', id: frame.id, ok: true, payload: { echo: frame.method, params: frame.params } });
    },
  });

  const client = new GatewayRpcClient();
  const hello = await client.connect(connectOptions(gw.url, { identity }));
  assert.equal(verified, true, 'device signature verifies with the public key over the v3 string');
  assert.equal(hello.serverVersion, '2026.4.2');
  assert.equal(hello.protocol, 3);
  assert.deepEqual(hello.methods, ['health', 'sessions.list', 'sessions.delete', 'chat.send']);
  assert.deepEqual(hello.scopes, ['operator.admin', 'operator.read', 'operator.write']);
  assert.equal(client.isOpen, true);

  const answer = await client.call<{ echo: string; params: unknown }>('sessions.list', { limit: 5 }, { timeoutMs: 1_000 });
  assert.deepEqual(answer, { echo: 'sessions.list', params: { limit: 5 } });
  const req = gw.frames.find((f) => f.method === 'sessions.list');
  assert.deepEqual(Object.keys(req ?? {}).sort(), ['id', 'method', 'params', 'type']);
  assert.equal(req?.type, 'req');

  await client.close();
  await client.close(); // idempotent
  assert.equal(client.isOpen, false);
  const after = await rejectionOf(client.call('health'));
  assert.equal(after.kind, 'closed');
});

test('without a device the connect carries no device member and granted scopes are empty', async () => {
  const gw = await fakeGateway({
    onConnect(socket, frame) {
      assert.equal(frame.params.device, undefined);
      const hello: Record<string, unknown> = helloOk([]);
      delete hello.auth; // what a 4.2 gateway sends without a device: no device token
      send(socket, { type: 'res', id: frame.id, ok: true, payload: hello });
    },
  });
  const client = new GatewayRpcClient();
  const hello = await client.connect(connectOptions(gw.url));
  assert.deepEqual(hello.scopes, []);
  await client.close();
});

test('auth refused: kind auth, with the gateway code, detail code and message', async () => {
  const gw = await fakeGateway({
    onConnect(socket, frame) {
      send(socket, {
        type: 'res',
        id: frame.id,
        ok: false,
        error: {
          code: 'INVALID_REQUEST',
          message: 'unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)',
          details: { code: 'AUTH_TOKEN_MISMATCH', authReason: 'token_mismatch' },
        },
      });
      socket.close(1008, 'unauthorized: gateway token mismatch');
    },
  });
  const client = new GatewayRpcClient();
  const error = await rejectionOf(client.connect(connectOptions(gw.url, { token: 'wrong' })));
  assert.equal(error.kind, 'auth');
  assert.equal(error.code, 'INVALID_REQUEST');
  assert.equal(error.detailCode, 'AUTH_TOKEN_MISMATCH');
  assert.match(error.message, /gateway token mismatch/);
  assert.doesNotMatch(error.message, /\n/);
  assert.equal((await rejectionOf(client.call('health'))).kind, 'closed');
  await client.close();
});

test('protocol mismatch is kind protocol', async () => {
  const gw = await fakeGateway({
    onConnect(socket, frame) {
      send(socket, { type: 'res', id: frame.id, ok: false, error: { code: 'INVALID_REQUEST', message: 'protocol mismatch', details: { expectedProtocol: 3 } } });
      socket.close(1002, 'protocol mismatch');
    },
  });
  const error = await rejectionOf(new GatewayRpcClient().connect(connectOptions(gw.url, { minProtocol: 9, maxProtocol: 9 })));
  assert.equal(error.kind, 'protocol');
});

test('server closing the socket mid-call rejects every pending call with kind closed', async () => {
  const gw = await fakeGateway({
    onRequest(socket, frame) {
      if (frame.method === 'slow.b') socket.close(1011, 'going away');
      // slow.a is never answered
    },
  });
  const client = new GatewayRpcClient();
  await client.connect(connectOptions(gw.url));
  const a = client.call('slow.a', {}, { timeoutMs: 5_000 });
  const b = client.call('slow.b', {}, { timeoutMs: 5_000 });
  const [ea, eb] = await Promise.all([rejectionOf(a), rejectionOf(b)]);
  assert.equal(ea.kind, 'closed');
  assert.equal(eb.kind, 'closed');
  assert.match(ea.message, /slow\.a: gateway closed the connection \(code 1011: going away\)/);
  assert.equal((await rejectionOf(client.call('health'))).kind, 'closed');
  await client.close();
});

test('a socket dropped without a close frame also fails pending calls', async () => {
  const gw = await fakeGateway({ onRequest: (socket) => socket.terminate() });
  const client = new GatewayRpcClient();
  await client.connect(connectOptions(gw.url));
  const error = await rejectionOf(client.call('anything', undefined, { timeoutMs: 5_000 }));
  assert.equal(error.kind, 'closed');
  await client.close();
});

test('call timeout: kind timeout, a late answer is dropped, the connection stays usable', async () => {
  const gw = await fakeGateway({
    onRequest(socket, frame) {
      if (frame.method === 'slow') {
        setTimeout(() => send(socket, { type: 'res', id: frame.id, ok: true, payload: { late: true } }), 300);
        return;
      }
      send(socket, { type: 'res', id: frame.id, ok: true, payload: { ok: true } });
    },
  });
  const client = new GatewayRpcClient();
  await client.connect(connectOptions(gw.url));
  const started = Date.now();
  const error = await rejectionOf(client.call('slow', {}, { timeoutMs: 100 }));
  assert.equal(error.kind, 'timeout');
  assert.equal(error.method, 'slow');
  assert.ok(Date.now() - started < 280, 'timed out before the late answer');
  await new Promise((resolve) => setTimeout(resolve, 350)); // let the late answer arrive
  assert.deepEqual(await client.call('health'), { ok: true });
  await client.close();
});

test('method error: kind method with the gateway code UNAVAILABLE and its message', async () => {
  const gw = await fakeGateway({
    onRequest(socket, frame) {
      send(socket, {
        type: 'res',
        id: frame.id,
        ok: false,
        error: { code: 'UNAVAILABLE', message: 'Session delete timed out; try again', retryable: true },
      });
    },
  });
  const client = new GatewayRpcClient();
  await client.connect(connectOptions(gw.url));
  const error = await rejectionOf(client.call('sessions.delete', { key: 'agent:main:acp:x' }));
  assert.equal(error.kind, 'method');
  assert.equal(error.code, 'UNAVAILABLE');
  assert.equal(error.method, 'sessions.delete');
  assert.equal(error.retryable, true);
  assert.match(error.message, /sessions\.delete failed: UNAVAILABLE: Session delete timed out/);
  assert.equal(client.isOpen, true, 'a method error does not end the connection');
  await client.close();
});

test('expectFinal skips the interim accepted answer; events reach listeners', async () => {
  const gw = await fakeGateway({
    onRequest(socket, frame) {
      send(socket, { type: 'res', id: frame.id, ok: true, payload: { runId: 'r1', status: 'accepted', acceptedAt: 1 } });
      send(socket, { type: 'event', event: 'chat', payload: { runId: 'r1', state: 'final' }, seq: 1 });
      setTimeout(() => send(socket, { type: 'res', id: frame.id, ok: true, payload: { runId: 'r1', status: 'ok' } }), 20);
    },
  });
  const client = new GatewayRpcClient();
  await client.connect(connectOptions(gw.url));
  const events: Array<[string, unknown]> = [];
  client.onEvent(() => {
    throw new Error('a throwing listener must not break dispatch');
  });
  const off = client.onEvent((event, payload) => events.push([event, payload]));
  const accepted: unknown[] = [];
  const final = await client.call('agent', { message: 'hi' }, { expectFinal: true, onAccepted: (p) => accepted.push(p) });
  assert.deepEqual(final, { runId: 'r1', status: 'ok' });
  assert.equal(accepted.length, 1);
  assert.deepEqual(events, [['chat', { runId: 'r1', state: 'final' }]]);
  off();
  await client.close();
});

test('no gateway listening: connect fails with kind closed, no crash', async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const error = await rejectionOf(new GatewayRpcClient().connect(connectOptions(`ws://127.0.0.1:${port}`)));
  assert.equal(error.kind, 'closed');
  assert.match(error.message, /ECONNREFUSED/);
});

test('close() while connecting rejects the connect with kind closed', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  after(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const client = new GatewayRpcClient();
  const connecting = client.connect(connectOptions(`ws://127.0.0.1:${port}`));
  await new Promise((resolve) => setTimeout(resolve, 50)); // socket open, no challenge yet
  await client.close();
  const error = await rejectionOf(connecting);
  assert.equal(error.kind, 'closed');
  for (const s of server.clients) s.terminate();
});

test('connect timeout when the server never sends a challenge', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  after(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const error = await rejectionOf(new GatewayRpcClient().connect(connectOptions(`ws://127.0.0.1:${port}`, { timeoutMs: 150 })));
  assert.equal(error.kind, 'timeout');
  for (const s of server.clients) s.terminate();
});

test('garbage from the server is a protocol error', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  after(() => server.close());
  server.on('connection', (socket) => socket.send('this is not json'));
  const { port } = server.address() as net.AddressInfo;
  const error = await rejectionOf(new GatewayRpcClient().connect(connectOptions(`ws://127.0.0.1:${port}`)));
  assert.equal(error.kind, 'protocol');
});

test('device identity: file 0600 in a 0700 dir, reused across loads, signature verifies', () => {
  const dir = tempDir('ocs-dev-');
  const file = path.join(dir, 'nested', 'identity', 'device.json');
  const previous = process.umask(0o022); // a common umask that would leave 0644/0755
  let first;
  try {
    first = loadOrCreateDeviceIdentity(file);
  } finally {
    process.umask(previous);
  }
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, 'nested')).mode & 0o777, 0o700);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['device.json'], 'no temp file left behind');

  const second = loadOrCreateDeviceIdentity(file);
  assert.equal(second.deviceId, first.deviceId);
  assert.equal(second.publicKey, first.publicKey);
  assert.match(first.deviceId, /^[0-9a-f]{64}$/);
  assert.equal(first.deviceId, createHash('sha256').update(Buffer.from(first.publicKey, 'base64url')).digest('hex'));

  const signature = second.sign('hello');
  assert.doesNotMatch(signature, /[=+/]/, 'base64url without padding');
  assert.ok(verify(null, Buffer.from('hello'), publicKeyFromRaw(Buffer.from(first.publicKey, 'base64url')), Buffer.from(signature, 'base64url')));

  // A file made readable by others is tightened back on load.
  fs.chmodSync(file, 0o644);
  loadOrCreateDeviceIdentity(file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('device identity: a damaged file is refused with a one-line error, not replaced', () => {
  const dir = tempDir('ocs-dev-');
  const file = path.join(dir, 'device.json');
  fs.writeFileSync(file, '{"privateKeyPem": "nope"}', { mode: 0o600 });
  assert.throws(() => loadOrCreateDeviceIdentity(file), (error: unknown) => {
    assert.ok(error instanceof CliError);
    assert.match(error.message, /device\.json is unusable \(private key does not parse\)/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  assert.equal(fs.readFileSync(file, 'utf8'), '{"privateKeyPem": "nope"}');
});

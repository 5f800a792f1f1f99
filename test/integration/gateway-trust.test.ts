/**
 * Secrets go only to a proven gateway (issue 9 item 1, issue 16 finding 6), and while anything
 * answers as a gateway an ACP entry never leaves the file without its handle being closed
 * (issue 9 item 4). The stranger runs as another user (`nobody`) through setpriv, as root CI does.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCliAsync } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { startStranger, type Stranger } from '../helpers/stranger.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
const children = trackedChildren();

function startListener(asNobody: boolean): Promise<Stranger> {
  return startStranger(children, asNobody ? { wrap: ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'] } : {});
}

test('a listener of another user on the gateway port answers like a gateway but never gets the token; prune refuses to orphan', { skip: asRoot ? false : 'needs root and setpriv' }, async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 }, gateway: { auth: { mode: "token", token: "config-secret" } } }');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  const before = readFileSync(store);
  const stranger = await startListener(true);
  const env = { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(stranger.port), OPENCLAW_GATEWAY_TOKEN: 'env-secret' };

  const status = await runCliAsync(['gateway', '--json'], env);
  assert.equal(status.status, 0, status.stderr);
  const info = JSON.parse(status.stdout) as { running: boolean; pid: number | null; trusted: { ok: boolean; why: string }; acp: { activeRuntimeSessions: number | null }; recompute: { rpc: { available: boolean; why: string } } };
  assert.equal(info.running, true, 'it answers the WebSocket challenge');
  assert.equal(info.pid, null);
  assert.equal(info.trusted.ok, false);
  assert.match(info.trusted.why, /belongs to uid 65534, not to the gateway's user \(uid 0/);
  assert.equal(info.acp.activeRuntimeSessions, null);
  assert.match(info.recompute.rpc.why, /no token is sent/);

  // ACP entries while something answers as the gateway: refused, the store untouched.
  const pruned = await runCliAsync(['prune', '--yes', '--older-than', '0'], env);
  assert.equal(pruned.status, 5, pruned.stderr);
  assert.match(pruned.stderr, /ACP entr(y|ies) may leave the file only through it.*nothing was changed/);
  assert.deepEqual(readFileSync(store), before);
  const doctor = await runCliAsync(['doctor'], env);
  assert.match(doctor.stdout, /RPC unavailable: the listener on port \d+ is not proven/);

  // Only the operator naming it makes it trusted.
  await runCliAsync(['gateway', '--json', '--url', `ws://127.0.0.1:${stranger.port}`, '--token', 'named'], env);
  await sleep(200);
  const heard = stranger.heard();
  for (const secret of ['env-secret', 'config-secret']) assert.ok(!heard.some((line) => line.includes(secret)), `${secret} leaked: ${heard.join('\n')}`);
  assert.ok(heard.some((line) => line.includes('"named"')), 'the URL the operator named does get its token');
});

test('no gateway answers: ACP entries are pruned from the file directly, and nothing claims slots freed', async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), everyState('main'));
  // A port nothing listens on.
  const stranger = await startListener(false);
  const port = stranger.port;
  children.at(-1)!.kill('SIGKILL');
  await sleep(200);
  const result = await runCliAsync(['prune', '--yes', '--json'], { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(port) });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { slotsFreed: number | null; slotsHeldOnDisk: number; recompute: { method: string; liveBefore: null; liveNote: string } };
  assert.deepEqual([report.recompute.method, report.slotsFreed, report.slotsHeldOnDisk, report.recompute.liveBefore], ['file', null, 2, null]);
  assert.match(report.recompute.liveNote, /no gateway is running/);
});

test('a port that accepts connections but answers as no gateway is said to be taken, never "nothing answers"; doctor calls it a problem', async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), everyState('main'));
  // Another program on the gateway's port: HTTP 404 everywhere, no WebSocket.
  const server = createServer((_request, response) => response.writeHead(404).end('not here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const env = { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(port) };
  try {
    const text = await runCliAsync(['gateway'], env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Gateway: {5}not answering: port ${port} accepts connections, but no /healthz, /readyz or gateway WebSocket answered`, 'm'));
    assert.doesNotMatch(text.stdout, /nothing answers/);
    const json = JSON.parse((await runCliAsync(['gateway', '--json'], env)).stdout) as { running: boolean; health: Record<string, boolean>; trusted: { why: string } };
    assert.deepEqual([json.running, json.health], [false, { listening: true, healthz: false, readyz: false, websocket: false, silent: false }]);
    assert.match(json.trusted.why, /accepts connections, but nothing there answers as a gateway/);
    const doctor = await runCliAsync(['doctor'], env);
    assert.equal(doctor.status, 6, doctor.stderr);
    assert.match(doctor.stdout, new RegExp(`port ${port} accepts connections but does not answer as an OpenClaw gateway`));
    assert.doesNotMatch(doctor.stdout, /no gateway answers/);
    // It answers HTTP, only not as a gateway, and no lock names a gateway there: another program,
    // so no gateway can hold handles on that port and the errored ACP session is pruned.
    const pruned = await runCliAsync(['prune', '--yes', '--json'], env);
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.ok((JSON.parse(pruned.stdout) as { pruned: Array<{ key: string }> }).pruned.some((item) => item.key === 'agent:main:acp:errored'), pruned.stdout);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // Closed: now nothing answers, and that is what is said.
  const closed = await runCliAsync(['gateway', '--json'], env);
  assert.equal((JSON.parse(closed.stdout) as { health: { listening: boolean } }).health.listening, false);
  assert.match((await runCliAsync(['gateway'], env)).stdout, new RegExp(`not running \\(nothing answers on port ${port}`));
});

/**
 * A state dir with every state's sessions, and a listener on its gateway port that reads every
 * request and answers none, as a gateway too hung to answer does (or does `onConnection` to each
 * connection as well). `received`: all it was sent. Every socket is destroyed before the close.
 */
async function withSilentListener(body: (context: { root: string; port: number; store: string; env: Record<string, string>; received: () => string }) => Promise<void>, onConnection: (socket: Socket) => void = () => undefined): Promise<void> {
  const root = tempDir();
  const state = path.join(root, 'state');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  let received = '';
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data) => (received += String(data)));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const env = { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(port) };
  try {
    await body({ root, port, store, env, received: () => received });
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a listener that accepts connections and never replies is silent: asked /healthz and /readyz once, not the WebSocket handshake (the wait is not doubled)', async () => {
  await withSilentListener(async ({ port, env, received }) => {
    const json = JSON.parse((await runCliAsync(['gateway', '--json', '--no-rpc'], env)).stdout) as { running: boolean; health: Record<string, boolean | null>; recompute: { none: { available: boolean; why?: string } } };
    assert.deepEqual([json.running, json.health], [false, { listening: true, healthz: false, readyz: false, websocket: null, silent: true }]);
    // As prune judges it: ACP entries stay beside a listener that may be a hung gateway.
    assert.equal(json.recompute.none.available, false);
    assert.match(String(json.recompute.none.why), /may still hold the handles/);
    assert.match(received(), /^GET \/healthz HTTP\/1\.1\r$/m);
    assert.match(received(), /^GET \/readyz HTTP\/1\.1\r$/m);
    assert.doesNotMatch(received(), /^upgrade: websocket/im, 'no WebSocket handshake was asked');
    const text = await runCliAsync(['gateway', '--no-rpc'], env);
    assert.match(text.stdout, new RegExp(`^Gateway: {5}not answering: port ${port} accepts connections, but gave /healthz and /readyz no response within 2 s`, 'm'));
    const doctor = await runCliAsync(['doctor', '--no-rpc'], env);
    assert.equal(doctor.status, 6, doctor.stderr);
    assert.match(doctor.stdout, new RegExp(`port ${port} accepts connections but does not answer as an OpenClaw gateway \\(no response to /healthz or /readyz within 2 s\\)`));
    // Its advice for the slot holders is not a prune that would be refused (exit 5) beside this listener.
    assert.match(doctor.stdout, new RegExp(`still hold ACP slots; prune keeps them while port ${port} accepts connections but nothing there answers as a gateway`));
    assert.doesNotMatch(doctor.stdout, /fix: openclaw-sessions prune/);
  });
});

test('prune with a silent listener on the gateway port (a hung gateway, or another program): no ACP entry leaves the file (exit 5, nothing changed), other entries do, and nothing says "no gateway is running"', async () => {
  await withSilentListener(async ({ port, store, env }) => {
    const before = readFileSync(store, 'utf8');
    const refused = await runCliAsync(['prune', '--yes'], env);
    assert.equal(refused.status, 5, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`port ${port} accepts connections but nothing there answers as a gateway \\(a hung gateway, or another program\\): removing \\d+ sessions? that may hold an ACP runtime handle from the file could orphan (it|them).*nothing was changed`));
    assert.equal(readFileSync(store, 'utf8'), before, 'the store is unchanged');
    // A finished subagent run has no ACP handle: it may go, and the summary claims nothing about memory.
    const subagent = await runCliAsync(['prune', '--yes', '--json', '--key', 'agent:main:subagent:*'], env);
    assert.equal(subagent.status, 0, subagent.stderr);
    const report = JSON.parse(subagent.stdout) as { pruned: Array<{ key: string }>; recompute: { method: string; detail: string; liveNote: string | null } };
    assert.deepEqual(report.pruned.map((item) => item.key), ['agent:main:subagent:done']);
    assert.match(report.recompute.detail, new RegExp(`^port ${port} accepts connections but nothing there answers as a gateway`));
    assert.match(String(report.recompute.liveNote), /nothing there answers as a gateway: no live count could be read/);
    assert.doesNotMatch(subagent.stdout, /no gateway is running/);
    const list = await runCliAsync(['list'], env);
    assert.match(list.stdout, new RegExp(`^Live: port ${port} accepts connections but nothing there answers as a gateway \\(a hung gateway, or another program\\): its ACP count cannot be read$`, 'm'));
  });
});

test('a listener that accepts and closes at once: every command still finishes and says so (Node 20 fetch never settled there, and the run ended with exit 0 and no output)', async () => {
  // A half-closed socket may never report its close: withSilentListener destroys them all.
  await withSilentListener(async ({ port, env }) => {
    const gatewayJson = await runCliAsync(['gateway', '--json', '--no-rpc'], env);
    assert.equal(gatewayJson.status, 0, gatewayJson.stderr);
    const json = JSON.parse(gatewayJson.stdout) as { running: boolean; health: { healthz: boolean } };
    assert.deepEqual([json.running, json.health.healthz], [false, false]);
    // Mostly seen listening (a problem: the port is taken); on a busy machine the close can beat
    // the connect, and then nothing listens. Either way doctor says which, and exits as it means.
    const doctor = await runCliAsync(['doctor', '--no-rpc'], env);
    assert.ok([0, 6].includes(doctor.status ?? -1), doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, new RegExp(`port ${port} accepts connections but does not answer as an OpenClaw gateway|no gateway answers on port ${port}`));
  }, (socket) => socket.end());
});

test('a run whose pending work can never complete ends with exit 1 and one line, never a silent success', async () => {
  await withSilentListener(async ({ root, env }) => {
    // A fetch that never settles and ignores its abort: once its timer has fired nothing is left pending.
    const preload = writeFile(path.join(root, 'stuck-fetch.cjs'), 'globalThis.fetch = () => new Promise(() => {});\n');
    const result = await runCliAsync(['gateway', '--no-rpc'], { ...env, NODE_OPTIONS: `--require ${preload}` });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^openclaw-sessions: internal error: the run stopped before it finished \(it waited on something that can no longer complete\); set OPENCLAW_SESSIONS_DEBUG=1 and report it\n$/);
  });
});

test('a listener whose /healthz answers is not asked the WebSocket handshake (a gateway logs each one closed before connect as a warning)', async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), everyState('main'));
  // Answers /healthz and /readyz as a gateway does; counts every WebSocket upgrade asked of it.
  let upgrades = 0;
  const server = createServer((request, response) => response.writeHead(request.url === '/healthz' || request.url === '/readyz' ? 200 : 404).end('{"ok":true}'));
  server.on('upgrade', (_request, socket) => {
    upgrades += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const env = { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(port) };
  try {
    const json = JSON.parse((await runCliAsync(['gateway', '--json', '--no-rpc'], env)).stdout) as { schemaVersion: number; running: boolean; health: Record<string, boolean | null> };
    assert.deepEqual([json.schemaVersion, json.running, json.health], [5, true, { listening: true, healthz: true, readyz: true, websocket: null, silent: false }]);
    const text = await runCliAsync(['gateway', '--no-rpc'], env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\(answers: \/healthz, \/readyz, ready\)/);
    const doctor = await runCliAsync(['doctor', '--no-rpc'], env);
    assert.ok([0, 6].includes(doctor.status ?? -1), doctor.stderr);
    assert.equal(upgrades, 0, 'no WebSocket handshake was asked');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('issue 16 findings 5 and 6: a lock planted by another user, or without a start time, is never trusted, signalled or sent the token', { skip: asRoot ? false : 'needs root and setpriv' }, async () => {
  const { chownSync, mkdirSync: mkdir, rmSync, writeFileSync: write } = await import('node:fs');
  const { gatewayLockPath } = await import('../helpers/gateway-lock-path.js');
  const { readProcStartTime } = await import('../../src/system/proc.js');
  const root = tempDir();
  const state = path.join(root, 'state');
  const tmp = path.join(root, 'tmp');
  const config = writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 } }');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  const stranger = await startListener(true);
  const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(bystander);
  await sleep(100);
  const lock = gatewayLockPath(config, tmp);
  mkdir(path.dirname(lock), { recursive: true, mode: 0o755 });
  const plant = (fields: Record<string, unknown>, owner: number | null): void => {
    rmSync(lock, { force: true });
    write(lock, JSON.stringify({ pid: bystander.pid, createdAt: new Date().toISOString(), configPath: config, ...fields }));
    if (owner !== null) chownSync(lock, owner, owner);
  };
  // A free port for the configured gateway: nothing answers there.
  const freePort = (await startListener(false)).port;
  children.at(-1)!.kill('SIGKILL');
  const env = { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: tmp, OPENCLAW_GATEWAY_PORT: String(freePort), OPENCLAW_GATEWAY_TOKEN: 'env-secret' };
  const cases: Array<[string, Record<string, unknown>, number | null, RegExp]> = [
    ['planted by another user', { startTime: readProcStartTime(bystander.pid!), port: stranger.port }, 65534, /the lock file \(uid 65534\) and its directory \(uid 0\) belong to different users/],
    ['no start time', { port: stranger.port }, null, /without a start time/],
    ['right owner and start time, not a gateway', { startTime: readProcStartTime(bystander.pid!), port: stranger.port }, null, /not an OpenClaw gateway: it runs \/usr\/bin\/sleep|not an OpenClaw gateway: it runs \/bin\/sleep/],
  ];
  for (const [name, fields, owner, why] of cases) {
    plant(fields, owner);
    const status = JSON.parse((await runCliAsync(['gateway', '--json'], env)).stdout) as { running: boolean; pid: number | null; staleLocks: Array<{ why: string }> };
    assert.equal(status.pid, null, name);
    assert.match(status.staleLocks[0]?.why ?? '', why, name);
    const doctor = await runCliAsync(['doctor'], env);
    assert.doesNotMatch(doctor.stdout, /rm .*gateway\.[0-9a-f]{8}\.lock/, `${name}: never advise removing a lock whose pid is alive`);
    const pruned = await runCliAsync(['prune', '--yes', '--recompute', 'restart', '--allow-restart', '--older-than', '0'], env);
    assert.equal(pruned.status, 0, `${name}: no gateway answers, so a plain file prune: ${pruned.stderr}`);
    writeFile(store, everyState('main'));
  }
  await sleep(300);
  assert.equal(bystander.exitCode, null, 'the bystander was never signalled');
  assert.equal(bystander.signalCode, null);
  assert.deepEqual(stranger.heard(), [], "nothing was sent to the port a planted lock named");
});

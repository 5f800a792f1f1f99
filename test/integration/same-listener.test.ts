/**
 * The second look at a gateway's port (src/gateway/same-listener.ts), on real sockets and /proc:
 * the e2e lanes kill a real gateway at prune's prompt; this checks each branch without one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import type { GatewayStatus } from '../../src/gateway/probe.js';
import { listenerChangedSince } from '../../src/gateway/same-listener.js';
import { readProcStartTime } from '../../src/system/proc.js';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function status(port: number, fields: { gateway?: { pid: number; startTime: number | null }; listener?: { socketUid: number | null; pids: number[]; gatewayPid: number | null }; remote?: boolean }): GatewayStatus {
  return {
    remote: fields.remote ?? false,
    port,
    gateway: fields.gateway ? { pid: fields.gateway.pid, lock: { startTime: fields.gateway.startTime } } : null,
    discovery: { listener: fields.listener ?? null },
  } as unknown as GatewayStatus;
}

test('a verified gateway: unchanged while the same pid (same start time) holds the port; gone or closed is said so', async () => {
  const { server, port } = await listen();
  const me = { pid: process.pid, startTime: readProcStartTime(process.pid) };
  assert.equal(listenerChangedSince(status(port, { gateway: me })), null);
  assert.match(listenerChangedSince(status(port, { gateway: { ...me, startTime: me.startTime! + 1 } }))!, /^gateway pid \d+ is gone since it was checked/);
  assert.equal(listenerChangedSince(status(port, { gateway: { pid: 999_999_999, startTime: null } }), process.pid), null, 'after a restart: the new pid given');
  await new Promise((resolve) => server.close(resolve));
  assert.match(listenerChangedSince(status(port, { gateway: me }))!, new RegExp(`^gateway pid ${process.pid} no longer holds port ${port} since it was checked`));
  assert.equal(listenerChangedSince(status(port, { gateway: me, remote: true })), null, 'a --url gateway is not on this host');
});

test('no verified pid: the port now held by a process that is not a gateway, or by another owner, is a change', async () => {
  // Another process holds the port (this one is never counted among a port's holders).
  const child = spawn(process.execPath, ['-e', "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    const uid = process.getuid!();
    // Discovery saw the owner only (holders hidden): a holder now visible and not a gateway is not it.
    assert.match(listenerChangedSince(status(port, { listener: { socketUid: uid, pids: [], gatewayPid: null } }))!, new RegExp(`^the listener on port ${port} changed since it was checked \\(pid unknown then, ${child.pid} now\\)`));
    assert.match(listenerChangedSince(status(port, { listener: { socketUid: uid + 1, pids: [child.pid!], gatewayPid: child.pid! } }))!, /changed since it was checked/);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.match(listenerChangedSince(status(port, { listener: { socketUid: uid, pids: [child.pid!], gatewayPid: child.pid! } }))!, new RegExp(`changed since it was checked \\(pid ${child.pid} then, none now\\)`));
  } finally {
    child.kill('SIGKILL');
  }
});

/**
 * Secrets go only to a proven gateway (issue 9 item 1, issue 16 finding 6), and while anything
 * answers as a gateway an ACP entry never leaves the file without its handle being closed
 * (issue 9 item 4). The stranger runs as another user (`nobody`) through setpriv, as root CI does.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runCliAsync } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const STRANGER = fileURLToPath(new URL('../../../test/helpers/stranger-listener.mjs', import.meta.url));
const WS_MODULE = createRequire(import.meta.url).resolve('ws').replace(/index\.js$/, 'wrapper.mjs');
const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
const children = trackedChildren();

async function startStranger(asNobody: boolean): Promise<{ port: number; heard: () => string[] }> {
  const command = asNobody ? ['setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, STRANGER, WS_MODULE]] : [process.execPath, [STRANGER, WS_MODULE]];
  const child = spawn(command[0] as string, command[1] as string[], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 100 && !/listening \d+/.test(out); i++) await sleep(50);
  const port = Number(/listening (\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, `stranger did not start: ${out}`);
  return { port, heard: () => out.split('\n').filter((line) => line.startsWith('heard ')) };
}

test('a listener of another user on the gateway port answers like a gateway but never gets the token; prune refuses to orphan', { skip: asRoot ? false : 'needs root and setpriv' }, async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 }, gateway: { auth: { mode: "token", token: "config-secret" } } }');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  const before = readFileSync(store);
  const stranger = await startStranger(true);
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
  const stranger = await startStranger(false);
  const port = stranger.port;
  children.at(-1)!.kill('SIGKILL');
  await sleep(200);
  const result = await runCliAsync(['prune', '--yes', '--json'], { HOME: root, OPENCLAW_STATE_DIR: state, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(port) });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { slotsFreed: number | null; slotsHeldOnDisk: number; recompute: { method: string; liveBefore: null; liveNote: string } };
  assert.deepEqual([report.recompute.method, report.slotsFreed, report.slotsHeldOnDisk, report.recompute.liveBefore], ['file', null, 2, null]);
  assert.match(report.recompute.liveNote, /no gateway is running/);
});

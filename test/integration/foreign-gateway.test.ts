/**
 * A copy of a state dir keeps the original's port and token. Found by its port alone, the
 * original's running gateway was taken for the copy's: a real 2026.4.2 gateway had a session
 * deleted from the ORIGINAL store by `prune --state-dir COPY` (helper-27's walk, 2026-12-01).
 * The listener here is a stand-in: a process of the same user titled `openclaw-gateway` (as the
 * real one names itself) that answers the WebSocket challenge and prints every frame it hears,
 * started with OPENCLAW_STATE_DIR naming the directory it serves.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCliAsync } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { startStranger, type Stranger } from '../helpers/stranger.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const children = trackedChildren();

function startGatewayFor(stateDir: string, home: string): Promise<Stranger> {
  return startStranger(children, { spawn: { env: { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: stateDir, LISTENER_TITLE: 'openclaw-gateway' } } });
}

function install(): { root: string; original: string; copy: string } {
  const root = tempDir();
  const original = path.join(root, 'original');
  writeFile(path.join(original, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 }, gateway: { auth: { mode: "token", token: "config-secret" } } }');
  writeFile(storePath(original, 'main'), everyState('main'));
  const copy = path.join(root, 'copy');
  cpSync(original, copy, { recursive: true });
  return { root, original, copy };
}

test("the gateway of another state dir on this install's port gets no token and no delete; prune on the copy changes neither store", async () => {
  const { root, original, copy } = install();
  const originalBytes = readFileSync(storePath(original, 'main'));
  const copyBytes = readFileSync(storePath(copy, 'main'));
  const gateway = await startGatewayFor(original, root);
  const env = { HOME: root, OPENCLAW_STATE_DIR: copy, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(gateway.port), OPENCLAW_GATEWAY_TOKEN: 'env-secret' };

  const status = await runCliAsync(['gateway', '--json'], env);
  assert.equal(status.status, 0, status.stderr);
  const info = JSON.parse(status.stdout) as { running: boolean; trusted: { ok: boolean; why: string }; acp: { activeRuntimeSessions: number | null } };
  assert.equal(info.trusted.ok, false);
  assert.equal(info.trusted.why, `the gateway on port ${gateway.port} (pid ${gateway.child.pid}) serves ${original}, not ${copy}: another install's gateway`);
  assert.equal(info.acp.activeRuntimeSessions, null, "another install's count is never shown as this one's");

  const list = await runCliAsync(['list'], env);
  assert.match(list.stdout, /^Live: .*another install's gateway/m);
  const pruned = await runCliAsync(['prune', '--yes', '--older-than', '0'], env);
  assert.notEqual(pruned.status, 0, pruned.stdout);
  assert.match(pruned.stderr, /another install's, never asked to delete this install's sessions/);
  assert.match(pruned.stderr, /serves .*: another install's, never asked to delete this install's sessions, so the \d+ ACP entries stay while it answers there; to prune a copy of a state dir, give the copy its own port/);
  assert.doesNotMatch(pruned.stderr, /gateway stop/, "stopping another install's gateway is never this install's fix");
  const doctor = await runCliAsync(['doctor'], env);
  assert.doesNotMatch(doctor.stdout, /gateway stop/, doctor.stdout);
  assert.doesNotMatch(doctor.stdout, /--token <token>/, 'a gateway proven to be another install\'s is never offered the token');
  assert.match(doctor.stdout.replace(/\s+/g, ' '), /give the copy its own port/);
  await sleep(200);
  assert.deepEqual(gateway.heard(), [], 'not a frame past the challenge: no token, no delete');
  assert.deepEqual(readFileSync(storePath(original, 'main')), originalBytes);
  assert.deepEqual(readFileSync(storePath(copy, 'main')), copyBytes);
});

test('the same directory reached through a symlink is the same install: its gateway gets the token', async () => {
  const { root, original } = install();
  const link = path.join(root, 'link');
  symlinkSync(original, link);
  const gateway = await startGatewayFor(link, root);
  const env = { HOME: root, OPENCLAW_STATE_DIR: original, TMPDIR: path.join(root, 'tmp'), OPENCLAW_GATEWAY_PORT: String(gateway.port), OPENCLAW_GATEWAY_TOKEN: 'env-secret' };
  const status = await runCliAsync(['gateway', '--json'], env);
  const info = JSON.parse(status.stdout) as { trusted: { ok: boolean; why: string } };
  assert.equal(info.trusted.ok, true, info.trusted.why);
  await sleep(200);
  assert.ok(gateway.heard().some((line) => line.includes('env-secret')), `the token goes to this install's gateway: ${gateway.heard().join('\n')}`);
});

/**
 * A lock-busy message names who holds the store lock — the gateway, another run of this tool, or
 * an unknown process — judged from the holder's command line, instead of always blaming the gateway.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { describeHolder } from '../../src/store/lock-holder.js';
import { LOCK_HOLDER, runCliAsync } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const children = trackedChildren();

/** The lock-holder helper, started under another name (argv[1]) so /proc shows that name. */
function holdAs(name: string, store: string): Promise<number> {
  const link = path.join(tempDir(), name);
  symlinkSync(LOCK_HOLDER, link);
  const child = spawn(process.execPath, [link, 'hold', store, '5000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child.pid!));
    child.once('error', reject);
  });
}

for (const { name, expected } of [
  { name: 'openclaw-gateway', expected: (pid: number) => `held by the OpenClaw gateway (pid ${pid})` },
  { name: 'openclaw-sessions', expected: (pid: number) => `held by another openclaw-sessions run (pid ${pid})` },
  { name: 'some-editor', expected: (pid: number) => `held by an unknown process (pid ${pid}: "` },
]) {
  test(`lock busy names the holder: ${name}`, async () => {
    const state = path.join(tempDir(), 'state');
    const store = writeFile(storePath(state, 'main'), everyState('main'));
    const pid = await holdAs(name, store);
    const result = await runCliAsync(['prune', '--yes', '--lock-timeout', '800ms', '--state-dir', state]);
    assert.equal(result.status, 3, result.stderr);
    assert.ok(result.stderr.includes(expected(pid)), result.stderr);
    assert.match(result.stderr, /nothing was changed/);
    assert.match(result.stderr, /--lock-timeout/);
    assert.doesNotMatch(name === 'openclaw-gateway' ? '' : result.stderr, /gateway is writing/);
  });
}

test('describeHolder: pid not yet written, unreadable command line', () => {
  assert.equal(describeHolder(null, { cmdline: null, title: null }).description, 'a process that has not written its pid yet');
  assert.match(describeHolder(42, { cmdline: null, title: null }).description, /unknown process \(pid 42: its command line is unreadable\)/);
  assert.equal(describeHolder(7, { cmdline: ['/usr/bin/node', '/opt/x/bin/openclaw-sessions.js', 'prune'], title: 'node' }).kind, 'openclaw-sessions');
  assert.equal(describeHolder(7, { cmdline: ['openclaw-gateway'], title: 'openclaw-gatewa' }).kind, 'gateway');
});

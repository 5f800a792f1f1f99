/**
 * An OpenClaw config is the gateway user's file, and root's cron reads it: values that would
 * crash a run, or make doctor tell root to chmod a system directory, are refused or named plainly.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

interface DoctorJson {
  findings: Array<{ id: string; severity: string; message: string; fix: string | null }>;
}

function install(config: string): { state: string; root: string } {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(path.join(state, 'openclaw.json'), config);
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  return { state, root };
}

test('gateway.port out of the TCP range is a config error naming the field (exit 1), not an "unexpected error"', () => {
  const { state, root } = install('{ gateway: { port: 99999 } }');
  for (const command of ['doctor', 'gateway', 'list']) {
    const result = runCli([command, '--state-dir', state], { HOME: root, TMPDIR: root });
    assert.equal(result.status, 1, `${command}: ${result.stderr}`);
    assert.match(result.stderr, /config \S+openclaw\.json: gateway\.port: must be <= 65535/);
    assert.doesNotMatch(result.stderr, /unexpected error|ERR_SOCKET_BAD_PORT/);
  }
});

test('a store the config puts in a directory every user can write: doctor says to move it, never to chmod that directory', () => {
  const root = tempDir();
  const shared = path.join(root, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777); // as /tmp is
  const { state } = install(`{ session: { store: ${JSON.stringify(path.join(shared, 'sessions.json'))} } }`);
  writeFile(path.join(shared, 'sessions.json'), { 'agent:main:main': chatEntry('m', MIN) });
  const result = runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], { HOME: root, TMPDIR: root });
  const unsafe = (JSON.parse(result.stdout) as DoctorJson).findings.find((f) => f.id === 'store-unsafe');
  assert.ok(unsafe, result.stdout);
  assert.match(unsafe.message, /writable by other users/);
  assert.doesNotMatch(unsafe.fix ?? '', /chmod/);
  assert.match(unsafe.fix ?? '', /move the store into the state dir/);
});

test('a store the config points at a device is reported unreadable once, with no chmod of /dev to paste', () => {
  const { state, root } = install('{ session: { store: "/dev/zero" } }');
  const result = runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], { HOME: root, TMPDIR: root });
  assert.equal(result.status, 6, result.stderr);
  const findings = (JSON.parse(result.stdout) as DoctorJson).findings;
  assert.ok(findings.some((f) => f.id === 'store-unreadable' && /character device/.test(f.message)));
  assert.ok(findings.every((f) => !/chmod/.test(f.fix ?? '')), JSON.stringify(findings));
});

test('a store inside the state dir left writable by others: the chmod names only what is open', () => {
  const { state, root } = install('{}');
  chmodSync(storePath(state, 'main'), 0o666);
  const result = runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], { HOME: root, TMPDIR: root });
  const unsafe = (JSON.parse(result.stdout) as DoctorJson).findings.find((f) => f.id === 'store-unsafe');
  assert.equal(unsafe?.fix, `chmod o-w ${storePath(state, 'main')}`);
});

test('a store the config names outside the state dir that cannot be read: doctor says to check the config first, never a bare "move aside" of that path', () => {
  const root = tempDir();
  const elsewhere = path.join(root, 'etc', 'shadow');
  mkdirSync(path.dirname(elsewhere));
  writeFileSync(elsewhere, 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
  const { state } = install(`{ session: { store: ${JSON.stringify(elsewhere)} } }`);
  const result = runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], { HOME: root, TMPDIR: root });
  const unreadable = (JSON.parse(result.stdout) as DoctorJson).findings.find((f) => f.id === 'store-unreadable');
  assert.ok(unreadable, result.stdout);
  assert.match(unreadable.fix ?? '', /^check session\.store in the OpenClaw config: it names \S*etc\/shadow, outside the state dir .*; fix or move it aside only if it is the gateway's session store$/);
  // A store of the state dir's own that does not parse keeps the usual fix.
  const own = install('{}');
  writeFileSync(storePath(own.state, 'main'), '{ not json');
  const inside = runCli(['doctor', '--json', '--no-rpc', '--state-dir', own.state], { HOME: own.root, TMPDIR: own.root });
  const broken = (JSON.parse(inside.stdout) as DoctorJson).findings.find((f) => f.id === 'store-unreadable');
  assert.equal(broken?.fix, `fix or move aside ${storePath(own.state, 'main')}`);
});

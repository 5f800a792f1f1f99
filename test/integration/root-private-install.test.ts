/**
 * The tool installed where only root can read it (npm -g under nvm in /root, a copy in /root):
 * a root run on another user's state dir switches to that user before it opens anything there
 * (system/privileges.ts), and the bundle loads its command chunks lazily, so every later load
 * failed. Observed by helper-31 with the package copied into /root (mode 0700): `list` ended with
 * `unexpected error: MODULE_NOT_FOUND: Cannot find module './probe-….cjs'`, `doctor` printed its
 * findings and then that line, `prune --yes` stopped with it before pruning (exit 1 each, no cause
 * named). Now: one line naming the directory the owner cannot read and what to do, exit 4,
 * nothing of the install touched. Run as root with a second uid; skipped when not root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chatEntry, everyState, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const OWNER = 4245;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = isRoot ? false : 'needs root (CI runs as root): a root run on another user\'s state dir';
const PACKAGE = fileURLToPath(new URL('../../../', import.meta.url));

/** A copy of the built package in a directory only root may enter (what an install under /root is). */
function privateInstall(): string {
  const dir = path.join(tempDir(), 'root-only');
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const part of ['package.json', 'bin', path.join('dist', 'bundle')]) cpSync(path.join(PACKAGE, part), path.join(dir, 'pkg', part), { recursive: true });
  return path.join(dir, 'pkg', 'bin', 'openclaw-sessions.js');
}

function ownedInstall(): { state: string; store: string } {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  const store = writeFile(storePath(state, 'main'), { ...everyState('main'), 'agent:main:main': chatEntry('m', MIN) });
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, state]);
  return { state, store };
}

test('installed where only root can read it: a root run on another user\'s install refuses with one line naming why (exit 4), never MODULE_NOT_FOUND, and changes nothing', { skip }, () => {
  const bin = privateInstall();
  const { state, store } = ownedInstall();
  const before = readFileSync(store, 'utf8');
  for (const args of [['list', '--no-rpc'], ['doctor', '--no-rpc'], ['prune', '--yes', '--older-than', '0']]) {
    const result = spawnSync(process.execPath, [bin, ...args, '--state-dir', state], { env: { PATH: process.env.PATH, HOME: '/root', LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000 });
    const what = args.join(' ');
    assert.doesNotMatch(result.stderr, /MODULE_NOT_FOUND|unexpected error/, what);
    assert.equal(result.status, 4, `${what}: ${result.stderr}`);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${what}: one line:\n${result.stderr}`);
    assert.ok(lines[0]!.includes(`uid ${OWNER}, who cannot read this tool's own files (${path.dirname(path.dirname(bin))}`), `${what}: ${lines[0]}`);
    assert.match(lines[0]!, /install it where every user can read it/, what);
  }
  assert.equal(readFileSync(store, 'utf8'), before, 'the store is untouched');
});

test('schedule, run as root from such an install for another user\'s state dir, warns that each scheduled run would be refused', { skip }, () => {
  const bin = privateInstall();
  const { state } = ownedInstall();
  const result = spawnSync(process.execPath, [bin, 'schedule', '--state-dir', state], { env: { PATH: process.env.PATH, HOME: '/root', LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const named = new RegExp(`warning: each scheduled run acts as uid ${OWNER}, the owner of ${state.replaceAll('/', '\\/')}, who cannot read this tool's own files \\((\\S+)\\)`).exec(result.stderr)?.[1];
  assert.ok(named && bin.startsWith(`${named}/`), `names a directory on the way to the bundle: ${result.stderr}`);

  const readable = spawnSync(process.execPath, [path.join(PACKAGE, 'bin', 'openclaw-sessions.js'), 'schedule', '--state-dir', state], { env: { PATH: process.env.PATH, HOME: '/root', LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(readable.status, 0, readable.stderr);
  assert.doesNotMatch(readable.stderr, /cannot read this tool's own files/, 'an install every user can read gets no warning');
});

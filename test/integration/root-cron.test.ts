/**
 * Root's cron against a state dir the gateway's user owns, with that user as the attacker: what a
 * root run does before (or without) reading the install must not write there as root either.
 * Run as root (CI runs as root) with a second uid; skipped, with the reason, when not root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const OWNER = 4243;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = isRoot ? false : 'needs root (CI runs as root): root runs on another user\'s state dir';

/** A state dir owned by uid/gid 4243 (no passwd entry needed), under a root-owned directory. */
function ownedInstall(): { root: string; state: string } {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  spawnSync('chown', ['-R', `${OWNER}:${OWNER}`, state]);
  return { root, state };
}

test('a root prune that fails on a bad flag records its outcome as the owner, never as root', { skip }, () => {
  const { state } = ownedInstall();
  // The tool's own directory, owned by the owner but not writable by them: only a root write can
  // create the record there (a root write there is what a swapped link redirects, chown included).
  const own = path.join(state, 'openclaw-sessions');
  mkdirSync(own, { mode: 0o500 });
  spawnSync('chown', [`${OWNER}:${OWNER}`, own]);
  chmodSync(own, 0o500);
  const result = runCli(['prune', '--yes', '--older-than', 'bogus', '--state-dir', state], { HOME: '/root' });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /invalid --older-than "bogus"/);
  assert.equal(existsSync(path.join(own, 'last-prune.json')), false, 'root wrote the prune record in the owner\'s directory');
});

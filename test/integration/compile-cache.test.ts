/**
 * Node 22.1+'s compile cache (bin/openclaw-sessions.js): kept in the package, made by its owner,
 * and ignored when it is not a private directory of that owner. Runs on a Node with
 * module.enableCompileCache (.ci/run runs it again on the lane's Node 22); skips elsewhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/golden.js';

const hasCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** A copy of the built package (bin, bundle, package.json) in a temp dir, without a cache dir. */
function packageCopy(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ocs-cache-'));
  cpSync(path.join(REPO, 'bin'), path.join(root, 'bin'), { recursive: true });
  cpSync(path.join(REPO, 'dist', 'bundle'), path.join(root, 'dist', 'bundle'), { recursive: true });
  cpSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  return root;
}

function run(root: string, store: string): void {
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'openclaw-sessions.js'), 'list', '--json', '--store', store], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root } });
  assert.equal(result.status, 0, result.stderr);
}

const filesIn = (dir: string): number => (existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0);

test('compile cache: made in the package by its owner and filled; a shared or linked directory is never used', { skip: !hasCache && 'this Node has no module.enableCompileCache' }, () => {
  const root = packageCopy();
  try {
    const store = path.join(root, 'sessions.json');
    writeFileSync(store, JSON.stringify({ 'agent:main:main': { sessionId: 's', updatedAt: Date.now() } }));
    const cache = path.join(root, 'dist', '.compile-cache');
    run(root, store);
    assert.ok(filesIn(cache) > 0, 'the owner run made and filled dist/.compile-cache');

    // Writable by others: someone else could have put code there. Not used (nothing written).
    rmSync(cache, { recursive: true });
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    run(root, store);
    assert.equal(filesIn(cache), 0, 'a world-writable cache directory was used');

    // A link to a directory elsewhere: not used either.
    rmSync(cache, { recursive: true });
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    symlinkSync(elsewhere, cache);
    run(root, store);
    assert.equal(filesIn(elsewhere), 0, 'a symlinked cache directory was used');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

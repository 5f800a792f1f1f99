/**
 * `restore RUN` reads each store once before it writes: the inventory that finds the journalled
 * runs is the one the refusal beside a lock-less (5.2–7.x) gateway judges the install from; the
 * write then reads the store again under the locks (its read-modify-write). Before, the refusal
 * took a second inventory: every store was read and parsed twice before anyone was asked.
 * The built CLI with a preload that records every file it opened (test/helpers/open-recorder.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, runCli } from '../helpers/cli.js';
import { readOpenRecord, readOpensOf, writeOpenRecorder } from '../helpers/open-recorder.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

test('restore RUN --yes opens the store for reading once before its run lock, and once under it for the write', () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  const store = writeFile(storePath(state, 'main'), everyState('main'));
  const pruned = runCli(['prune', '--yes', '--json', '--state-dir', state]);
  assert.equal(pruned.status, 0, pruned.stderr);
  const { runId } = JSON.parse(pruned.stdout) as { runId: string };

  const preload = path.join(root, 'record-opens.cjs');
  const out = path.join(root, 'opens.json');
  writeOpenRecorder(preload, out);
  const result = spawnSync(process.execPath, ['-r', preload, BIN, 'restore', runId, '--yes', '--state-dir', state], { env: { PATH: process.env.PATH, HOME: root, TMPDIR: process.env.TMPDIR, LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^Restored 5 sessions from run ${runId}\\.$`, 'm'));
  assert.equal(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object).length, 9, 'the five entries are back');

  const record = readOpenRecord(out);
  // The run lock (proper-lockfile's directory, with the tool's owner file in it) starts the write.
  const locked = record.opens.findIndex((open) => open.path === path.join(`${store}.openclaw-sessions.lock`, 'owner.json'));
  assert.ok(locked > 0, `the run lock was taken: ${JSON.stringify(record.opens.map((open) => open.path))}`);
  const before = { opens: record.opens.slice(0, locked) };
  const under = { opens: record.opens.slice(locked) };
  const named = before.opens.filter((open) => open.path.startsWith(path.dirname(store)));
  assert.equal(readOpensOf(before, store), 1, `the store is read once to find the run and judge the install: ${JSON.stringify(named)}`);
  assert.equal(readOpensOf(under, store), 1, 'and once under the locks, by the write');
});

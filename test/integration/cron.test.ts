import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, runCliAsync, startHolder } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function install(): { state: string; store: string } {
  const state = path.join(tempDir(), 'state');
  return { state, store: writeFile(storePath(state, 'main'), everyState('main')) };
}

test('the cron form prints nothing: on success, and when there is nothing to do', () => {
  const { state, store } = install();
  const first = runCli(['prune', '--yes', '--quiet', '--state-dir', state]);
  assert.deepEqual([first.status, first.stdout, first.stderr], [0, '', '']);
  assert.equal(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object).length, 4);
  const second = runCli(['prune', '--yes', '--quiet', '--state-dir', state]);
  assert.deepEqual([second.status, second.stdout, second.stderr], [0, '', '']);
  // ...but an error still reaches stderr (cron mails it) with its exit code.
  const broken = runCli(['prune', '--yes', '--quiet', '--state-dir', state, '--older-than', 'soon']);
  assert.equal(broken.status, 2);
  assert.equal(broken.stdout, '');
  assert.match(broken.stderr, /--older-than/);
});

test('--log-format json: one parseable object per line, with the counts', () => {
  const { state } = install();
  const result = runCli(['prune', '--yes', '--quiet', '--log-format', 'json', '--state-dir', state]);
  assert.equal(result.status, 0, result.stderr);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(events[0]!.event, 'run.start');
  const runId = events[0]!.runId;
  assert.ok(events.every((e) => e.runId === runId && typeof e.ts === 'string'));
  const pruned = events.filter((e) => e.event === 'session.pruned');
  assert.equal(pruned.length, 5);
  assert.ok(pruned.every((e) => typeof e.key === 'string' && typeof e.state === 'string' && e.via === 'file'));
  const recompute = events.find((e) => e.event === 'recompute')!;
  assert.deepEqual([recompute.method, recompute.ok], ['file', true]);
  const end = events.at(-1)!;
  assert.equal(end.event, 'run.end');
  assert.equal(end.exitCode, 0);
  assert.equal(end.pruned, 5);
  // No gateway runs: nothing was measured, so nothing is claimed freed; the disk count is separate.
  assert.equal(end.slotsFreed, null);
  assert.equal(end.slotsHeldOnDisk, 2);
  assert.equal(typeof end.durationMs, 'number');
  assert.match(String(end.journal), /^\d{8}T\d{6}Z-[0-9a-f]{4}$/);

  const failed = runCli(['prune', '--yes', '--log-format', 'json', '--store', path.join(state, 'missing.json')]);
  assert.equal(failed.status, 1);
  const failEvents = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(failEvents.map((e) => e.event), ['run.start', 'run.error', 'run.end']);
  assert.equal(failEvents[2]!.exitCode, 1);
});

// helper-28: with one store unparsable the log said only run.end's exitCode 1; the reason was text on stderr.
test('--log-format json names each store left untouched and each that could not be read', async () => {
  const { state } = install();
  const ops = writeFile(storePath(state, 'ops'), everyState('ops'));
  writeFile(storePath(state, 'coder'), '{"agent:coder:main": {');
  // ops's store busy: the gateway's lock held past --lock-timeout by a live process.
  const holder = await startHolder(['hold', ops, '8000']);
  try {
    const result = await runCliAsync(['prune', '--yes', '--quiet', '--log-format', 'json', '--lock-timeout', '1s', '--state-dir', state]);
    assert.equal(result.status, 7, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const untouched = events.filter((e) => e.event === 'store.untouched');
    assert.deepEqual(untouched.map((e) => [e.path, e.outcome]), [[ops, 'busy']]);
    assert.match(String(untouched[0]!.error), /lock/);
    const unreadable = events.filter((e) => e.event === 'store.unreadable');
    assert.deepEqual(unreadable.map((e) => [e.agentId, e.path]), [['coder', storePath(state, 'coder')]]);
    assert.match(String(unreadable[0]!.error), /does not parse/);
    assert.equal(events.filter((e) => e.event === 'session.pruned').length, 5, 'main was pruned');
    assert.equal(events.at(-1)!.event, 'run.end');
  } finally {
    holder.child.kill('SIGKILL');
  }
});

test('two scheduled runs at once: exactly one writes; the other finds its plan already done', async () => {
  for (let round = 0; round < 3; round++) {
    const { state, store } = install();
    const runs = await Promise.all([0, 1].map(() => runCliAsync(['prune', '--yes', '--json', '--state-dir', state])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    const reports = runs.map((run) => JSON.parse(run.stdout) as { pruned: unknown[]; skipped: Array<{ why: string }>; runId: string | null });
    const writers = reports.filter((r) => r.pruned.length > 0);
    assert.equal(writers.length, 1, `round ${round}: ${writers.length} runs wrote`);
    const other = reports.find((r) => r.pruned.length === 0)!;
    assert.ok(other.skipped.every((s) => s.why === 'already gone'));
    assert.equal(other.runId, null);
    assert.equal(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object).length, 4);
    const journal = readFileSync(`${store}.openclaw-sessions.journal`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(journal.filter((r) => r.type === 'commit').length, 1);
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, LOCK_HOLDER, runCli, runCliAsync } from '../helpers/cli.js';
import { acpEntry, chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function seed(count: number): Record<string, unknown> {
  const doc: Record<string, unknown> = { 'agent:main:main': chatEntry('main', MIN) };
  for (let i = 0; i < count; i++) {
    doc[`agent:main:telegram:direct:${i}`] = chatEntry(`chat-${i}`, 90 * MIN, { skillsSnapshot: { prompt: 'x'.repeat(400) } });
    doc[`agent:main:acp:seed-${i}`] = acpEntry(`acp-${i}`, 90 * MIN, { state: 'error', lastError: 'acpx exited with code 1' });
  }
  return doc;
}

test('pruners racing a gateway-protocol writer: no written entry is lost, every version of the file parses', async () => {
  const state = path.join(tempDir(), 'state');
  const store = writeFile(storePath(state, 'main'), seed(200));
  // Counts, not a time window, so a loaded machine changes how long this takes, not what it checks.
  const WRITES = 30;
  let writerDone = false;

  let reads = 0;
  let readerDone = false;
  const reader = (async () => {
    while (!readerDone) {
      JSON.parse(readFileSync(store, 'utf8')); // throws (fails the test) on a torn file
      reads++;
      await sleep(2);
    }
  })();

  const writer = new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, [LOCK_HOLDER, 'writer', store, `x${WRITES}`]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      writerDone = true;
      if (code === 0) resolve(JSON.parse(out) as string[]);
      else reject(new Error(`writer exited ${code}`));
    });
  });

  const prunes: Array<{ status: number | null; stderr: string }> = [];
  const pruner = async (): Promise<void> => {
    // Each pruner runs for as long as the writer writes, and at least twice.
    for (let mine = 0; !writerDone || mine < 2; mine++) {
      prunes.push(await runCliAsync(['prune', '--yes', '--quiet', '--older-than', '0', '--keep-transcripts', '--lock-timeout', '10s', '--state-dir', state]));
    }
  };
  await Promise.all([pruner(), pruner(), pruner()]);
  const written = await writer;
  readerDone = true;
  await reader;

  const final = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  const mustSurvive = written.filter((key) => !key.includes(':acp:'));
  assert.equal(written.length, WRITES);
  for (const key of mustSurvive) assert.ok(Object.hasOwn(final, key), `writer's ${key} was lost`);
  for (let i = 0; i < 200; i++) assert.ok(Object.hasOwn(final, `agent:main:telegram:direct:${i}`));
  assert.ok(!Object.keys(final).some((key) => key.startsWith('agent:main:acp:seed-')), 'seeded errored sessions were pruned');
  // Every run either succeeded or, rarely, waited past its timeout; none failed otherwise.
  for (const run of prunes) assert.ok(run.status === 0 || run.status === 3, `prune exited ${run.status}: ${run.stderr}`);
  assert.ok(prunes.filter((run) => run.status === 0).length >= 3);
  assert.ok(reads > 10);
});

test('kill -9 at random points of many prunes: the store is always the old or the new content; the next run recovers', async (t) => {
  const dir = tempDir();
  const state = path.join(dir, 'state');
  // Large enough that the locked write takes a real share of each run's time.
  const original = JSON.stringify(seed(8000), null, 2);
  const store = writeFile(storePath(state, 'main'), original);
  const planned = JSON.parse(runCli(['prune', '--dry-run', '--json', '--state-dir', state]).stdout) as { pruned: Array<{ key: string }> };
  const expectedNew = JSON.parse(original) as Record<string, unknown>;
  for (const { key } of planned.pruned) delete expectedNew[key];
  const newText = JSON.stringify(expectedNew, null, 2);

  const outcomes = { old: 0, new: 0 };
  for (let i = 0; i < 20; i++) {
    writeFileSync(store, original);
    const child = spawn(process.execPath, [BIN, 'prune', '--yes', '--quiet', '--keep-transcripts', '--state-dir', state], { stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    await sleep(100 + Math.floor(Math.random() * 1100));
    child.kill('SIGKILL');
    await closed;
    const text = readFileSync(store, 'utf8');
    assert.ok(text === original || text === newText, `iteration ${i}: store is neither the old nor the new content`);
    outcomes[text === original ? 'old' : 'new']++;
    // The killed run may have left its gateway lock and run lock: the next run must get past both.
    const next = runCli(['prune', '--yes', '--json', '--keep-transcripts', '--lock-timeout', '20s', '--state-dir', state]);
    assert.equal(next.status, 0, `iteration ${i}: ${next.stderr}`);
    assert.equal(readFileSync(store, 'utf8'), newText);
  }
  t.diagnostic(`killed before the rename: ${outcomes.old}, after: ${outcomes.new}`);
});

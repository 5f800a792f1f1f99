import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ToolError } from '../../src/errors.js';
import { applyPrunePlan } from '../../src/prune/apply.js';
import { editStoreLocked, newStoreHash } from '../../src/store/edit-store.js';
import { withLockedWrites } from '../../src/store/locked-write.js';
import type { PlanCandidate } from '../../src/sessions/plan.js';
import { planPrune } from '../../src/sessions/plan-prune.js';
import { classifySession } from '../../src/sessions/classify.js';
import { readEntry } from '../../src/store/schema.js';
import { readJsonStore } from '../../src/store/read-json.js';
import { acpEntry, chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function candidates(store: string, document: Record<string, unknown>): PlanCandidate[] {
  return Object.entries(document).map(([key, raw]) => {
    const c = classifySession({ key, reading: readEntry(raw), hasLiveTranscriptLock: false }, { now: Date.now(), staleAfterMs: 30 * MIN });
    return { ...c, agentId: 'main', key, storePath: store, raw, entry: (raw as { acp?: unknown }) ?? null };
  });
}

test('the file changed between planning and the lock: the edit is redone on the current content; a touched entry is skipped', async () => {
  const state = tempDir();
  const store = writeFile(storePath(state, 'main'), {
    'agent:main:main': chatEntry('m', MIN),
    'agent:main:acp:a': acpEntry('a', 60 * MIN, { state: 'error' }),
    'agent:main:acp:b': acpEntry('b', 60 * MIN, { state: 'error' }),
  });
  const snapshot = readJsonStore(store, { hash: newStoreHash });
  const plan = planPrune(candidates(store, snapshot.document), {});
  assert.deepEqual(plan.items.map((i) => i.key), ['agent:main:acp:a', 'agent:main:acp:b']);

  // Meanwhile the gateway writes: a new session appears and `b` starts a new turn.
  const current = JSON.parse(readFileSync(store, 'utf8')) as Record<string, Record<string, unknown>>;
  current['agent:main:acp:new'] = acpEntry('new', 0, { state: 'running' });
  current['agent:main:acp:b'] = acpEntry('b', 0, { state: 'running' });
  writeFileSync(store, JSON.stringify(current, null, 2));

  const [result] = await withLockedWrites([store], { lockTimeoutMs: 2000 }, (writer) =>
    applyPrunePlan(plan, { runId: 'r1', toolVersion: 't', journal: false, keepTranscripts: true, snapshots: new Map([[store, { digest: snapshot.digest!, document: snapshot.document }]]), writer }),
  );
  assert.equal(result!.timing!.redone, true);
  assert.deepEqual(result!.removed.map((i) => i.key), ['agent:main:acp:a']);
  assert.deepEqual(result!.skipped.map((s) => [s.key, s.why]), [['agent:main:acp:b', 'changed since planning']]);
  const final = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(final).sort(), ['agent:main:acp:b', 'agent:main:acp:new', 'agent:main:main']);
  assert.deepEqual(final['agent:main:acp:b'], current['agent:main:acp:b']);
  assert.deepEqual(readdirSync(path.dirname(store)).filter((f) => f.endsWith('.tmp')), [], 'the prepared temp file was discarded');
});

test('unchanged file: the prepared write is renamed into place under the lock (not redone)', async () => {
  const state = tempDir();
  const store = writeFile(storePath(state, 'main'), { 'agent:main:acp:a': acpEntry('a', 60 * MIN, { state: 'error' }), 'agent:main:x': chatEntry('x', MIN, { unknown: { keep: [1, 'two'] } }) });
  const kept = (JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>)['agent:main:x'];
  const snapshot = readJsonStore(store, { hash: newStoreHash });
  const plan = planPrune(candidates(store, snapshot.document), {});
  const [result] = await withLockedWrites([store], { lockTimeoutMs: 2000 }, (writer) =>
    applyPrunePlan(plan, { runId: 'r2', toolVersion: 't', journal: false, keepTranscripts: true, snapshots: new Map([[store, { digest: snapshot.digest!, document: snapshot.document }]]), writer }),
  );
  assert.equal(result!.timing!.redone, false);
  assert.deepEqual(JSON.parse(readFileSync(store, 'utf8')), { 'agent:main:x': kept });
  assert.deepEqual((kept as { unknown: unknown }).unknown, { keep: [1, 'two'] });
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['sessions.json']);
});

test('a store that changed since planning is re-planned with the gateway\'s lock free, never inside it', async () => {
  const state = tempDir();
  const store = writeFile(storePath(state, 'main'), { 'agent:main:acp:a': acpEntry('a', 60 * MIN, { state: 'error' }) });
  const lock = `${store}.lock`;
  const lockedDuringEdit: boolean[] = [];
  let calls = 0;
  const outcome = await editStoreLocked(
    store,
    (document) => {
      lockedDuringEdit.push(existsSync(lock));
      calls++;
      // The gateway writes once, after our first preparation (between snapshot and lock).
      if (calls === 1) writeFileSync(store, JSON.stringify({ ...JSON.parse(readFileSync(store, 'utf8')), 'agent:main:new': chatEntry('n', 0) }, null, 2));
      delete document['agent:main:acp:a'];
      return { result: Object.keys(document), changed: true };
    },
    { lockTimeoutMs: 2000 },
  );
  assert.deepEqual(lockedDuringEdit, [false, false], 'the edit ran twice, both times without the gateway\'s lock held');
  assert.equal(outcome.timing.redone, true);
  assert.equal(outcome.timing.attempts, 2);
  assert.deepEqual(outcome.result, ['agent:main:new'], 'the second edit saw the gateway\'s write');
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object), ['agent:main:new']);
  assert.ok(!existsSync(lock));
});

test('a store that changes on every attempt: bounded retries, then lock-busy with nothing written and nothing left', async () => {
  const state = tempDir();
  const store = writeFile(storePath(state, 'main'), { 'agent:main:acp:a': acpEntry('a', 60 * MIN, { state: 'error' }) });
  let calls = 0;
  let lastGatewayText = '';
  await assert.rejects(
    editStoreLocked(
      store,
      (document) => {
        calls++;
        lastGatewayText = JSON.stringify({ ...JSON.parse(readFileSync(store, 'utf8')), [`agent:main:gw-${calls}`]: chatEntry(`g${calls}`, 0) }, null, 2);
        writeFileSync(store, lastGatewayText);
        delete document['agent:main:acp:a'];
        return { result: null, changed: true };
      },
      { lockTimeoutMs: 2000, maxAttempts: 3 },
    ),
    (error: unknown) => error instanceof ToolError && error.kind === 'lock-busy' && /changed on each of 3 attempts/.test(error.message),
  );
  assert.equal(calls, 3);
  assert.equal(readFileSync(store, 'utf8'), lastGatewayText, 'only the gateway\'s writes are in the store');
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['sessions.json'], 'no temp file or lock left');
});

test('nothing to change: the gateway\'s lock is not taken at all', async () => {
  const state = tempDir();
  const store = writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  const before = readFileSync(store);
  const outcome = await editStoreLocked(store, () => ({ result: null, changed: false }), { lockTimeoutMs: 2000 });
  assert.equal(outcome.wrote, false);
  assert.equal(outcome.timing.attempts, 0);
  assert.deepEqual(readFileSync(store), before);
});

test('the plan\'s snapshot is checked by content: a same-size rewrite in place with the old mtime is still seen as a change', async () => {
  const state = tempDir();
  const store = writeFile(storePath(state, 'main'), { 'agent:main:acp:a': acpEntry('a', 60 * MIN, { state: 'error' }), 'agent:main:acp:b': acpEntry('b', 60 * MIN, { state: 'error' }) });
  const snapshot = readJsonStore(store, { hash: newStoreHash });
  const plan = planPrune(candidates(store, snapshot.document), {});
  assert.deepEqual(plan.items.map((i) => i.key), ['agent:main:acp:a', 'agent:main:acp:b']);

  // Same length, same mtime: only the bytes tell (`b` now says running instead of error).
  const text = readFileSync(store, 'utf8');
  const { mtime } = statSync(store);
  const changed = text.replace('"state": "error"', '"state": "runni"');
  assert.equal(changed.length, text.length);
  const fd = openSync(store, 'r+');
  writeSync(fd, changed, 0, 'utf8');
  closeSync(fd);
  utimesSync(store, mtime, mtime);

  const [result] = await withLockedWrites([store], { lockTimeoutMs: 2000 }, (writer) =>
    applyPrunePlan(plan, { runId: 'r3', toolVersion: 't', journal: false, keepTranscripts: true, snapshots: new Map([[store, { digest: snapshot.digest!, document: snapshot.document }]]), writer }),
  );
  assert.equal(result!.timing!.redone, true, 'the edit was prepared again from the current bytes');
  assert.deepEqual(result!.removed.map((i) => i.key), ['agent:main:acp:b']);
  assert.deepEqual(result!.skipped.map((s) => [s.key, s.why]), [['agent:main:acp:a', 'changed since planning']]);
  const final = JSON.parse(readFileSync(store, 'utf8')) as Record<string, { acp: { state: string } }>;
  assert.deepEqual(Object.keys(final), ['agent:main:acp:a']);
  assert.equal(final['agent:main:acp:a']!.acp.state, 'runni', 'the rewrite is kept as written');
});

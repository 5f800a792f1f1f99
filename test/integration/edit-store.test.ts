import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { applyPrunePlan } from '../../src/prune/apply.js';
import { withLockedWrites } from '../../src/store/locked-write.js';
import { planPrune, type PlanCandidate } from '../../src/sessions/plan.js';
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
  const snapshot = readJsonStore(store, { keepBytes: true });
  const plan = planPrune(candidates(store, snapshot.document), {});
  assert.deepEqual(plan.items.map((i) => i.key), ['agent:main:acp:a', 'agent:main:acp:b']);

  // Meanwhile the gateway writes: a new session appears and `b` starts a new turn.
  const current = JSON.parse(readFileSync(store, 'utf8')) as Record<string, Record<string, unknown>>;
  current['agent:main:acp:new'] = acpEntry('new', 0, { state: 'running' });
  current['agent:main:acp:b'] = acpEntry('b', 0, { state: 'running' });
  writeFileSync(store, JSON.stringify(current, null, 2));

  const [result] = await withLockedWrites([store], { lockTimeoutMs: 2000 }, (writer) =>
    applyPrunePlan(plan, { runId: 'r1', toolVersion: 't', journal: false, keepTranscripts: true, snapshots: new Map([[store, { bytes: snapshot.bytes!, document: snapshot.document }]]), writer }),
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
  const snapshot = readJsonStore(store, { keepBytes: true });
  const plan = planPrune(candidates(store, snapshot.document), {});
  const [result] = await withLockedWrites([store], { lockTimeoutMs: 2000 }, (writer) =>
    applyPrunePlan(plan, { runId: 'r2', toolVersion: 't', journal: false, keepTranscripts: true, snapshots: new Map([[store, { bytes: snapshot.bytes!, document: snapshot.document }]]), writer }),
  );
  assert.equal(result!.timing!.redone, false);
  assert.deepEqual(JSON.parse(readFileSync(store, 'utf8')), { 'agent:main:x': kept });
  assert.deepEqual((kept as { unknown: unknown }).unknown, { keep: [1, 'two'] });
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['sessions.json']);
});

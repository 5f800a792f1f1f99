import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { applyRetention } from '../../src/store/journal-retention.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;
const now = Date.parse('2026-06-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const prune = (runId: string, at: string, entries: Record<string, unknown> = { 'agent:main:subagent:a': { sessionId: 'a' } }) =>
  JSON.stringify({ type: 'prune', runId, at, toolVersion: 't', storePath: '/s/sessions.json', entries });
const commit = (runId: string, at: string) => JSON.stringify({ type: 'commit', runId, at, storePath: '/s/sessions.json', removed: ['agent:main:subagent:a'] });

function journal(lines: string[], trailingNewline = true): string {
  const file = path.join(tempDir(), 'sessions.json.openclaw-sessions.journal');
  writeFileSync(file, lines.join('\n') + (trailingNewline ? '\n' : ''), { mode: 0o600 });
  return file;
}

test('nothing past retention: the journal is left as it is, a large record included', async () => {
  const big: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) big[`agent:main:subagent:${i}`] = { sessionId: String(i), pad: 'x'.repeat(600) };
  const file = journal([prune('recent', iso(now - DAY), big), commit('recent', iso(now - DAY)), '{"type":"prune","runId":"torn","at":"2020-01-01T00:00:00.000Z","entr']);
  const before = readFileSync(file);
  const { mtimeMs } = statSync(file);
  // The torn line is old but not a record: nothing is expired, nothing rewritten.
  assert.equal(await applyRetention(file, 14 * DAY, now), 0);
  assert.deepEqual(readFileSync(file), before);
  assert.equal(statSync(file).mtimeMs, mtimeMs);
});

test('an expired run goes with its commit, and torn lines go with it; recent runs stay', async () => {
  const file = journal([prune('old', iso(now - 30 * DAY)), commit('old', iso(now - 30 * DAY)), 'torn{', prune('recent', iso(now - DAY)), commit('recent', iso(now - DAY))], false);
  assert.equal(await applyRetention(file, 14 * DAY, now), 1);
  assert.equal(readFileSync(file, 'utf8'), `${prune('recent', iso(now - DAY))}\n${commit('recent', iso(now - DAY))}\n`);
});

test('records not in the tool\'s own key order, or with escapes, are judged by parsing them', async () => {
  const reordered = JSON.stringify({ runId: 'old', type: 'prune', at: iso(now - 30 * DAY), entries: {} });
  const escaped = JSON.stringify({ type: 'prune', runId: 'old"2', at: iso(now - 30 * DAY), entries: {} });
  for (const line of [reordered, escaped]) {
    const file = journal([line, prune('recent', iso(now - DAY))]);
    assert.equal(await applyRetention(file, 14 * DAY, now), 1, line);
    assert.equal(readFileSync(file, 'utf8'), `${prune('recent', iso(now - DAY))}\n`);
  }
});

test('no journal: nothing to do', async () => {
  assert.equal(await applyRetention(path.join(tempDir(), 'absent.journal'), DAY, now), 0);
});

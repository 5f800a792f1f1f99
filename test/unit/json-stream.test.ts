import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeJsonStreaming } from '../../src/cli/json-stream.js';

test('streamed JSON is byte-identical to JSON.stringify(value, null, 2)', () => {
  const cases: Array<Record<string, unknown>> = [
    { a: 1, sessions: [{ x: [1, { y: 'z\nw' }], e: {} }, { q: null }], summary: { n: [] } },
    { sessions: [] },
    { schemaVersion: 1, sessions: [1, 'two', [3]], skipped: undefined, tail: 'end' },
    { sessions: Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, pad: 'x'.repeat(300) })) },
  ];
  for (const value of cases) {
    let out = '';
    writeJsonStreaming(value, 'sessions', (chunk) => (out += chunk));
    assert.equal(out, `${JSON.stringify(value, null, 2)}\n`);
  }
});

test('several streamed arrays (a prune report\'s pruned, skipped and transcripts) are byte-identical too', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, why: 'w'.repeat(200) }));
  const value = { dryRun: false, pruned: many(4500), skipped: [], stores: [{ path: '/s' }], transcripts: many(2500), transcriptsKept: many(1), recompute: { method: 'rpc' } };
  let out = '';
  writeJsonStreaming(value, ['pruned', 'skipped', 'transcripts', 'transcriptsKept'], (chunk) => (out += chunk));
  assert.equal(out, `${JSON.stringify(value, null, 2)}\n`);
});

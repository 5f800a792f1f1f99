import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialiseStore } from '../../src/store/edit-store.js';

test('the chunked serialisation is byte for byte JSON.stringify(store, null, 2)', () => {
  const big = 'x'.repeat(300_000);
  const documents: Array<Record<string, unknown>> = [
    {},
    { a: 1 },
    { 'agent:main:main': { sessionId: 's', updatedAt: 1, nested: { list: [1, 'two\nlines', { deep: [] }], empty: {} }, text: 'tab\there "quoted" \\ \u2028' } },
    // Integer-like keys come first in both, and chunks split between entries.
    Object.fromEntries([['10', { v: big }], ['b', [big, big]], ['2', null], ['ünïcödé 🦀', { big }], ['c', { arr: [[], [[]], {}] }]]),
  ];
  for (const document of documents) {
    const chunks = [...serialiseStore(document)];
    assert.equal(chunks.join(''), JSON.stringify(document, null, 2));
  }
  assert.ok([...serialiseStore(documents[3]!)].length > 1, 'a large store is written in several chunks');
});

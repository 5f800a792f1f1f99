/**
 * readJsonStore's two paths give the same document and digest: a small store is parsed whole, a
 * large one (over 8 MiB) entry by entry as it is read (json-entries.ts), falling back to a whole
 * parse for any other layout. Checked against JSON.parse and SHA-256 of the file's bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readJsonStore } from '../../src/store/read-json.js';
import { newStoreHash } from '../../src/store/edit-store.js';
import { StoreEntryParser } from '../../src/store/json-entries.js';

function storeOf(entries: number, padding: number): Record<string, unknown> {
  const store: Record<string, unknown> = {};
  for (let i = 0; i < entries; i++) {
    store[`agent:main:subagent:${i}`] = { sessionId: `s-${i}`, updatedAt: 1_700_000_000_000 + i, status: 'done', note: 'é✓'.repeat(padding), nested: { deep: [i, { k: '\n  "not a key' }] } };
  }
  // Keys the reader must keep as data: an own __proto__ and a duplicate-looking integer key.
  Object.defineProperty(store, '__proto__', { value: { sessionId: 'proto', updatedAt: 1 }, enumerable: true, writable: true, configurable: true });
  store['42'] = { sessionId: 'int', updatedAt: 2 };
  return store;
}

test('small and large stores, the gateway layout and a minified one: same document and digest as JSON.parse', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocs-read-json-'));
  try {
    const cases = [
      { name: 'small, gateway layout', text: JSON.stringify(storeOf(50, 10), null, 2) },
      { name: 'large, gateway layout', text: JSON.stringify(storeOf(4000, 1200), null, 2) },
      { name: 'large, minified', text: JSON.stringify(storeOf(4000, 1200)) },
    ];
    for (const { name, text } of cases) {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, text);
      const bytes = readFileSync(file);
      if (name.startsWith('large')) assert.ok(bytes.length > 8 * 1024 * 1024, `${name}: ${bytes.length} bytes is not past the whole-parse size`);
      const read = readJsonStore(file, { hash: newStoreHash });
      const expected = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(read.document), Object.keys(expected), name);
      assert.deepEqual(read.document, expected, name);
      assert.ok(Object.hasOwn(read.document, '__proto__') && Object.getPrototypeOf(read.document) === Object.prototype, `${name}: __proto__ kept as data`);
      assert.equal(read.digest, createHash('sha256').update(bytes).digest('hex'), name);
      // The entry-by-entry parser (the large stores' path) on its own gives the same document.
      const parser = new StoreEntryParser();
      assert.ok(parser.push(bytes), name);
      assert.deepEqual(parser.end(), expected, `${name}: entry-by-entry parse`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * readEntry (src/store/schema.ts): zod's optional/nullish semantics field by field, the first
 * offending field named, and a parsed view that never changes the raw entry a write serialises.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEntry } from '../../src/store/schema.js';

const reason = (raw: unknown): string => {
  const reading = readEntry(raw);
  assert.equal(reading.ok, false, JSON.stringify(raw));
  return (reading as { reason: string }).reason;
};

test('a valid entry: known fields kept (null as null), unknown ones left out of the view, raw untouched', () => {
  const raw = { sessionId: 's', updatedAt: 1, status: null, label: 'x', extra: { deep: 1 }, acp: { state: 'error', lastError: null, future: 'y', identity: null } };
  const before = JSON.stringify(raw);
  const reading = readEntry(raw);
  assert.ok(reading.ok);
  assert.deepEqual(reading.entry, { sessionId: 's', updatedAt: 1, status: null, label: 'x', acp: { state: 'error', lastError: null, identity: null } });
  assert.equal(JSON.stringify(raw), before);
  assert.notEqual(reading.entry, raw);
  assert.deepEqual(readEntry({ sessionId: 's', updatedAt: 1, acp: null }), { ok: true, entry: { sessionId: 's', updatedAt: 1, acp: null } });
});

test('the reason names the first offending field, missing or of the wrong type', () => {
  assert.equal(reason({ updatedAt: 1 }), 'sessionId: missing');
  assert.equal(reason({ sessionId: '', updatedAt: 1 }), 'sessionId: expected a non-empty string, received string');
  assert.equal(reason({ sessionId: 's', updatedAt: 'yesterday' }), 'updatedAt: expected a finite number, received string');
  assert.equal(reason({ sessionId: 's', updatedAt: Number.POSITIVE_INFINITY }), 'updatedAt: expected a finite number, received Infinity');
  assert.equal(reason({ sessionId: 's', updatedAt: 1, abortedLastRun: 'yes' }), 'abortedLastRun: expected boolean, received string');
  assert.equal(reason({ sessionId: 's', updatedAt: 1, acp: { state: 3 } }), 'acp.state: expected string, received number');
  assert.equal(reason({ sessionId: 's', updatedAt: 1, acp: { state: null } }), 'acp.state: expected string, received null');
  assert.equal(reason({ sessionId: 's', updatedAt: 1, acp: [] }), 'acp: expected object, received array');
  assert.equal(reason({ sessionId: 's', updatedAt: 1, acp: { identity: { lastUpdatedAt: 'x' } } }), 'acp.identity.lastUpdatedAt: expected a finite number, received string');
  assert.equal(reason(null), 'entry: expected object, received null');
  assert.equal(reason('x'), 'entry: expected object, received string');
  assert.equal(reason({ sessionId: 's', updatedAt: undefined }), 'updatedAt: expected a finite number, received undefined');
});

test('keys like __proto__ in an entry stay data, never a prototype', () => {
  const raw = JSON.parse('{"sessionId":"s","updatedAt":1,"__proto__":{"status":"running"}}') as unknown;
  const reading = readEntry(raw);
  assert.ok(reading.ok);
  assert.equal(reading.entry.status, undefined);
  assert.equal(Object.getPrototypeOf(reading.entry), Object.prototype);
});

import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { jsonLineChunks, writeJsonLineSync } from '../../src/store/json-line.js';
import { tempDir } from '../helpers/tmp.js';

const entries = JSON.parse('{"agent:main:a": {"x": [1, "two", null], "u": "é☃\\n"}, "__proto__": {"sessionId": "p"}, "constructor": {}, "0": 1}') as Record<string, unknown>;

test('a journal line in pieces is byte for byte JSON.stringify(record) plus a newline', () => {
  const records: Array<Record<string, unknown>> = [
    { type: 'prune', runId: 'r', entries, states: { a: 'errored' }, skipped: undefined, binding: { dir: '/x', dev: 1, ino: 2 } },
    { type: 'prune', entries: {} },
    { entries: { a: undefined, b: 1 } },
    { type: 'commit', removed: ['a', 'b'] },
    {},
  ];
  for (const record of records) assert.equal([...jsonLineChunks(record, 'entries')].join(''), `${JSON.stringify(record)}\n`);
});

test('a record larger than a piece is cut between members and written whole', () => {
  const big: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) big[`agent:main:subagent:${i}`] = { sessionId: String(i), text: 'x'.repeat(1000) };
  const record = { type: 'prune', runId: 'r', entries: big };
  const chunks = [...jsonLineChunks(record, 'entries')];
  assert.ok(chunks.length > 1, `${chunks.length} pieces`);
  assert.ok(chunks.every((chunk) => chunk.length < 1.1 * (1 << 20)));
  const file = path.join(tempDir(), 'journal');
  const fd = openSync(file, 'w');
  writeJsonLineSync(fd, record, 'entries');
  closeSync(fd);
  assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(record)}\n`);
});

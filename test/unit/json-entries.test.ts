import assert from 'node:assert/strict';
import test from 'node:test';
import { StoreEntryParser } from '../../src/store/json-entries.js';

/** Feeds `text` in pieces of `size` bytes; the parser's document, or null for "parse it whole". */
function parseInChunks(text: string, size: number): Record<string, unknown> | null {
  const bytes = Buffer.from(text, 'utf8');
  const parser = new StoreEntryParser();
  for (let at = 0; at < bytes.length; at += size) {
    if (!parser.push(Buffer.from(bytes.subarray(at, at + size)))) return null;
  }
  return parser.end();
}

/** Same keys in the same order, same values, and the same own `__proto__` as JSON.parse gives. */
function assertSameAsJsonParse(actual: Record<string, unknown>, text: string): void {
  const expected = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(actual), Object.keys(expected));
  assert.deepEqual(actual, expected);
  assert.equal(Object.getPrototypeOf(actual), Object.prototype);
}

const SIZES = [1, 2, 3, 5, 64, 1 << 20];

const gatewayLayout = JSON.stringify(
  {
    'agent:main:main': { sessionId: 'a', updatedAt: 1, text: 'line one\nline two  "quoted"', nested: { deep: ['x', { y: '\n  "not a key' }] } },
    'agent:main:acp:é☃': { sessionId: 'b', updatedAt: 2, acp: { state: 'error', lastError: 'acpx exited with code 1' } },
    constructor: { sessionId: 'c' },
    '0': { sessionId: 'numeric key' },
    'agent:main:empty': {},
    'agent:main:list': [],
  },
  null,
  2,
);

test('the gateway\'s layout is parsed entry by entry into exactly what JSON.parse builds, however the bytes are cut', () => {
  // JSON.stringify of an object literal with `__proto__:` sets the prototype instead: build it as parsed JSON does.
  const text = gatewayLayout.replace('"constructor"', '"__proto__": {\n    "polluted": true\n  },\n  "constructor"');
  for (const size of SIZES) {
    const document = parseInChunks(text, size);
    assert.ok(document, `chunks of ${size}`);
    assertSameAsJsonParse(document, text);
    assert.ok(Object.hasOwn(document, '__proto__'), 'an own __proto__ key, not a prototype');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  }
});

test('duplicate keys: the later value wins at the first key\'s place, as with JSON.parse', () => {
  const text = '{\n  "a": 1,\n  "b": 2,\n  "a": 3\n}';
  for (const size of SIZES) assertSameAsJsonParse(parseInChunks(text, size)!, text);
});

test('an empty store and a one-line store', () => {
  for (const text of ['{}', '  {  }\n', '{"a":{"b":1}}', '{\n  "only": true\n}\n']) {
    for (const size of SIZES) assertSameAsJsonParse(parseInChunks(text, size)!, text);
  }
});

test('other layouts either parse the same or are left to JSON.parse whole, never parsed differently', () => {
  const layouts = [
    '{"a": [1,\n  "x"]}', // a depth-2 value on a two-space line
    '{"a":\n  "value", "b": 1}', // a value, not a key, at a line start
    '{\n\t"a": 1,\n\t"b": 2\n}', // tabs
    '{\n    "a": {\n  "b": 1\n    }\n}', // deeper keys less indented
    '{\n  "a": 1\n  ,\n  "b": 2\n}', // the comma on its own line
  ];
  for (const text of layouts) {
    JSON.parse(text);
    for (const size of SIZES) {
      const document = parseInChunks(text, size);
      if (document) assertSameAsJsonParse(document, text);
    }
  }
});

test('anything JSON.parse refuses is refused (so the caller reports it with a line and column)', () => {
  const broken = [
    '',
    '   ',
    '\ufeff{}',
    '{\n  "a": 1,\n}',
    '{\n  "a": 1,\n  "b": 2,\n}',
    '{\n  "a": 1\n  "b": 2\n}',
    '{\n  "a": {\n  "b": 1\n}',
    '{\n  "a": 1\n}\n}',
    '{\n  "a": 1\n}x',
    '{\n  "a": 1,\n  ,\n  "b": 2\n}',
    '{\n  "a": 1\u00a0,\n  "b": 2\n}', // a no-break space is not JSON whitespace
    '{\n  "a": "unterminated\n}',
  ];
  for (const text of broken) {
    assert.throws(() => JSON.parse(text), SyntaxError, text);
    for (const size of SIZES) assert.equal(parseInChunks(text, size), null, JSON.stringify(text));
  }
  // Valid JSON, but not an object of entries: read whole, and refused there with what it holds.
  for (const text of ['[]', '"x"', 'null', '1']) for (const size of SIZES) assert.equal(parseInChunks(text, size), null, text);
  // Invalid UTF-8 inside an entry.
  const parser = new StoreEntryParser();
  const bytes = Buffer.concat([Buffer.from('{\n  "a": "'), Buffer.from([0xff]), Buffer.from('"\n}')]);
  assert.equal(parser.push(bytes) && parser.end(), null);
});

/** resolvePath (src/store/resolve-path.ts) is path.resolve, faster on the paths OpenClaw writes. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { resolvePath } from '../../src/store/resolve-path.js';

test('resolvePath equals path.resolve on edge cases and on every short path over / . a and a newline, under normal and other bases', () => {
  const cases = ['/a/b/c.jsonl', '/a//b', '/a/./b', '/a/../b', '/a/b/', '/', '/a/b/..', '/a/b/.', '/a/.b/c', '/a/..b/c', '/a/b..', 'rel/x', './x', '../x', '', '/a/b\n/../c', '/.', '/..', '//a', '/a/b/...'];
  const alphabet = ['/', '.', 'a', '\n'];
  // Every string of length ≤ 6 over the alphabet: 5,461 paths, all the shapes the rule must see.
  const all: string[] = [''];
  for (let length = 1; length <= 6; length++) for (const prefix of all.filter((p) => p.length === length - 1)) for (const c of alphabet) all.push(prefix + c);
  for (const base of ['/base/dir', '/', '/base/', '/base/./dir', 'rel/dir', '']) {
    for (const target of [...cases, ...all]) assert.equal(resolvePath(base, target), path.resolve(base, target), JSON.stringify([base, target]));
  }
});

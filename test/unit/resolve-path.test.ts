/** resolvePath (src/store/resolve-path.ts) is path.resolve, faster on the paths OpenClaw writes. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { nameInDir, resolvePath } from '../../src/store/resolve-path.js';

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

test('nameInDir is path.dirname/path.basename for a normal child, and null (ask the disk) for anything else', () => {
  const alphabet = ['/', '.', 'a'];
  const all: string[] = [''];
  for (let length = 1; length <= 7; length++) for (const prefix of all.filter((p) => p.length === length - 1)) for (const c of alphabet) all.push(prefix + c);
  let children = 0;
  for (const dir of ['/', '/a', '/a/a', '/a.a']) {
    for (const file of all) {
      const name = nameInDir(dir, file);
      if (name === null) continue;
      // Whenever it names a child, path says the same.
      assert.equal(path.dirname(file), dir, JSON.stringify([dir, file]));
      assert.equal(path.basename(file), name, JSON.stringify([dir, file]));
      children++;
    }
    // Every normal child of dir is found (what transcriptPathFor returns is normal).
    for (const file of all.filter((f) => f.startsWith('/') && f !== dir && path.resolve(f) === f && path.dirname(f) === dir)) assert.equal(nameInDir(dir, file), path.basename(file), JSON.stringify([dir, file]));
  }
  assert.ok(children > 50, `${children}`);
  assert.equal(nameInDir('/s', '/s/x.jsonl'), 'x.jsonl');
  assert.equal(nameInDir('/s', '/s/sub/x.jsonl'), null);
  assert.equal(nameInDir('/s', '/sx/x.jsonl'), null);
  assert.equal(nameInDir('/s', '/s/x.jsonl/'), null);
});

import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadOrCreateDevice } from '../../src/gateway/device.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 16 finding 3: the device identity is never kept in a directory others can write, nor written through a link', () => {
  const shared = path.join(tempDir(), 'openclaw-sessions');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  assert.throws(() => loadOrCreateDevice(path.join(shared, 'device.json')), /refusing to keep the device identity in .*writable by others/);

  const dir = path.join(tempDir(), 'openclaw-sessions');
  mkdirSync(dir, { mode: 0o700 });
  const target = path.join(tempDir(), 'victim');
  writeFileSync(target, 'keep me');
  symlinkSync(target, path.join(dir, 'device.json'));
  loadOrCreateDevice(path.join(dir, 'device.json'));
  assert.equal(readFileSync(target, 'utf8'), 'keep me', 'the link target is untouched');
  assert.ok(lstatSync(path.join(dir, 'device.json')).isFile(), 'the link was replaced by a file of our own');
  assert.equal(lstatSync(path.join(dir, 'device.json')).mode & 0o777, 0o600);
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../src/store/atomic-write.js';
import { tempDir } from '../helpers/tmp.js';

const MODULE = fileURLToPath(new URL('../../src/store/atomic-write.js', import.meta.url));
const root = typeof process.getuid === 'function' && process.getuid() === 0;

function setUp(old = '{\n  "old": true\n}'): { dir: string; file: string; old: string } {
  const dir = tempDir('ocs-aw-');
  const file = path.join(dir, 'sessions.json');
  writeFileSync(file, old, { mode: 0o600 });
  return { dir, file, old };
}

const leftovers = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

test('replaces the file with a new inode of mode 0600, whatever the umask and the old mode', async () => {
  const { dir, file } = setUp();
  chmodSync(file, 0o644);
  const before = statSync(file).ino;
  const umask = process.umask(0o000);
  try {
    await writeFileAtomic(file, '{"new":1}');
  } finally {
    process.umask(umask);
  }
  assert.equal(readFileSync(file, 'utf8'), '{"new":1}');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.notEqual(statSync(file).ino, before, 'written in place instead of renamed over');
  assert.deepEqual(leftovers(dir), []);
});

test('creates a missing file with the mode asked for, even where the umask would narrow it', async () => {
  const dir = tempDir('ocs-aw-');
  const file = path.join(dir, 'fresh.json');
  const umask = process.umask(0o077);
  try {
    await writeFileAtomic(file, Buffer.from('bytes'), { mode: 0o640 });
  } finally {
    process.umask(umask);
  }
  assert.equal(readFileSync(file, 'utf8'), 'bytes');
  assert.equal(statSync(file).mode & 0o777, 0o640);
});

test('just before the rename, the data sits complete in <file>.openclaw-sessions.<pid>.<hex>.tmp beside it, mode 0600', async () => {
  const { dir, file, old } = setUp();
  const data = 'x'.repeat(100_000);
  let seen: { name: string; mode: number; size: number; target: string } | null = null;
  await writeFileAtomic(file, data, {
    beforeRename: () => {
      const [name] = leftovers(dir);
      assert.ok(name, 'no temp file at rename time');
      const stat = lstatSync(path.join(dir, name));
      seen = { name, mode: stat.mode & 0o777, size: stat.size, target: readFileSync(file, 'utf8') };
    },
  });
  assert.ok(seen);
  const { name, mode, size, target } = seen as { name: string; mode: number; size: number; target: string };
  assert.match(name, /^sessions\.json\.openclaw-sessions\.\d+\.[0-9a-f]{12}\.tmp$/);
  assert.equal(mode, 0o600);
  assert.equal(size, data.length);
  assert.equal(target, old, 'the target changed before the rename');
  assert.equal(readFileSync(file, 'utf8'), data);
  assert.deepEqual(leftovers(dir), []);
});

test('a failing last check aborts: old file intact byte for byte, temp removed', async () => {
  const { dir, file, old } = setUp();
  await assert.rejects(
    writeFileAtomic(file, '{"new":1}', {
      beforeRename: () => {
        throw new Error('lock no longer ours');
      },
    }),
    /lock no longer ours/,
  );
  assert.equal(readFileSync(file, 'utf8'), old);
  assert.deepEqual(leftovers(dir), []);
});

test('a rename that fails (the target is a directory) leaves it as it was and no temp behind', async () => {
  const dir = tempDir('ocs-aw-');
  const target = path.join(dir, 'sessions.json');
  mkdirSync(target);
  writeFileSync(path.join(target, 'inside'), 'keep');
  await assert.rejects(writeFileAtomic(target, '{}'), (error: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(error.code ?? ''));
  assert.ok(lstatSync(target).isDirectory());
  assert.equal(readFileSync(path.join(target, 'inside'), 'utf8'), 'keep');
  assert.deepEqual(leftovers(dir), []);
});

test('a write that fails half-way (file size limit) leaves the old file intact and no temp behind', { skip: process.platform !== 'linux' && 'needs sh ulimit' }, () => {
  const { dir, file, old } = setUp();
  const script = `import { writeFileAtomic } from ${JSON.stringify(MODULE)};
    try { await writeFileAtomic(${JSON.stringify(file)}, 'y'.repeat(200000)); console.log('written'); }
    catch (error) { console.log(error.code); }`;
  // Writes past 1 block fail with EFBIG (Node ignores SIGXFSZ), after part of the data is on disk.
  const result = spawnSync('sh', ['-c', 'ulimit -f 1 && exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'EFBIG');
  assert.equal(readFileSync(file, 'utf8'), old);
  assert.deepEqual(leftovers(dir), []);
});

test('a directory we cannot write into fails before touching anything', { skip: root && 'root writes anywhere' }, async () => {
  const { dir, file, old } = setUp();
  chmodSync(dir, 0o500);
  try {
    await assert.rejects(writeFileAtomic(file, '{}'), { code: 'EACCES' });
  } finally {
    chmodSync(dir, 0o700);
  }
  assert.equal(readFileSync(file, 'utf8'), old);
  assert.deepEqual(leftovers(dir), []);
});

test('run as root on a file owned by another user, the new file keeps that owner', { skip: !root && 'needs root' }, async () => {
  const { file } = setUp();
  chownSync(file, 65534, 65534);
  await writeFileAtomic(file, '{"new":1}');
  const stat = statSync(file);
  assert.equal(stat.uid, 65534);
  assert.equal(stat.gid, 65534);
  // A file we own stays ours: no chown to some default.
  const mine = setUp().file;
  await writeFileAtomic(mine, '{}');
  assert.equal(statSync(mine).uid, process.getuid!());
});

/**
 * The V8 code cache the build keeps for the bundle (bin/code-cache.js, scripts/code-cache.mjs):
 * made for the Node that built it, used by a run only when it can be trusted, never written by a
 * run, and never a reason for a different answer. Each case runs the real binary of a copy of the
 * built package whose cache was made by this test's Node (so it means the same on Node 20 and 22;
 * .ci/run runs it on both). A preload (test/helpers/load-recorder.ts) records, per bundle file,
 * whether V8 was given cache data and whether it took it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/golden.js';
import { readLoadRecord, writeLoadRecorder } from '../helpers/load-recorder.js';

interface Copy {
  root: string;
  cache: string;
  store: string;
  record: string;
}

/** A copy of the built package (bin, bundle with its mtimes, the cache step and its example store), with a cache made here. */
function packageCopy(buildEnv: Record<string, string> = {}): Copy {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ocs-code-cache-test-'));
  for (const part of ['bin', 'dist/bundle', 'scripts/code-cache.mjs', 'examples/state', 'package.json']) {
    cpSync(path.join(REPO, part), path.join(root, part), { recursive: true, preserveTimestamps: true });
  }
  const made = spawnSync(process.execPath, [path.join(root, 'scripts', 'code-cache.mjs')], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root, ...buildEnv } });
  assert.equal(made.status, 0, made.stderr);
  const store = path.join(root, 'sessions.json');
  writeFileSync(store, JSON.stringify({ 'agent:main:main': { sessionId: 's', updatedAt: Date.now() }, 'agent:main:subagent:x': { sessionId: 't', updatedAt: 1, status: 'done' } }));
  const record = path.join(root, 'record.cjs');
  writeLoadRecorder(record, path.join(root, 'seen.json'));
  return { root, cache: path.join(root, 'dist', '.code-cache'), store, record };
}

/**
 * Runs `list --json` of the copy; returns what each bundle file got from the cache (`none`: compiled
 * from source by the cache's loader; absent: loaded by Node's loader), how many bundle files Node's
 * loader loaded, and the sessions listed.
 */
function listJson(copy: Copy, root = copy.root): { files: Map<string, string>; byNode: number; sessions: string[] } {
  rmSync(path.join(copy.root, 'seen.json'), { force: true });
  const result = spawnSync(process.execPath, ['-r', copy.record, path.join(root, 'bin', 'openclaw-sessions.js'), 'list', '--json', '--store', copy.store], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: copy.root },
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  const { compiled: seen, required } = readLoadRecord(path.join(copy.root, 'seen.json'));
  const byNode = required.length;
  // Each bundle file is compiled once: never by both loaders, never twice by one.
  assert.equal(new Set(seen.map(([name]) => name)).size, seen.length, JSON.stringify(seen));
  assert.ok(seen.length === 0 || byNode === 0, `${byNode} bundle files went through Node's loader beside the cache's`);
  const report = JSON.parse(result.stdout) as { sessions: Array<{ key: string; state: string }> };
  return { files: new Map(seen), byNode, sessions: report.sessions.map((s) => `${s.key} ${s.state}`) };
}

const states = (files: Map<string, string>): Set<string> => new Set(files.values());

function withCopy(body: (copy: Copy) => void, buildEnv: Record<string, string> = {}): void {
  const copy = packageCopy(buildEnv);
  try {
    body(copy);
  } finally {
    rmSync(copy.root, { recursive: true, force: true });
  }
}

test('code cache: made by the build for this Node; a run takes it for every bundle file it loads, with the same answer as without', () => {
  withCopy((copy) => {
    const manifest = JSON.parse(readFileSync(path.join(copy.cache, 'manifest.json'), 'utf8')) as { runtime: string; files: Record<string, unknown> };
    assert.ok(manifest.runtime.includes(process.version), manifest.runtime);
    const cached = listJson(copy);
    assert.ok(cached.files.size > 3);
    assert.deepEqual(states(cached.files), new Set(['used']));
    rmSync(copy.cache, { recursive: true });
    const compiled = listJson(copy);
    assert.equal(compiled.files.size, 0, 'without a cache the bundle goes through Node’s own loader');
    assert.ok(compiled.byNode > 3);
    assert.deepEqual(compiled.sessions, cached.sessions);
    assert.equal(existsSync(copy.cache), false, 'a run never makes or writes the cache');
  });
});

test('code cache: not used from a directory others can write, nor through a link, nor for another Node', () => {
  withCopy((copy) => {
    chmodSync(copy.cache, 0o777);
    assert.equal(listJson(copy).files.size, 0, 'a world-writable cache directory was used');
    chmodSync(copy.cache, 0o775);
    assert.equal(listJson(copy).files.size, 0, 'a group-writable cache directory was used');
    chmodSync(copy.cache, 0o755);

    const elsewhere = path.join(copy.root, 'elsewhere');
    renameSync(copy.cache, elsewhere);
    symlinkSync(elsewhere, copy.cache);
    assert.equal(listJson(copy).files.size, 0, 'a symlinked cache directory was used');
    rmSync(copy.cache);
    renameSync(elsewhere, copy.cache);

    const manifestPath = path.join(copy.cache, 'manifest.json');
    const manifest = readFileSync(manifestPath, 'utf8');
    writeFileSync(manifestPath, manifest.replace(process.version, 'v0.0.1'));
    assert.equal(listJson(copy).files.size, 0, 'a cache made for another Node was used');
    writeFileSync(manifestPath, manifest);
    assert.deepEqual(states(listJson(copy).files), new Set(['used']));
  });
});

test('code cache: a changed bundle file, a linked, shared, FIFO or truncated cache file is compiled as usual; the answer stays the same', () => {
  withCopy((copy) => {
    const reference = listJson(copy);
    const names = [...reference.files.keys()];
    assert.ok(names.length >= 7, names.join(' '));
    const [changed, sameSize, linked, shared, fifo, truncated] = names;
    const bundle = (name: string): string => path.join(copy.root, 'dist', 'bundle', name!);
    const cacheFile = (name: string): string => path.join(copy.cache, `${name}.v8`);

    // Changed since the build (its mtime moved): its cache is not offered to V8.
    utimesSync(bundle(changed!), new Date(), new Date(Date.now() + 5000));
    // Edited in place to the same size with its mtime put back: the ctime still moved.
    const before = statSync(bundle(sameSize!));
    const text = readFileSync(bundle(sameSize!), 'utf8');
    writeFileSync(bundle(sameSize!), text.replace(/\S(?=\s*$)/, (c) => (c === ';' ? ' ' : ';')));
    utimesSync(bundle(sameSize!), before.atime, before.mtime);
    assert.equal(statSync(bundle(sameSize!)).size, before.size);
    // A link to a real cache file: never read through.
    mkdirSync(path.join(copy.root, 'other'));
    renameSync(cacheFile(linked!), path.join(copy.root, 'other', 'data'));
    symlinkSync(path.join(copy.root, 'other', 'data'), cacheFile(linked!));
    // Writable by others: someone else could have written it.
    chmodSync(cacheFile(shared!), 0o666);
    // A FIFO: never waited on.
    rmSync(cacheFile(fifo!));
    assert.equal(spawnSync('mkfifo', [cacheFile(fifo!)]).status, 0);
    // Cut short (a full disk, say): V8 compares the data's length with its header and refuses it.
    const data = readFileSync(cacheFile(truncated!));
    writeFileSync(cacheFile(truncated!), data.subarray(0, data.length >> 1));

    const after = listJson(copy);
    for (const name of [changed, sameSize, linked, shared, fifo]) assert.equal(after.files.get(name!), 'none', `${name} went through the cache`);
    assert.equal(after.files.get(truncated!), 'rejected');
    for (const name of names.slice(6)) assert.equal(after.files.get(name), 'used', name);
    assert.deepEqual(after.sessions, reference.sessions);
  });
});

test('code cache: a cache file of another user is not read (as root)', { skip: process.getuid?.() !== 0 && 'needs root to give a file away' }, () => {
  withCopy((copy) => {
    const [first] = [...listJson(copy).files.keys()];
    chownSync(path.join(copy.cache, `${first}.v8`), 65534, 65534);
    const after = listJson(copy);
    assert.equal(after.files.get(first!), 'none');
    assert.ok([...after.files.entries()].every(([name, state]) => state === (name === first ? 'none' : 'used')));
  });
});

test('code cache: made without the build’s NODE_OPTIONS; not used once the package moved; stack traces as without it', () => {
  withCopy(
    (copy) => {
      // V8 refuses data made under other flags: the build ran its cache step without them.
      assert.deepEqual(states(listJson(copy).files), new Set(['used']));
      // Moved elsewhere: V8 would name the old place in stack traces, so the cache is not used.
      const moved = `${copy.root}-moved`;
      renameSync(copy.root, moved);
      try {
        const elsewhere = { ...copy, record: copy.record.replace(copy.root, moved), store: copy.store.replace(copy.root, moved), root: moved };
        writeFileSync(elsewhere.record, readFileSync(elsewhere.record, 'utf8').replace(copy.root, moved));
        assert.equal(listJson(elsewhere).files.size, 0);
      } finally {
        renameSync(moved, copy.root);
      }
      // A stack (OPENCLAW_SESSIONS_DEBUG) names the same files, lines and columns with the cache as without.
      const broken = path.join(copy.root, 'broken.json');
      writeFileSync(broken, '{"agent:main:main": [');
      const stack = (): string => {
        const result = spawnSync(process.execPath, [path.join(copy.root, 'bin', 'openclaw-sessions.js'), 'prune', '--dry-run', '--store', broken], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: copy.root, OPENCLAW_SESSIONS_DEBUG: '1' } });
        assert.equal(result.status, 1, result.stderr);
        return result.stderr;
      };
      const cached = stack();
      assert.match(cached, /dist\/bundle\/[\w-]+\.cjs:\d+:\d+/);
      renameSync(copy.cache, `${copy.cache}-off`);
      assert.equal(stack(), cached);
    },
    { NODE_OPTIONS: '--max-old-space-size=3000' },
  );
});

test('code cache: the build writes it readable by every user and writable by its owner only', () => {
  withCopy((copy) => {
    const mode = (file: string): number => statSync(file).mode & 0o777;
    assert.equal(mode(copy.cache), 0o755);
    for (const name of readdirSync(copy.cache)) assert.equal(mode(path.join(copy.cache, name)), 0o644, name);
  });
});

test('code cache: never used by a run that may remove sessions or files (V8 does not checksum the data); used by its dry run', () => {
  withCopy((copy) => {
    const seenBy = (args: string[]): string[] => {
      rmSync(path.join(copy.root, 'seen.json'), { force: true });
      const result = spawnSync(process.execPath, ['-r', copy.record, path.join(copy.root, 'bin', 'openclaw-sessions.js'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: copy.root, OPENCLAW_GATEWAY_PORT: '1' } });
      assert.equal(result.status, 0, result.stderr);
      return readLoadRecord(path.join(copy.root, 'seen.json')).compiled.map(([, state]) => state);
    };
    const prune = ['prune', '--older-than', '0', '--store', copy.store];
    const before = readFileSync(copy.store, 'utf8');
    assert.ok(seenBy([...prune, '--dry-run']).length > 0, 'a dry run compiled everything itself');
    assert.ok(seenBy(['clean', '--dry-run', '--store', copy.store]).length > 0);
    // After a flag that takes no value, `--dry-run` is the flag: the cache is used, nothing removed.
    const noValue = JSON.parse(/const NO_VALUE_FLAGS = (\[[^\]]*\]);/.exec(readFileSync(path.join(REPO, 'bin', 'openclaw-sessions.js'), 'utf8'))![1]!.replaceAll("'", '"')) as string[];
    for (const command of ['prune', 'clean']) {
      const help = spawnSync(process.execPath, [path.join(copy.root, 'bin', 'openclaw-sessions.js'), command, '--help'], { encoding: 'utf8' }).stdout;
      for (const flag of noValue) {
        const line = help.split('\n').find((text) => new RegExp(`^ +(-\\w, )?${flag}(?= |,|$)`).test(text) || new RegExp(`^ +${flag}, `).test(text));
        if (line) assert.doesNotMatch(line.trim().split(/ {2,}/)[0]!, /[<[]/, `${command} ${flag} takes a value: ${line}`);
        else assert.ok(command === 'clean', `prune has no ${flag}`);
      }
    }
    assert.ok(seenBy(['prune', '--older-than', '0', '--json', '--dry-run', '--store', copy.store]).length > 0, 'prune --json --dry-run compiled everything itself');
    assert.equal(readFileSync(copy.store, 'utf8'), before, 'a dry run removed something');
    assert.deepEqual(seenBy([...prune, '--yes']), [], 'a prune ran cached code');
    assert.ok(!readFileSync(copy.store, 'utf8').includes('agent:main:subagent:x'), 'the prune did its work');
    // `--dry-run` as the value of an option is no dry run: this prunes (the glob kept is "--dry-run").
    writeFileSync(copy.store, before);
    assert.deepEqual(seenBy(['prune', '--older-than', '0', '--keep', '--dry-run', '--yes', '--store', copy.store]), [], 'a prune whose --keep value is "--dry-run" ran cached code');
    assert.deepEqual(seenBy(['clean', '--yes', '--store', copy.store]), []);
    // After a leading `--` commander still runs the command named (its options would be operands,
    // so the install is the example state's, by the environment).
    const state = path.join(copy.root, 'examples', 'state');
    const mainStore = path.join(state, 'agents', 'main', 'sessions', 'sessions.json');
    const storeBefore = readFileSync(mainStore, 'utf8');
    const dashed = spawnSync('python3', [path.join(REPO, 'test', 'helpers', 'pty-run.py'), 'y', '[y/N]', '--', process.execPath, '-r', copy.record, path.join(copy.root, 'bin', 'openclaw-sessions.js'), '--', 'prune'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: copy.root, OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_PORT: '1' },
    });
    assert.equal(dashed.status, 0, dashed.stdout);
    assert.notEqual(readFileSync(mainStore, 'utf8'), storeBefore, `-- prune did not prune: ${dashed.stdout}`);
    assert.deepEqual(readLoadRecord(path.join(copy.root, 'seen.json')).compiled, [], '-- prune ran cached code');
    assert.ok(!readFileSync(copy.store, 'utf8').includes('agent:main:subagent:x'), 'the prune keeping "--dry-run" did its work');
  });
});

test('a bin reached through a link (npm global install), with or without --preserve-symlinks-main: the same answers, the cache used', (t) => {
  withCopy((copy) => {
    // Outside the package (its package.json says "type": "module"), as npm's <prefix>/bin is.
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'ocs-prefix-'));
    t.after(() => rmSync(prefix, { recursive: true, force: true }));
    const link = path.join(prefix, 'openclaw-sessions');
    symlinkSync(path.join(copy.root, 'bin', 'openclaw-sessions.js'), link);
    const version = (JSON.parse(readFileSync(path.join(copy.root, 'package.json'), 'utf8')) as { version: string }).version;
    const reference = listJson(copy).sessions;
    for (const flags of [[], ['--preserve-symlinks'], ['--preserve-symlinks-main'], ['--preserve-symlinks', '--preserve-symlinks-main']]) {
      const v = spawnSync(process.execPath, [...flags, link, '--version'], { encoding: 'utf8' });
      assert.equal(v.stdout, `${version}\n`, `${flags.join(' ')}: ${v.stderr}`);
      rmSync(path.join(copy.root, 'seen.json'), { force: true });
      const listed = spawnSync(process.execPath, [...flags, '-r', copy.record, link, 'list', '--json', '--store', copy.store], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: copy.root } });
      assert.equal(listed.status, 0, `${flags.join(' ')}: ${listed.stderr}`);
      assert.deepEqual((JSON.parse(listed.stdout) as { sessions: Array<{ key: string; state: string }> }).sessions.map((s) => `${s.key} ${s.state}`), reference);
      const seen = readLoadRecord(path.join(copy.root, 'seen.json')).compiled;
      assert.deepEqual(new Set(seen.map(([, state]) => state)), new Set(['used']), flags.join(' '));
    }
  });
});

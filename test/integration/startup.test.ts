/**
 * What a command loads at start-up, asserted by name rather than timed (issue 11): on the ~500-entry
 * stores operators have, start-up is the whole cost, and each of these modules was once loaded by
 * a command that never used it. bench/run.mjs measures the time; this keeps the reasons fixed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BIN } from '../helpers/cli.js';
import { readLoadRecord, writeLoadRecorder } from '../helpers/load-recorder.js';

/** Node's built-in modules and bundle chunks loaded by one run of the built binary. */
function loadedBy(args: string[], dir: string, stdout: 'pipe' | number = 'pipe'): { builtins: Set<string>; chunks: string[]; status: number | null; stderr: string } {
  const preload = path.join(dir, 'record.cjs');
  const out = path.join(dir, 'loaded.json');
  writeLoadRecorder(preload, out);
  // An OPENCLAW_STATE_DIR that names no directory is a usage error (explicit-names.ts).
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  const result = spawnSync(process.execPath, ['-r', preload, BIN, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', stdout, 'pipe'],
    env: { PATH: process.env.PATH, HOME: dir, OPENCLAW_STATE_DIR: path.join(dir, 'state'), OPENCLAW_GATEWAY_PORT: '1', LANG: 'C.UTF-8' },
    timeout: 60_000,
  });
  // Bundle files come through Node's loader or, with the code cache, through the cache's own: both count.
  const loaded = readLoadRecord(out);
  return { builtins: new Set(loaded.builtins), chunks: [...loaded.required, ...loaded.compiled.map(([name]) => name)], status: result.status, stderr: result.stderr };
}

function storeWithEntries(dir: string): string {
  const store = path.join(dir, 'sessions.json');
  const now = Date.now();
  writeFileSync(
    store,
    JSON.stringify({
      'agent:main:main': { sessionId: 'a', updatedAt: now, status: 'done' },
      'agent:main:subagent:x': { sessionId: 'b', updatedAt: now - 3_600_000, status: 'done' },
    }),
  );
  return store;
}

// Not `net`: a piped stdout is a net.Socket, so every run here loads it.
/** Runs `body` with a fresh temp dir, removed afterwards. */
function inTempDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocs-startup-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NETWORK = ['http', 'https', 'tls', 'zlib', '_http_client'];
// proper-lockfile's graceful-fs loads assert and fs/promises; commander's executable subcommands child_process.
const RUN_LOCK_AND_SPAWN = ['assert', 'child_process'];

test('--help and --version load no network, crypto, run-lock or process-spawning module', () => {
  inTempDir((dir) => {
    for (const args of [['--help'], ['--version'], ['list', '--help']]) {
      const run = loadedBy(args, dir);
      assert.equal(run.status, 0, run.stderr);
      for (const name of [...NETWORK, ...RUN_LOCK_AND_SPAWN, 'crypto', 'tty', 'readline'])
        assert.ok(!run.builtins.has(name), `${args.join(' ')} loaded ${name}`);
    }
  });
});

test('the top-level help (no command, --help, -h, help, --, help help) and --version load no bundle file: the bin prints what the build wrote', () => {
  inTempDir((dir) => {
    for (const args of [[], ['--help'], ['-h'], ['help'], ['--'], ['help', 'help'], ['--version']]) {
      const run = loadedBy(args, dir);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(run.chunks, [], args.join(' ') || '(no arguments)');
    }
    // A command's help needs the CLI: the control that the record sees bundle files at all.
    assert.ok(loadedBy(['list', '--help'], dir).chunks.includes('main.cjs'));
  });
});

test('list --json and prune --dry-run load neither the gateway client nor the table, and list --json no run lock; a dry run nothing of the execute stage', () => {
  inTempDir((dir) => {
    const store = storeWithEntries(dir);
    const listJson = loadedBy(['list', '--json', '--store', store], dir);
    assert.equal(listJson.status, 0, listJson.stderr);
    for (const name of [...NETWORK, ...RUN_LOCK_AND_SPAWN, 'crypto', 'tty']) assert.ok(!listJson.builtins.has(name), `list --json loaded ${name}`);
    // The control that the record sees bundle files: the entry and the list command's own chunk
    // (named after src/cli/commands/list.ts; a shared chunk is named after whichever module rolldown
    // puts first in it, which moves as imports change).
    assert.ok(listJson.chunks.includes('main.cjs') && listJson.chunks.some((chunk) => chunk.startsWith('list-')), `the bundle files loaded were not seen: ${listJson.chunks.join(' ')}`);
    assert.deepEqual(
      listJson.chunks.filter((chunk) => /^(ws|wrapper|probe|discover|terminal|table)-/.test(chunk)),
      [],
      'list --json loaded gateway or table chunks',
    );

    const dryRun = loadedBy(['prune', '--dry-run', '--json', '--store', store], dir);
    assert.equal(dryRun.status, 0, dryRun.stderr);
    // crypto: fingerprints, store digests and journal code are the execute stage's (prune/execute.ts);
    // perf_hooks: the edit's lock timing; tty: chalk, loaded only to colour.
    for (const name of [...NETWORK, 'child_process', 'crypto', 'perf_hooks', 'tty']) assert.ok(!dryRun.builtins.has(name), `prune --dry-run loaded ${name}`);
    const table = loadedBy(['prune', '--dry-run', '--store', store], dir);
    assert.equal(table.status, 0, table.stderr);
    for (const name of ['crypto', 'perf_hooks', 'tty']) assert.ok(!table.builtins.has(name), `prune --dry-run (a table on a pipe) loaded ${name}`);
  });
});

test('list (a table) with no gateway listening: a refused TCP connect, no HTTP stack or WebSocket client', () => {
  inTempDir((dir) => {
    const store = storeWithEntries(dir);
    // OPENCLAW_GATEWAY_PORT=1: nothing listens there, so the probe stops at the refused connect.
    const run = loadedBy(['list', '--store', store], dir);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(
      run.chunks.some((chunk) => chunk.startsWith('probe-')),
      'the gateway was probed',
    );
    // crypto: the RPC client and device identity load only when a gateway answers; tty: chalk,
    // loaded only to colour (this output is a pipe).
    for (const name of ['http', 'https', 'tls', 'zlib', 'crypto', 'tty']) assert.ok(!run.builtins.has(name), `list loaded ${name}`);
  });
});

test('a run that writes nothing to stderr never builds process.stderr (on a pipe that loads node:net); one that writes there does', () => {
  inTempDir((dir) => {
    const store = storeWithEntries(dir);
    // stdout to a file, so that only stderr (a pipe here) could bring node:net in.
    const fd = openSync(path.join(dir, 'stdout.txt'), 'w');
    try {
      for (const args of [['--help'], ['list', '--json', '--store', store], ['prune', '--dry-run', '--json', '--store', store]]) {
        const run = loadedBy(args, dir, fd);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stderr, '');
        assert.ok(!run.builtins.has('net'), `${args.join(' ')} built process.stderr`);
      }
      // The other side: a run that has something to say on stderr still says it.
      const missing = loadedBy(['list', '--json', '--store', path.join(dir, 'nowhere.json')], dir, fd);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^openclaw-sessions: session store not found: .*nowhere\.json\n$/);
      assert.ok(missing.builtins.has('net'), 'stderr on a pipe is a net.Socket');
    } finally {
      closeSync(fd);
    }
  });
});

test('the bundle reports package.json’s version without reading package.json', () => {
  inTempDir((dir) => {
    const store = storeWithEntries(dir);
    const preload = path.join(dir, 'reads.cjs');
    const out = path.join(dir, 'reads.json');
    writeFileSync(
      preload,
      `const fs = require('node:fs');
const reads = [];
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) { if (typeof file === 'string') reads.push(file); return readFileSync.call(this, file, ...rest); };
process.on('exit', () => fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(reads)));`,
    );
    const result = spawnSync(process.execPath, ['-r', preload, BIN, 'metrics', '--no-rpc', '--store', store], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' } });
    assert.equal(result.status, 0, result.stderr);
    const { version } = JSON.parse(readFileSync(path.join(path.dirname(BIN), '..', 'package.json'), 'utf8')) as { version: string };
    assert.match(result.stdout, new RegExp(`^openclaw_sessions_build_info\\{version="${version.replaceAll('.', '\\.')}"\\} 1$`, 'm'));
    const reads = JSON.parse(readFileSync(out, 'utf8')) as string[];
    assert.deepEqual(reads.filter((file) => file.endsWith('package.json')), []);
  });
});

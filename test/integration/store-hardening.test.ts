/**
 * Issue 16 findings 1, 2, 3, 4, 8, 11, 12 and issue 8 items 3-4, driven through the built binary
 * on real files, links, FIFOs and lock holders. The root/other-user cases are in
 * store-owner.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, runCli, runCliAsync, startHolder } from '../helpers/cli.js';
import { chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const children = trackedChildren();

interface Report {
  schemaVersion: number;
  runId: string | null;
  summary: string;
  pruned: Array<{ key: string }>;
  stores: Array<{ path: string; outcome: string; error: string | null }>;
  transcripts: Array<{ from: string; to: string }>;
  transcriptsKept: Array<{ key: string; path: string; why: string }>;
}

function subagent(id: string, extra: Record<string, unknown> = {}) {
  return chatEntry(id, 60 * MIN, { status: 'done', spawnedBy: 'agent:main:main', ...extra });
}

function install(entries: Record<string, unknown>, agent = 'main'): { state: string; store: string; dir: string } {
  const state = path.join(tempDir(), 'state');
  const store = writeFile(storePath(state, agent), entries);
  chmodSync(path.dirname(store), 0o700);
  return { state, store, dir: path.dirname(store) };
}

function prune(state: string, ...extra: string[]) {
  const result = runCli(['prune', '--yes', '--json', '--recompute', 'none', '--state-dir', state, ...extra]);
  return { ...result, report: result.stdout.trim() ? (JSON.parse(result.stdout) as Report) : null };
}

function journalLines(store: string): Array<Record<string, unknown>> {
  const file = `${store}.openclaw-sessions.journal`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('finding 1: a sessionFile through a symlinked directory is never renamed; it is reported as kept', () => {
  const outside = path.join(tempDir(), 'elsewhere');
  writeFile(path.join(outside, 'passwd'), 'root:x:0:0\n');
  const { state, dir } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a', { sessionFile: 't/passwd' }) });
  symlinkSync(outside, path.join(dir, 't'));
  const { status, report, stderr } = prune(state);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report!.pruned.map((p) => p.key), ['agent:main:subagent:a']);
  assert.equal(readFileSync(path.join(outside, 'passwd'), 'utf8'), 'root:x:0:0\n');
  assert.deepEqual(readdirSync(outside), ['passwd']);
  assert.deepEqual(report!.transcripts, []);
  assert.equal(report!.transcriptsKept.length, 1);
  assert.match(report!.transcriptsKept[0]!.why, /outside the sessions directory/);
  // …and said in text too
  const again = install({ 'agent:main:subagent:b': subagent('b', { sessionFile: 't/passwd' }) });
  symlinkSync(outside, path.join(again.dir, 't'));
  const text = runCli(['prune', '--yes', '--recompute', 'none', '--state-dir', again.state]);
  assert.match(text.stdout, /^kept transcript .*t\/passwd \(of agent:main:subagent:b\): resolves to .*outside the sessions directory/m);
});

test('finding 2: a sessionFile naming the store, its lock or the journal is never archived', () => {
  for (const name of ['sessions.json', 'sessions.json.openclaw-sessions.journal', 'other.jsonl.lock']) {
    const { state, store, dir } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a', { sessionFile: name }) });
    if (name !== 'sessions.json') writeFile(path.join(dir, name), name.endsWith('.lock') ? '{}' : '');
    const { status, report, stderr } = prune(state);
    assert.equal(status, 0, `${name}: ${stderr}`);
    assert.ok(existsSync(store), `${name}: the store is still there`);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object), ['agent:main:main']);
    assert.ok(!readdirSync(dir).some((f) => f.includes('.deleted.')), `${name}: nothing archived`);
    assert.ok(report!.transcriptsKept.some((k) => /never a transcript/.test(k.why)), name);
  }
});

test('issue 8 item 3: every OpenClaw candidate is archived; a file a remaining entry resolves to is kept', () => {
  const { state, dir } = install({
    'agent:main:main': chatEntry('main-id', MIN),
    // Finished subagent whose sessionFile names the main session's transcript.
    'agent:main:subagent:a': subagent('sub-a', { sessionFile: 'main-id.jsonl' }),
    // sessionFile and the id's own file are both candidates.
    'agent:main:subagent:b': subagent('sub-b', { sessionFile: 'custom/b-file.jsonl' }),
  });
  for (const file of ['main-id.jsonl', 'sub-a.jsonl', 'custom/b-file.jsonl', 'sub-b.jsonl']) writeFile(path.join(dir, file), '{"type":"session"}\n');
  const { status, report, stderr } = prune(state);
  assert.equal(status, 0, stderr);
  assert.equal(report!.schemaVersion, 4);
  assert.ok(existsSync(path.join(dir, 'main-id.jsonl')), "the main session's live history stays");
  const archived = report!.transcripts.map((m) => path.relative(dir, m.from)).sort();
  assert.deepEqual(archived, ['custom/b-file.jsonl', 'sub-a.jsonl', 'sub-b.jsonl']);
  for (const move of report!.transcripts) assert.ok(existsSync(move.to) && !existsSync(move.from));
  assert.deepEqual(report!.transcriptsKept.map((k) => [k.key, path.basename(k.path), k.why]), [['agent:main:subagent:a', 'main-id.jsonl', 'a remaining session resolves to this file']]);
});

test('issue 8 item 3: a shared literal session.store also archives the agent\'s default sessions dir', () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  const shared = writeFile(path.join(state, 'shared', 'sessions.json'), { 'agent:ops:main': chatEntry('ops-main', MIN), 'agent:ops:subagent:x': subagent('ops-x') });
  chmodSync(path.dirname(shared), 0o700);
  const config = writeFile(path.join(state, 'openclaw.json'), JSON.stringify({ session: { store: shared }, agents: { list: [{ id: 'ops' }] } }));
  writeFile(path.join(state, 'agents', 'ops', 'sessions', 'ops-x.jsonl'), 'x\n');
  writeFile(path.join(path.dirname(shared), 'ops-x.jsonl'), 'x\n');
  const { status, report, stderr } = prune(state, '--config', config);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report!.transcripts.map((m) => m.from).sort(), [path.join(path.dirname(shared), 'ops-x.jsonl'), path.join(state, 'agents', 'ops', 'sessions', 'ops-x.jsonl')].sort());
});

test('finding 3: a journal that is a symlink is refused, its target untouched (content and mode)', () => {
  const { state, store } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  const target = writeFile(path.join(tempDir(), 'passwd'), 'root:x:0:0\n', 0o644);
  symlinkSync(target, `${store}.openclaw-sessions.journal`);
  const before = readFileSync(store, 'utf8');
  const { status, report, stderr } = prune(state);
  assert.equal(status, 4, stderr);
  assert.match(stderr, /refusing to write the undo journal .*symlink/);
  assert.equal(report!.stores[0]!.outcome, 'refused');
  assert.equal(readFileSync(target, 'utf8'), 'root:x:0:0\n');
  assert.equal(statSync(target).mode & 0o777, 0o644);
  assert.equal(readFileSync(store, 'utf8'), before, 'store untouched');
});

test('finding 4: restore refuses a copied journal and never moves files outside the store directory', () => {
  const a = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  writeFile(path.join(a.dir, 'a.jsonl'), 'x\n');
  assert.equal(prune(a.state).status, 0);
  // cp -a a b; restore --store b/sessions.json must not restore into a.
  const bDir = path.join(tempDir(), 'b');
  cpSync(a.dir, bDir, { recursive: true, preserveTimestamps: true });
  const bStore = path.join(bDir, 'sessions.json');
  const copied = runCli(['restore', '--yes', '--store', bStore]);
  // Exit 4 with the reason, as the README says (it was exit 1, "nothing to restore", no reason).
  assert.equal(copied.status, 4, copied.stderr);
  assert.match(copied.stderr, /^openclaw-sessions: refusing to restore run \S+ into \S+sessions\.json: it was written for the store directory .* — a copied or moved journal\n$/);
  assert.ok(!readdirSync(a.dir).includes('a.jsonl'), 'nothing renamed back in a');
  // A forged transcript move in a's own journal: from a file elsewhere into a's directory.
  const victimDir = path.join(tempDir(), 'victim');
  const victim = writeFile(path.join(victimDir, 'secret.deleted.2026-01-01T00-00-00.000Z'), 's\n');
  const lines = journalLines(a.store);
  const runId = lines[0]!.runId as string;
  writeFileSync(`${a.store}.openclaw-sessions.journal`, `${readFileSync(`${a.store}.openclaw-sessions.journal`, 'utf8')}${JSON.stringify({ type: 'transcripts', runId, at: new Date().toISOString(), moves: [{ from: path.join(victimDir, 'secret'), to: victim }] })}\n`);
  const restored = runCli(['restore', '--yes', '--state-dir', a.state]);
  assert.equal(restored.status, 0, restored.stderr);
  assert.match(restored.stdout, /secret\.deleted\.2026-01-01T00-00-00\.000Z left in place: outside this store's sessions directory/);
  assert.ok(existsSync(victim) && !existsSync(path.join(victimDir, 'secret')));
  assert.ok(existsSync(path.join(a.dir, 'a.jsonl')), 'its own transcript did come back');
});

test('finding 8: FIFOs and devices are refused before any blocking read; nothing hangs', async () => {
  // FIFO as the journal: prune refuses that store (no hang).
  const j = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  execFileSync('mkfifo', [`${j.store}.openclaw-sessions.journal`]);
  const journal = prune(j.state);
  assert.equal(journal.status, 4, journal.stderr);
  assert.match(journal.stderr, /undo journal .*a FIFO, not a regular file/);
  const list = runCli(['restore', '--list', '--state-dir', j.state]);
  assert.equal(list.status, 4, list.stderr);
  assert.match(list.stderr, /refusing to read journal .*a FIFO/);
  // FIFO as the config, and as an $include; /dev/zero as an $include.
  const c = install({ 'agent:main:main': chatEntry('m', MIN) });
  const fifo = path.join(c.state, 'openclaw.json');
  execFileSync('mkfifo', [fifo]);
  const config = runCli(['list', '--state-dir', c.state]);
  assert.notEqual(config.status, 0);
  assert.match(config.stderr, /^openclaw-sessions: refusing to read config .*openclaw\.json: it is a FIFO, not a regular file\n$/);
  for (const include of [path.join(c.state, 'inc.fifo'), '/dev/zero']) {
    if (include.endsWith('.fifo')) execFileSync('mkfifo', [include]);
    const file = writeFile(path.join(c.state, 'main.json'), JSON.stringify({ $include: include }));
    const result = runCli(['list', '--state-dir', c.state, '--config', file]);
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /refusing to read config .*(a FIFO|a character device)/);
  }
  // sessions.json.lock as a FIFO, and as a symlink to /dev/zero: prune waits out its timeout; doctor answers.
  for (const kind of ['fifo', 'zero']) {
    const l = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
    if (kind === 'fifo') execFileSync('mkfifo', [`${l.store}.lock`]);
    else symlinkSync('/dev/zero', `${l.store}.lock`);
    const busy = prune(l.state, '--lock-timeout', '1s');
    assert.equal(busy.status, 3, `${kind}: ${busy.stderr}`);
    const doctor = await runCliAsync(['doctor', '--no-rpc', '--state-dir', l.state]);
    assert.notEqual(doctor.status, null, `${kind}: doctor ended`);
    assert.doesNotMatch(doctor.stderr, /unexpected error/);
  }
});

test('finding 11: one store busy, another pruned: exit 7, both outcomes in --json and text', async () => {
  const root = tempDir();
  const state = path.join(root, 'state');
  const a = writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  const b = writeFile(storePath(state, 'ops'), { 'agent:ops:main': chatEntry('o', MIN), 'agent:ops:subagent:b': subagent('b') });
  for (const store of [a, b]) chmodSync(path.dirname(store), 0o700);
  const bBefore = readFileSync(b, 'utf8');
  const holder = await startHolder(['hold', b, '8000']);
  children.push(holder.child);
  const result = runCli(['prune', '--yes', '--json', '--recompute', 'none', '--lock-timeout', '1s', '--state-dir', state]);
  holder.child.kill('SIGKILL');
  assert.equal(result.status, 7, result.stderr);
  const report = JSON.parse(result.stdout) as Report;
  assert.deepEqual(report.pruned.map((p) => p.key), ['agent:main:subagent:a']);
  assert.deepEqual(report.stores.map((s) => [path.basename(path.dirname(path.dirname(s.path))), s.outcome]).sort(), [['main', 'pruned'], ['ops', 'busy']]);
  assert.match(report.stores.find((s) => s.outcome === 'busy')!.error!, /store lock .* is held by an unknown process \(pid/);
  assert.match(report.summary, /1 store was left untouched/);
  assert.match(result.stderr, /store .*ops.*not pruned \(busy; \d+ planned sessions? left as they are\)/);
  assert.equal(readFileSync(b, 'utf8'), bBefore);
  assert.deepEqual(journalLines(b), [], 'the busy store journals nothing');
});

test('issue 8 item 4 / finding 11: a busy run journals nothing; restore never re-adds keys the gateway deleted meanwhile', async () => {
  const { state, store } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  const holder = await startHolder(['hold', store, '8000']);
  children.push(holder.child);
  const busy = prune(state, '--lock-timeout', '500ms');
  holder.child.kill('SIGKILL');
  await holder.done;
  assert.equal(busy.status, 3, busy.stderr);
  assert.ok(busy.report, '--json still describes the run');
  assert.deepEqual(journalLines(store), []);
  // The gateway deletes the key itself meanwhile.
  writeFileSync(store, JSON.stringify({ 'agent:main:main': chatEntry('m', MIN) }, null, 2));
  const restore = runCli(['restore', '--yes', '--state-dir', state]);
  // nothing to restore is exit 0 (issue 12 item 5), and says so
  assert.equal(restore.status, 0, restore.stderr);
  assert.match(restore.stdout, /Nothing to restore/);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object), ['agent:main:main']);
});

test('issue 8 item 4: default restore takes the latest run that removed something; an interrupted run only by name', () => {
  const { state, store } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  const first = prune(state);
  assert.equal(first.status, 0, first.stderr);
  // A later run killed between its journal record and its commit.
  const binding = journalLines(store)[0]!.binding;
  const interrupted = { type: 'prune', runId: '29991231T000000Z-ffff', at: new Date().toISOString(), toolVersion: 't', storePath: store, binding, entries: { 'agent:main:subagent:z': subagent('z') } };
  writeFileSync(`${store}.openclaw-sessions.journal`, `${readFileSync(`${store}.openclaw-sessions.journal`, 'utf8')}${JSON.stringify(interrupted)}\n`);
  const restored = runCli(['restore', '--yes', '--json', '--state-dir', state]);
  assert.equal(restored.status, 0, restored.stderr);
  assert.equal((JSON.parse(restored.stdout) as { runId: string }).runId, first.report!.runId);
  const named = runCli(['restore', '--yes', '--state-dir', state, '29991231T000000Z-ffff']);
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stderr, /interrupted before its commit record/);
});

test('issue 8 item 4: journal retention drops runs older than --journal-retention (default 14d)', () => {
  const { state, store } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a'), 'agent:main:subagent:b': subagent('b') });
  assert.equal(prune(state, '--key', 'agent:main:subagent:a').status, 0);
  const old = journalLines(store).map((line) => ({ ...line, runId: '20200101T000000Z-0000', at: '2020-01-01T00:00:00.000Z' }));
  writeFileSync(`${store}.openclaw-sessions.journal`, `${old.map((line) => JSON.stringify(line)).join('\n')}\n`);
  const kept = prune(state, '--key', 'agent:main:subagent:b', '--journal-retention', '100000d');
  assert.equal(kept.status, 0, kept.stderr);
  assert.ok(journalLines(store).some((line) => line.runId === '20200101T000000Z-0000'));
  const sub = install({ 'agent:main:subagent:c': subagent('c') });
  writeFileSync(`${sub.store}.openclaw-sessions.journal`, readFileSync(`${store}.openclaw-sessions.journal`));
  const dropped = prune(sub.state);
  assert.equal(dropped.status, 0, dropped.stderr);
  assert.ok(!journalLines(sub.store).some((line) => line.runId === '20200101T000000Z-0000'), 'the old run is gone');
  assert.ok(journalLines(sub.store).some((line) => line.runId === dropped.report!.runId));
  assert.equal(statSync(`${sub.store}.openclaw-sessions.journal`).mode & 0o777, 0o600);
});

test('finding 12: __proto__ and constructor keys round-trip through prune and restore', () => {
  const { state, store } = install({});
  // Own keys as JSON.parse reads them (a JS object literal would set the prototype instead).
  writeFileSync(store, `{\n  "agent:main:main": ${JSON.stringify(chatEntry('m', MIN))},\n  "__proto__": ${JSON.stringify(chatEntry('p', MIN))},\n  "constructor": ${JSON.stringify(chatEntry('c', MIN))},\n  "agent:main:subagent:a": ${JSON.stringify(subagent('a'))}\n}`);
  const pruned = prune(state);
  assert.equal(pruned.status, 0, pruned.stderr);
  const afterPrune = JSON.parse(readFileSync(store, 'utf8')) as object;
  assert.deepEqual(Object.keys(afterPrune), ['agent:main:main', '__proto__', 'constructor'], 'kept by prune as own keys');
  // A run that removed `__proto__` and `constructor`: restore must put them back as keys.
  const binding = journalLines(store)[0]!.binding;
  const runId = '29990101T000000Z-abcd';
  const entries = `{"__proto__": ${JSON.stringify(subagent('p2'))}, "constructor": ${JSON.stringify(subagent('c2'))}}`;
  writeFileSync(store, `{\n  "agent:main:main": ${JSON.stringify(chatEntry('m', MIN))}\n}`);
  const lines = [
    `{"type":"prune","runId":"${runId}","at":"${new Date().toISOString()}","toolVersion":"t","storePath":${JSON.stringify(store)},"binding":${JSON.stringify(binding)},"entries":${entries}}`,
    JSON.stringify({ type: 'commit', runId, at: new Date().toISOString(), storePath: store, removed: ['__proto__', 'constructor'] }),
  ];
  writeFileSync(`${store}.openclaw-sessions.journal`, `${lines.join('\n')}\n`);
  const restored = runCli(['restore', '--yes', '--json', '--state-dir', state, runId]);
  assert.equal(restored.status, 0, restored.stderr);
  assert.deepEqual((JSON.parse(restored.stdout) as { restored: Array<{ key: string }> }).restored.map((r) => r.key), ['__proto__', 'constructor']);
  const final = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(final), ['agent:main:main', '__proto__', 'constructor']);
  assert.equal((Object.getOwnPropertyDescriptor(final, '__proto__')!.value as { sessionId: string }).sessionId, 'p2');
});

test('finding 12: a 9-star --key glob on a long key finishes (linear matcher)', () => {
  const key = `agent:main:subagent:${'a'.repeat(200)}`;
  const { state } = install({ [key]: subagent('a') });
  const result = runCli(['prune', '--dry-run', '--json', '--state-dir', state, '--key', '*a*a*a*a*a*a*a*a*a*b']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual((JSON.parse(result.stdout) as Report).pruned, []);
});

test('finding 12: deeply nested and oversized stores fail with one line, not "unexpected error"', () => {
  const nested = install({});
  const deepEntry = `{"sessionId":"d","updatedAt":1,"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
  writeFileSync(nested.store, `{"agent:main:main": ${JSON.stringify(chatEntry('m', MIN))}, "agent:main:subagent:a": ${JSON.stringify(subagent('a'))}, "agent:main:deep": ${deepEntry}}`);
  const before = readFileSync(nested.store, 'utf8');
  const deep = runCli(['prune', '--yes', '--recompute', 'none', '--state-dir', nested.state]);
  assert.notEqual(deep.status, 0);
  assert.doesNotMatch(deep.stderr, /unexpected error/);
  assert.match(deep.stderr, /nests too deeply to serialise.*nothing was written/);
  assert.equal(readFileSync(nested.store, 'utf8'), before);
  const big = install({});
  truncateSync(big.store, 600 * 1024 * 1024); // sparse: no disk used
  const huge = runCli(['list', '--state-dir', big.state]);
  assert.equal(huge.status, 1);
  assert.match(huge.stderr, /^openclaw-sessions: refusing to read session store .*larger than 512\.0 MiB/m);
});

test('finding 12: a full disk on stdout ends with one line and exit 1', async () => {
  const { state } = install({ 'agent:main:main': chatEntry('m', MIN) });
  const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn('sh', ['-c', `exec "${process.execPath}" "${BIN}" list --state-dir "${state}" > /dev/full`], { env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^openclaw-sessions: cannot write to standard output \(ENOSPC\)[^\n]*\n$/);
});

test('finding 12: a full disk on stdout fails help too (bare, --help, help <command>, <command> --help): one line, exit 1', async () => {
  for (const args of [[], ['--help'], ['help', 'list'], ['list', '--help']]) {
    const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const full = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', full, 'pipe'] });
      closeSync(full);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stderr }));
    });
    assert.equal(result.status, 1, `${args.join(' ') || '(no arguments)'}: ${result.stderr}`);
    assert.match(result.stderr, /^openclaw-sessions: cannot write to standard output \(ENOSPC\)[^\n]*\n$/);
  }
});

test('--version to a full disk: one line, exit 1; to a reader that went away: exit 0; never a stack trace', async () => {
  for (const [target, status, stderrPattern] of [['/dev/full', 1, /^openclaw-sessions: cannot write to standard output \(ENOSPC\)\n$/], ['closed pipe', 0, /^$/]] as const) {
    const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const stdout = target === '/dev/full' ? openSync('/dev/full', 'w') : 'pipe';
      const child = spawn(process.execPath, [BIN, '--version'], { env: { PATH: process.env.PATH }, stdio: ['ignore', stdout, 'pipe'] });
      if (typeof stdout === 'number') closeSync(stdout);
      child.stdout?.destroy(); // the reader went away before the run wrote
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ status: code, stderr }));
    });
    assert.equal(result.status, status, `${target}: ${result.stderr}`);
    assert.match(result.stderr, stderrPattern, target);
  }
});

/** Runs the bin under sh with stdout redirected as `redirect` says (`> file`), after `setup` (e.g. a ulimit). */
function runRedirected(args: string[], redirect: string, setup = ''): Promise<{ status: number | null; stderr: string }> {
  const quoted = args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `${setup}exec "${process.execPath}" "${BIN}" ${quoted} ${redirect}`], { env: { PATH: process.env.PATH } });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

test('stdout a regular file or /dev/null (written without a stream, issue 11): the same bytes as a pipe gets, every byte of a large report, exit 0', async () => {
  const entries: Record<string, unknown> = { 'agent:main:main': chatEntry('m', MIN) };
  for (let i = 0; i < 3000; i++) entries[`agent:main:direct:peer-${i}`] = chatEntry(`p${i}`, MIN);
  const { state } = install(entries);
  const out = path.join(tempDir(), 'out.txt');
  const help = await runRedirected(['list', '--help'], `> "${out}"`);
  assert.equal(help.status, 0, help.stderr);
  assert.equal(readFileSync(out, 'utf8'), runCli(['list', '--help']).stdout, 'help to a file is the text a pipe gets');
  const report = await runRedirected(['list', '--json', '--state-dir', state], `> "${out}"`);
  assert.equal(report.status, 0, report.stderr);
  assert.ok(statSync(out).size > 1 << 17, 'a report larger than one write');
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { sessions: unknown[] }).sessions.length, 3001);
  const discarded = await runRedirected(['list', '--json', '--state-dir', state], '> /dev/null');
  assert.deepEqual(discarded, { status: 0, stderr: '' });
});

test('stdout a regular file that cannot grow (EFBIG: the file size limit): one line, exit 1, no stack trace', async () => {
  const entries: Record<string, unknown> = { 'agent:main:main': chatEntry('m', MIN) };
  for (let i = 0; i < 300; i++) entries[`agent:main:direct:peer-${i}`] = chatEntry(`p${i}`, MIN);
  const { state } = install(entries);
  const out = path.join(tempDir(), 'out.json');
  // 8 blocks of 512 bytes (sh's unit); SIGXFSZ ignored, so the write fails with EFBIG instead of killing the run.
  const result = await runRedirected(['list', '--json', '--state-dir', state], `> "${out}"`, 'ulimit -f 8; trap "" XFSZ; ');
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^openclaw-sessions: cannot write to standard output \(EFBIG\)[^\n]*\n$/);
  assert.equal(statSync(out).size, 4096, 'what fit was written');
});

test('the bin\'s own answers (--version, the top-level help) to a file that cannot take them whole: one line, exit 1, never a silent cut', async () => {
  // Under a 1 KiB file-size limit the ~3 KB help is a short write (1024 bytes taken, no error);
  // Node's stream for a file (SyncWriteStream) drops the rest and the run said nothing, exit 0.
  for (const args of [['--help'], []]) {
    const out = path.join(tempDir(), 'help.txt');
    const result = await runRedirected(args, `> "${out}"`, 'ulimit -f 2; trap "" XFSZ; ');
    assert.equal(result.status, 1, `${args.join(' ') || '(no args)'}: ${result.stderr}`);
    assert.match(result.stderr, /^openclaw-sessions: cannot write to standard output \(EFBIG\)[^\n]*\n$/);
    assert.equal(statSync(out).size, 1024, 'what fit was written');
  }
  const out = path.join(tempDir(), 'version.txt');
  writeFileSync(out, 'x'.repeat(1024));
  const version = await runRedirected(['--version'], `>> "${out}"`, 'ulimit -f 2; trap "" XFSZ; ');
  assert.equal(version.status, 1, version.stderr);
  assert.match(version.stderr, /^openclaw-sessions: cannot write to standard output \(EFBIG\)\n$/);
  const appended = await runRedirected(['--version'], `>> "${out}"`);
  assert.equal(appended.status, 0, appended.stderr);
  assert.match(readFileSync(out, 'utf8'), /^x{1024}\d+\.\d+\.\d+\n$/, '>> appends the version after what the file held');
});

test('a reader that goes away (EPIPE, `list | head`) ends the output quietly; the run keeps its own exit code', async () => {
  const entries: Record<string, unknown> = { 'agent:main:main': chatEntry('m', MIN) };
  for (let i = 0; i < 3000; i++) entries[`agent:main:direct:peer-${i}`] = chatEntry(`p${i}`, MIN);
  const { state } = install(entries);
  const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'list', '--json', '--state-dir', state], { env: { PATH: process.env.PATH } });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (status) => resolve({ status, stderr }));
  });
  assert.equal(result.status, 0);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stderr, '', 'the reader chose to stop reading: nothing to say');
});

test('a reader slower than the run still gets every byte: the process ends only once its output has drained', async () => {
  const entries: Record<string, unknown> = { 'agent:main:main': chatEntry('m', MIN) };
  for (let i = 0; i < 3000; i++) entries[`agent:main:direct:peer-${i}`] = chatEntry(`p${i}`, MIN);
  const { state } = install(entries);
  const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'list', '--json', '--state-dir', state], { env: { PATH: process.env.PATH } });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.setEncoding('utf8');
    // Nothing read for a while: the pipe (64 KiB) fills and the rest of the report waits in the run.
    child.stdout.pause();
    setTimeout(() => child.stdout.on('data', (d: string) => (stdout += d)).resume(), 500);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(result.stdout.length > 1 << 17, `a report larger than the pipe (${result.stdout.length} bytes)`);
  assert.equal((JSON.parse(result.stdout) as { sessions: unknown[] }).sessions.length, 3001);
});

test("Node's own warnings to a broken stderr (closed pipe, /dev/full) before the tool writes there: no crash, the run's exit code and its whole output", async () => {
  const { state } = install({ 'agent:main:main': chatEntry('m', MIN) });
  // Two warnings before the run's end, as a module preloaded with NODE_OPTIONS may print: Node's
  // console survives only the first failed write of its own; the second needs the tool's listener.
  const preload = writeFile(path.join(tempDir(), 'warn.cjs'), "process.emitWarning('first', 'DeprecationWarning', 'DEP0999'); setImmediate(() => process.emitWarning('second'));\n");
  for (const target of ['closed pipe', '/dev/full']) {
    const result = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const stderr = target === '/dev/full' ? openSync('/dev/full', 'w') : 'pipe';
      const child = spawn(process.execPath, [BIN, 'list', '--json', '--state-dir', state], { env: { PATH: process.env.PATH, NODE_OPTIONS: `--require ${preload}` }, stdio: ['ignore', 'pipe', stderr] });
      children.push(child);
      if (typeof stderr === 'number') closeSync(stderr);
      child.stderr?.destroy(); // the reader went away before the run wrote anything there
      let stdout = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.on('close', (status) => resolve({ status, stdout }));
    });
    assert.equal(result.status, 0, `stderr a ${target}`);
    assert.equal((JSON.parse(result.stdout) as { sessions: unknown[] }).sessions.length, 1, `stderr a ${target}`);
  }
});

test('finding 12: an unset ${VAR} in the config is kept literally with OpenClaw\'s warning', () => {
  const { state } = install({ 'agent:main:main': chatEntry('m', MIN) });
  writeFile(path.join(state, 'openclaw.json'), '{ gateway: { auth: { token: "${OCS_TEST_UNSET_TOKEN}" } } }');
  const result = runCli(['list', '--state-dir', state]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /Config \(.*openclaw\.json\): missing env var "OCS_TEST_UNSET_TOKEN" at gateway\.auth\.token - feature using this value will be unavailable/);
});

test('finding 12: a killed run\'s temp files are removed by the next run; the gateway\'s are not', () => {
  const { state, store, dir } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  const ours = writeFile(`${store}.openclaw-sessions.2147483646.0a1b2c3d4e5f.tmp`, 'x'.repeat(1000));
  const gateways = writeFile(`${store}.5f0c8d1e-1111-4222-8333-944455556666.tmp`, 'y');
  const result = prune(state);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(!existsSync(ours), 'our leftover is gone');
  assert.ok(existsSync(gateways), "the gateway's temp file is left alone");
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('openclaw-sessions') && f.endsWith('.tmp')), []);
});

test('SIGTERM while waiting for the gateway lock: one line, exit 143, run lock and temp file removed, store unchanged', async () => {
  const { state, store, dir } = install({ 'agent:main:main': chatEntry('m', MIN), 'agent:main:subagent:a': subagent('a') });
  const before = readFileSync(store, 'utf8');
  const holder = await startHolder(['hold', store, '20000']);
  children.push(holder.child);
  const child = spawn(process.execPath, [BIN, 'prune', '--yes', '--recompute', 'none', '--lock-timeout', '30s', '--state-dir', state], { env: { PATH: process.env.PATH } });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait until it holds the run lock and has prepared its temp file.
  for (let i = 0; i < 300 && !readdirSync(dir).some((f) => f.startsWith('sessions.json.openclaw-sessions.') && f.endsWith('.tmp')); i++) await sleep(100);
  assert.ok(existsSync(`${store}.openclaw-sessions.lock`), 'run lock held');
  child.kill('SIGTERM');
  const code = await closed;
  holder.child.kill('SIGKILL');
  assert.equal(code, 143);
  assert.match(stderr, /^openclaw-sessions: interrupted by SIGTERM; locks released and temp files removed/m);
  assert.ok(!existsSync(`${store}.openclaw-sessions.lock`), 'run lock released');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  assert.equal(readFileSync(store, 'utf8'), before);
  assert.ok(lstatSync(dir).isDirectory());
  // What `metrics` reports as the last prune is this one, which failed and removed nothing.
  const status = JSON.parse(readFileSync(path.join(state, 'openclaw-sessions', 'last-prune.json'), 'utf8')) as { last: { exitCode: number; removed: number }; lastSuccess: unknown };
  assert.deepEqual([status.last.exitCode, status.last.removed, status.lastSuccess], [143, 0, null]);
});

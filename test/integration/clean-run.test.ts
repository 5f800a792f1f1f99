/**
 * The clean use-case on real temp installs: every kind of file, a transcript with a live lock,
 * a file another entry resolves to, a temp file younger than the safe age, and a file that
 * changes between planning and execution.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { archiveNameFor } from '../../src/clean/names.js';
import { DEFAULT_ARCHIVE_KEEP_MS as DEFAULT_KEEP_MS } from '../../src/defaults.js';
import { executeClean, prepareClean, type CleanOptions } from '../../src/clean/run.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const DAY = 86_400_000;
const UUID = '0b6f0b3e-9a7c-4a52-8f7e-7f8f1d2c3b4a';

function setAge(file: string, ageMs: number): void {
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(file, at, at);
}

function ownStartTime(): number {
  return Number(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
}

/** An install with one agent and one of each kind of file in its sessions directory. */
function install() {
  const stateDir = tempDir('ocs-clean-');
  const store = storePath(stateDir, 'main');
  writeFile(store, {
    'agent:main:main': { sessionId: 'live-main', updatedAt: Date.now() },
    'agent:main:subagent:x': { sessionId: 'sub-x', updatedAt: Date.now(), sessionFile: 'custom-name.jsonl' },
    'agent:main:direct:gone': { sessionId: 'no-transcript', updatedAt: Date.now() },
    'agent:main:dashboard:bad': { updatedAt: 'not a number', sessionId: 'invalid-entry' },
  });
  const dir = path.dirname(store);
  const files = {
    mainTranscript: writeFile(path.join(dir, 'live-main.jsonl'), '{"m":1}\n'),
    customTranscript: writeFile(path.join(dir, 'custom-name.jsonl'), '{"c":1}\n'),
    invalidEntryTranscript: writeFile(path.join(dir, 'invalid-entry.jsonl'), '{"i":1}\n'),
    oldTombstone: writeFile(path.join(dir, archiveNameFor('gone-1.jsonl', new Date(Date.now() - 40 * DAY))), 'x'.repeat(1000)),
    oldReset: writeFile(path.join(dir, archiveNameFor('gone-2.jsonl', new Date(Date.now() - 31 * DAY), 'reset')), 'y'.repeat(500)),
    youngTombstone: writeFile(path.join(dir, archiveNameFor('gone-3.jsonl', new Date(Date.now() - 2 * DAY))), 'z'.repeat(300)),
    backup: writeFile(path.join(dir, 'sessions.json.bak.1700000000000'), '{}'),
    orphan: writeFile(path.join(dir, 'orphan-old.jsonl'), 'o'.repeat(700)),
    orphanRecent: writeFile(path.join(dir, 'orphan-recent.jsonl'), 'r'),
    orphanLocked: writeFile(path.join(dir, 'orphan-locked.jsonl'), 'l'.repeat(50)),
    oldTemp: writeFile(path.join(dir, `sessions.json.${UUID}.tmp`), 't'.repeat(18000)),
    youngTemp: writeFile(path.join(dir, `sessions.json.${UUID.replace('0b6f', '1111')}.tmp`), 'n'),
  };
  setAge(files.orphan, 3 * DAY);
  setAge(files.orphanLocked, 3 * DAY);
  setAge(files.oldTemp, 2 * 3_600_000);
  writeFile(`${files.orphanLocked}.lock`, { pid: process.pid, createdAt: new Date(Date.now() - 3 * DAY).toISOString(), starttime: ownStartTime() });
  return { stateDir, store, dir, files };
}

function options(stateDir: string, extra: Partial<CleanOptions> = {}): CleanOptions {
  return { stateDir, staleAfterMs: 30 * 60_000, keepMs: DEFAULT_KEEP_MS, ...extra };
}

test('plan: each kind of file is found and only the safe ones are planned', () => {
  const { stateDir, files, store } = install();
  const prepared = prepareClean({ HOME: stateDir }, options(stateDir));
  assert.equal(prepared.referencesComplete, true);
  const [plan] = prepared.plans;
  assert.ok(plan);
  assert.equal(plan.scan.storePath, store);
  assert.deepEqual(plan.scan.tombstones.map((t) => t.path).sort(), [files.oldTombstone, files.oldReset, files.youngTombstone].sort());
  assert.deepEqual(plan.scan.backups.map((b) => b.path), [files.backup]);
  assert.deepEqual(plan.scan.orphans.map((o) => o.path).sort(), [files.orphan, files.orphanLocked, files.orphanRecent].sort());
  assert.deepEqual(plan.scan.missingTranscripts.map((m) => m.key), ['agent:main:direct:gone']);
  assert.deepEqual(
    plan.actions.map((a) => [a.type, a.file.path]).sort(),
    [
      ['archive-orphan', files.orphan],
      ['remove-temp', files.oldTemp],
      ['remove-tombstone', files.oldReset],
      ['remove-tombstone', files.oldTombstone],
    ].sort(),
  );
});

test('execute: removes and archives exactly the plan; bytes reclaimed match the files removed', async () => {
  const { stateDir, files, dir } = install();
  const env = { HOME: stateDir };
  const prepared = prepareClean(env, options(stateDir));
  const sizes = [files.oldTombstone, files.oldReset, files.oldTemp].reduce((sum, f) => sum + statSync(f).size, 0);
  const [result] = await executeClean({ env, options: options(stateDir), prepared, lockTimeoutMs: 2000 });
  assert.ok(result);
  const done = result.outcomes.filter((o) => o.done);
  assert.equal(done.length, 4);
  assert.equal(done.filter((o) => o.action !== 'archive-orphan').reduce((sum, o) => sum + (o.done ? o.bytes : 0), 0), sizes);
  for (const gone of [files.oldTombstone, files.oldReset, files.oldTemp, files.orphan]) assert.equal(existsSync(gone), false, gone);
  for (const kept of [files.mainTranscript, files.customTranscript, files.invalidEntryTranscript, files.youngTombstone, files.backup, files.orphanRecent, files.orphanLocked, files.youngTemp, `${files.orphanLocked}.lock`]) {
    assert.equal(existsSync(kept), true, kept);
  }
  const archived = readdirSync(dir).filter((name) => name.startsWith('orphan-old.jsonl.deleted.'));
  assert.equal(archived.length, 1);
  assert.equal(readFileSync(path.join(dir, archived[0]!), 'utf8'), 'o'.repeat(700));
});

test('execute: a file referenced, replaced or rewritten after planning is left alone', async () => {
  const { stateDir, files, store } = install();
  const env = { HOME: stateDir };
  const prepared = prepareClean(env, options(stateDir));
  // Between planning and execution: an entry now names the orphan, the old temp file is
  // rewritten, and a tombstone is replaced by a symlink to the main transcript.
  const doc = JSON.parse(readFileSync(store, 'utf8'));
  doc['agent:main:direct:new'] = { sessionId: 'orphan-old', updatedAt: Date.now() };
  writeFile(store, doc);
  writeFile(files.oldTemp, 'different');
  const { rmSync } = await import('node:fs');
  rmSync(files.oldTombstone);
  symlinkSync(files.mainTranscript, files.oldTombstone);
  const [result] = await executeClean({ env, options: options(stateDir), prepared, lockTimeoutMs: 2000 });
  const skipped = Object.fromEntries(result!.outcomes.filter((o) => !o.done).map((o) => [o.path, o.done ? '' : o.why]));
  assert.equal(skipped[files.orphan], 'an entry refers to it now');
  assert.equal(skipped[files.oldTemp], 'written since the scan');
  assert.equal(skipped[files.oldTombstone], 'gone, or no longer a regular file');
  assert.equal(existsSync(files.orphan), true);
  assert.equal(readFileSync(files.mainTranscript, 'utf8'), '{"m":1}\n');
});

test('an unreadable store of the install: no orphan is archived anywhere, tombstones still go', () => {
  const { stateDir, files } = install();
  writeFile(storePath(stateDir, 'other'), '{"truncated": ');
  const prepared = prepareClean({ HOME: stateDir }, options(stateDir));
  assert.equal(prepared.referencesComplete, false);
  assert.deepEqual(prepared.skippedStores.map((s) => path.basename(path.dirname(path.dirname(s.storePath)))), ['other']);
  const actions = prepared.plans.flatMap((p) => p.actions);
  assert.equal(actions.some((a) => a.type === 'archive-orphan'), false);
  assert.equal(actions.some((a) => a.file.path === files.oldTombstone), true);
});

test('with --agent, references still come from every store (a shared transcript name keeps its file)', () => {
  const { stateDir, files } = install();
  // Agent "b" names main's orphan by session id: it is not an orphan for anyone.
  writeFile(storePath(stateDir, 'b'), { 'agent:b:main': { sessionId: 'orphan-old', updatedAt: Date.now() } });
  const prepared = prepareClean({ HOME: stateDir }, options(stateDir, { agent: 'main' }));
  assert.equal(prepared.plans.length, 1);
  assert.equal(prepared.plans[0]!.scan.orphans.some((o) => o.path === files.orphan), false);
});

test('a sessions.json beside an 8.1+ SQLite database is not cleaned', () => {
  const { stateDir, store } = install();
  writeFile(path.join(path.dirname(path.dirname(store)), 'agent', 'openclaw-agent.sqlite'), 'not really sqlite');
  const prepared = prepareClean({ HOME: stateDir }, options(stateDir, { store }));
  assert.equal(prepared.plans.length, 0);
  assert.match(prepared.skippedStores[0]!.why, /8\.1\+ SQLite/);
});

test('an orphan whose lock is a link, a FIFO or garbage is kept; a readable lock of a dead holder lets it go', async () => {
  const { stateDir, dir } = install();
  const { execFileSync } = await import('node:child_process');
  const quiet = (name: string): string => {
    const file = writeFile(path.join(dir, name), 'z');
    setAge(file, 3 * DAY);
    return file;
  };
  const linked = quiet('orphan-link.jsonl');
  symlinkSync('/etc/hostname', `${linked}.lock`);
  const fifo = quiet('orphan-fifo.jsonl');
  execFileSync('mkfifo', [`${fifo}.lock`]);
  const dead = quiet('orphan-dead.jsonl');
  writeFile(`${dead}.lock`, { pid: 99_999_999, createdAt: new Date(Date.now() - 3 * DAY).toISOString(), starttime: 1 });
  const prepared = prepareClean({ HOME: stateDir }, options(stateDir));
  const planned = prepared.plans.flatMap((plan) => plan.actions.map((action) => action.file.path));
  assert.equal(planned.includes(linked), false, 'a symlinked lock keeps its transcript');
  assert.equal(planned.includes(fifo), false, 'a FIFO lock keeps its transcript (and is never opened blocking)');
  assert.equal(planned.includes(dead), true, "a dead holder's lock does not");
});

test('missing transcripts: looked up in the directory listing, links and locks asked of the disk', async () => {
  const { scanStoreDisk } = await import('../../src/clean/scan.js');
  const dir = path.dirname(storePath(path.join(tempDir(), 'state'), 'main'));
  const store = writeFile(path.join(dir, 'sessions.json'), {});
  writeFile(path.join(dir, 'here.jsonl'), '{}\n');
  symlinkSync(path.join(dir, 'nowhere.jsonl'), path.join(dir, 'dangling.jsonl'));
  symlinkSync(path.join(dir, 'here.jsonl'), path.join(dir, 'linked.jsonl'));
  // A turn just started: its lock is there, its transcript not yet.
  writeFile(path.join(dir, 'starting.jsonl.lock'), { pid: process.pid, createdAt: new Date().toISOString(), starttime: ownStartTime() });
  const outside = path.join(tempDir(), 'elsewhere.jsonl');
  const entries = ['here', 'dangling', 'linked', 'starting', 'gone'].map((id) => ({ key: id, transcript: path.join(dir, `${id}.jsonl`) }));
  entries.push({ key: 'outside', transcript: outside }, { key: 'none', transcript: null as unknown as string });
  const scan = scanStoreDisk({ storePath: store, journalPath: `${store}.openclaw-sessions.journal`, references: { sessionIds: new Set(), files: new Set() }, entries, now: Date.now() });
  assert.deepEqual(scan.missingTranscripts.map((m) => m.key).sort(), ['dangling', 'gone', 'outside']);
});

/**
 * `clean` through the built binary: plan, confirmation, --json (validated against its schema),
 * JSON-lines events, and a run killed with SIGKILL halfway that the next run finishes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { archiveNameFor } from '../../src/clean/names.js';
import { cleanReportSchema } from '../../src/report/clean-report.js';
import { BIN, runCli, runInProcess } from '../helpers/cli.js';
import { assertGolden } from '../helpers/golden.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const DAY = 86_400_000;

function aged(file: string, ageMs: number): string {
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(file, at, at);
  return file;
}

function install(tombstones = 2, orphans = 1) {
  const home = tempDir('ocs-clean-cli-');
  const store = storePath(path.join(home, '.openclaw'), 'main');
  writeFile(store, { 'agent:main:main': { sessionId: 'main-1', updatedAt: Date.now() } });
  const dir = path.dirname(store);
  writeFile(path.join(dir, 'main-1.jsonl'), '{"keep":true}\n');
  const young = writeFile(path.join(dir, archiveNameFor('young.jsonl', new Date(Date.now() - DAY))), 'y');
  for (let i = 0; i < tombstones; i++) writeFile(path.join(dir, archiveNameFor(`t${i}.jsonl`, new Date(Date.now() - 40 * DAY - i))), 'x'.repeat(100));
  for (let i = 0; i < orphans; i++) aged(writeFile(path.join(dir, `orphan-${i}.jsonl`), 'o'.repeat(10)), 2 * DAY);
  return { home, store, dir, young };
}

test('clean without --yes off a terminal refuses (exit 2) and changes nothing; --dry-run shows the plan', async () => {
  const { home, dir } = install();
  const before = readdirSync(dir).sort();
  const refused = await runInProcess(['clean'], { HOME: home });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^openclaw-sessions: refusing to clean 3 files without confirmation/);
  const dry = await runInProcess(['clean', '--dry-run'], { HOME: home });
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /expired archive/);
  assert.match(dry.stdout, /orphan transcript +10 B/);
  assert.match(dry.stdout, /3 files in 1 store; frees 200 B now\./);
  assert.deepEqual(readdirSync(dir).sort(), before);
});

test('clean --yes --json: the report validates, bytes reclaimed match the files removed; a second run has nothing to do', async () => {
  const { home, dir, young } = install(3, 2);
  const result = await runInProcess(['clean', '--yes', '--json'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const report = cleanReportSchema.parse(JSON.parse(result.stdout));
  assert.equal(report.dryRun, false);
  assert.equal(report.filesRemoved, 3);
  assert.equal(report.bytesReclaimed, 300);
  assert.equal(report.transcriptsArchived, 2);
  assert.equal(report.stores[0]!.disk.tombstones.expired, 3);
  for (const file of report.stores[0]!.files) {
    assert.equal(file.done, true);
    if (file.action === 'archive-orphan') assert.equal(readFileSync(file.archivedTo!, 'utf8'), 'o'.repeat(10));
  }
  assert.equal(existsSync(young), true);
  assert.equal(readFileSync(path.join(dir, 'main-1.jsonl'), 'utf8'), '{"keep":true}\n');
  const again = await runInProcess(['clean', '--yes', '--json'], { HOME: home });
  assert.equal(cleanReportSchema.parse(JSON.parse(again.stdout)).stores[0]!.files.length, 0);
  // The archived orphans go once they are older than the retention.
  const later = await runInProcess(['clean', '--yes', '--keep', '0', '--json'], { HOME: home });
  const removed = cleanReportSchema.parse(JSON.parse(later.stdout)).stores[0]!.files.map((f) => path.basename(f.path));
  assert.equal(removed.filter((name) => name.startsWith('orphan-')).length, 2);
});

test('clean --log-format json: one event per file and a closing run.end with the totals', async () => {
  const { home } = install(2, 1);
  const result = await runInProcess(['clean', '--yes', '--log-format', 'json'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; [k: string]: unknown });
  assert.deepEqual(events.map((e) => e.event), ['run.start', 'file.removed', 'file.removed', 'file.archived', 'run.end']);
  assert.equal(events.at(-1)!.bytesReclaimed, 200);
  assert.equal(events.at(-1)!.archived, 1);
});

test('an unreadable store: the others are cleaned, it is named, exit 1', async () => {
  const { home } = install(1, 0);
  writeFile(storePath(path.join(home, '.openclaw'), 'broken'), '{"cut":');
  const result = await runInProcess(['clean', '--yes'], { HOME: home });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /broken\/sessions\/sessions\.json: not cleaned: unreadable/);
  assert.match(result.stdout, /Removed 1 file/);
});

test('docs/clean.schema.json is the JSON Schema of the zod definition', async () => {
  assertGolden('docs/clean.schema.json', `${JSON.stringify(z.toJSONSchema(cleanReportSchema), null, 2)}\n`);
});

test('a clean killed with SIGKILL halfway leaves nothing a second run cannot finish', async () => {
  const children = trackedChildren();
  const { home, dir, young } = install(4000, 300);
  const expired = (): number => readdirSync(dir).filter((n) => /^t\d+\.jsonl\.deleted\./.test(n)).length;
  const child = spawn(process.execPath, [BIN, 'clean', '--yes', '--quiet'], { env: { PATH: process.env.PATH, HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  let childErr = '';
  child.stderr!.on('data', (d) => (childErr += d));
  children.push(child);
  // Kill it once it has visibly started removing files, before it can finish.
  // No time bound: a busy machine may take long to start it; the child's exit ends the wait too.
  let exited = false;
  child.once('exit', () => (exited = true));
  while (!exited && expired() === 4000) await sleep(5);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  assert.ok(expired() < 4000, `the run had started: exit ${child.exitCode} ${child.signalCode} ${childErr}`);
  const second = runCli(['clean', '--yes', '--json'], { HOME: home });
  assert.equal(second.status, 0, second.stderr);
  const names = readdirSync(dir);
  assert.equal(names.filter((n) => /^t\d+\.jsonl\.deleted\./.test(n)).length, 0, 'every expired archive is gone');
  assert.equal(names.filter((n) => /^orphan-\d+\.jsonl$/.test(n)).length, 0, 'every orphan is archived');
  for (let i = 0; i < 300; i++) assert.ok(names.some((n) => n.startsWith(`orphan-${i}.jsonl.deleted.`)), `orphan-${i} archived`);
  assert.equal(existsSync(young), true);
  assert.equal(readFileSync(path.join(dir, 'main-1.jsonl'), 'utf8'), '{"keep":true}\n');
  assert.equal(names.some((n) => n.endsWith('.openclaw-sessions.lock')), false, 'the killed run lock was reclaimed and released');
});

test('list and doctor report what clean would reclaim, with the command that does it', async () => {
  const { home } = install(2, 1);
  const list = await runInProcess(['list'], { HOME: home });
  assert.equal(list.status, 0, list.stderr);
  // HOME (a temp dir, not the account's own) chose the install, so the command names its state dir.
  assert.match(list.stdout, new RegExp(`^Disk: 2 expired archives \\(200 B\\), 1 orphan transcript \\(10 B\\); to see what clean would remove:\n {2}openclaw-sessions clean --dry-run --state-dir ${path.join(home, '.openclaw')}$`, 'm'));
  const json = JSON.parse((await runInProcess(['list', '--json'], { HOME: home })).stdout) as { stores: Array<{ disk: { tombstones: { count: number; expired: number }; orphanTranscripts: { archivable: number } } }> };
  assert.equal(json.stores[0]!.disk.tombstones.count, 3);
  assert.equal(json.stores[0]!.disk.tombstones.expired, 2);
  assert.equal(json.stores[0]!.disk.orphanTranscripts.archivable, 1);
  const doctor = JSON.parse((await runInProcess(['doctor', '--json', '--no-rpc', '--state-dir', path.join(home, '.openclaw')], { HOME: home })).stdout) as { findings: Array<{ id: string; severity: string; fix: string | null }> };
  const disk = doctor.findings.find((f) => f.id === 'disk-reclaimable');
  assert.equal(disk?.severity, 'warning');
  assert.equal(disk?.fix, `openclaw-sessions clean --state-dir ${path.join(home, '.openclaw')}`);
  // The printed fix, pasted, does the job.
  const pasted = await runInProcess([...disk!.fix!.split(' ').slice(1), '--yes'], { HOME: '/nonexistent' });
  assert.equal(pasted.status, 0, pasted.stderr);
  assert.match(pasted.stdout, /Removed 2 files \(200 B reclaimed\), archived 1 orphan transcript/);
});

test('on a terminal clean shows the plan and asks; "n" changes nothing, "y" cleans', async () => {
  const { home, dir } = install(1, 0);
  const before = readdirSync(dir).sort();
  const declined = await runInProcess(['clean'], { HOME: home }, 'n\n');
  assert.equal(declined.status, 0);
  assert.match(declined.stderr, /expired archive[\s\S]*Clean 1 file, freeing 100 B\? \[y\/N\] Cancelled; nothing was changed\./);
  assert.deepEqual(readdirSync(dir).sort(), before);
  const accepted = await runInProcess(['clean'], { HOME: home }, 'y\n');
  assert.equal(accepted.status, 0, accepted.stderr);
  assert.match(accepted.stdout, /Removed 1 file \(100 B reclaimed\)/);
});

test("clean keeps an archive an unrestored prune run's restore would rename back, whatever --keep says", async () => {
  // Observed: prune printed "To undo: restore RUN", clean --keep 1s --yes removed the run's
  // .deleted. archive, restore --list still said "yes" and restore put the entry back without
  // its transcript ("archived transcript no longer exists").
  const home = tempDir('ocs-clean-undo-');
  const store = storePath(path.join(home, '.openclaw'), 'main');
  const old = Date.now() - 3 * DAY;
  writeFile(store, { 'agent:main:main': { sessionId: 'main-1', updatedAt: Date.now() }, 'agent:main:direct:alice': { sessionId: 'conv-1', updatedAt: old } });
  const dir = path.dirname(store);
  writeFile(path.join(dir, 'conv-1.jsonl'), '{"history":"alice"}\n');
  const pruned = await runInProcess(['prune', '--include-conversations', '1d', '--key', 'agent:main:direct:alice', '--yes'], { HOME: home });
  assert.equal(pruned.status, 0, pruned.stderr);
  const archive = readdirSync(dir).find((name) => name.startsWith('conv-1.jsonl.deleted.'));
  assert.ok(archive, readdirSync(dir).join(' '));
  await sleep(1_200);
  const dry = await runInProcess(['clean', '--keep', '1s', '--dry-run', '--json'], { HOME: home });
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /may still be undone/);
  const text = await runInProcess(['clean', '--keep', '1s', '--dry-run'], { HOME: home });
  assert.match(text.stdout, /^Nothing to clean in 1 store \(archives are kept 1s\)\.\nKept 1 expired archive: prune run \S+ may still be undone/);
  const cleaned = await runInProcess(['clean', '--keep', '1s', '--yes'], { HOME: home });
  assert.equal(cleaned.status, 0, cleaned.stderr);
  assert.ok(existsSync(path.join(dir, archive)), 'the archive the undo needs is still there');
  const restored = await runInProcess(['restore', '--yes'], { HOME: home });
  assert.equal(restored.status, 0, restored.stderr);
  assert.equal(readFileSync(path.join(dir, 'conv-1.jsonl'), 'utf8'), '{"history":"alice"}\n');
  // Once restored, nothing holds the (now absent) archive: a later archive of the same name may go.
  const again = await runInProcess(['clean', '--keep', '1s', '--dry-run'], { HOME: home });
  assert.equal(again.status, 0, again.stderr);
});

test("clean leaves a pruned transcript's companions (trajectory, pointer) for its run's restore; after the restore they are the session's again", async () => {
  // helper-34 on a real 2026.7.35 gateway: prune archived <id>.jsonl only, clean then archived its
  // <id>.trajectory.jsonl and <id>.trajectory-path.json as orphans, and restore brought the session
  // back without them (they stayed .deleted. archives, removed for good after --keep).
  const home = tempDir('ocs-clean-companions-');
  const store = storePath(path.join(home, '.openclaw'), 'main');
  writeFile(store, { 'agent:main:main': { sessionId: 'main-1', updatedAt: Date.now() }, 'agent:main:direct:alice': { sessionId: 'conv-1', updatedAt: Date.now() - 3 * DAY } });
  const dir = path.dirname(store);
  const companions = ['conv-1.trajectory.jsonl', 'conv-1.trajectory-path.json'];
  for (const name of ['conv-1.jsonl', ...companions]) aged(writeFile(path.join(dir, name), `{"of":"${name}"}\n`), 3 * DAY);
  const pruned = await runInProcess(['prune', '--include-conversations', '1d', '--key', 'agent:main:direct:alice', '--yes'], { HOME: home });
  assert.equal(pruned.status, 0, pruned.stderr);
  const cleaned = await runInProcess(['clean', '--yes', '--json'], { HOME: home });
  assert.equal(cleaned.status, 0, cleaned.stderr);
  assert.equal(cleanReportSchema.parse(JSON.parse(cleaned.stdout)).transcriptsArchived, 0);
  for (const name of companions) assert.ok(existsSync(path.join(dir, name)), `${name} stays for the restore: ${readdirSync(dir).join(' ')}`);
  const restored = await runInProcess(['restore', '--yes'], { HOME: home });
  assert.equal(restored.status, 0, restored.stderr);
  for (const name of ['conv-1.jsonl', ...companions]) assert.equal(readFileSync(path.join(dir, name), 'utf8'), `{"of":"${name}"}\n`);
  const again = await runInProcess(['clean', '--yes', '--json'], { HOME: home });
  assert.equal(cleanReportSchema.parse(JSON.parse(again.stdout)).transcriptsArchived, 0, 'the restored session owns them again');
});

test("a deleted session's trajectory pointer (OpenClaw 2026.7+) is archived with the orphans; a live session's stays", async () => {
  // helper-32 on a real 2026.7.35 gateway: every session leaves <id>.trajectory-path.json, and
  // clean never took a deleted session's (not a .jsonl), so they piled up one per session forever.
  const { home, dir } = install(0, 0);
  const live = aged(writeFile(path.join(dir, 'main-1.trajectory-path.json'), '{"path":"x"}'), 2 * DAY);
  const gone = aged(writeFile(path.join(dir, 'gone-1.trajectory-path.json'), '{"path":"y"}'), 2 * DAY);
  const result = await runInProcess(['clean', '--yes', '--json'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(cleanReportSchema.parse(JSON.parse(result.stdout)).transcriptsArchived, 1);
  assert.ok(existsSync(live), "the live session's pointer stays");
  assert.ok(!existsSync(gone), "the deleted session's pointer is archived");
  assert.ok(readdirSync(dir).some((name) => name.startsWith('gone-1.trajectory-path.json.deleted.')));
});

import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runInProcess } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const TERMINAL_KEYS = ['agent:main:acp:errored', 'agent:main:acp:stale', 'agent:main:acp:oneshot', 'agent:main:acp:closed', 'agent:main:subagent:done'];

function install(): { state: string; store: string; original: Record<string, unknown> } {
  const state = path.join(tempDir(), 'state');
  const original = everyState('main');
  const store = writeFile(storePath(state, 'main'), original);
  chmodSync(path.dirname(store), 0o700);
  // transcripts for the errored and the running session
  writeFile(path.join(path.dirname(store), 'main-err.jsonl'), '{"type":"session"}\n');
  writeFile(path.join(path.dirname(store), 'main-run.jsonl'), '{"type":"session"}\n');
  return { state, store, original: JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown> };
}

interface PruneJson {
  dryRun: boolean;
  runId: string | null;
  summary: string;
  pruned: Array<{ key: string; state: string }>;
  skipped: Array<{ key: string; why: string }>;
  stores: Array<{ path: string; before: number; after: number; lockHoldMs: number | null }>;
  transcripts: Array<{ from: string; to: string }>;
  schemaVersion: number;
  slotsFreed: number | null;
  slotsHeldOnDisk: number;
}

test('--dry-run shows the plan and leaves the store byte-identical', async () => {
  const { state, store } = install();
  const before = readFileSync(store);
  const text = (await runInProcess(['prune', '--dry-run', '--state-dir', state]));
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^AGENT\s+KEY\s+STATE\s+AGE\s+SLOT\s+REASON/m);
  assert.match(text.stdout, /would prune 5 of 9 sessions, from 1 store; 2 of them hold ACP slots on disk; to prune them:/);
  assert.doesNotMatch(text.stdout, /frees|freed/, 'a plan measures nothing: no slots freed are claimed');
  const json = JSON.parse((await runInProcess(['prune', '--dry-run', '--json', '--state-dir', state])).stdout) as PruneJson;
  assert.equal(json.dryRun, true);
  assert.deepEqual([json.schemaVersion, json.slotsFreed, json.slotsHeldOnDisk], [4, null, 2], 'slots freed is measured by a run, never promised by a plan');
  assert.deepEqual(json.pruned.map((p) => p.key).sort(), [...TERMINAL_KEYS].sort());
  assert.deepEqual(json.stores.map((s) => [s.before, s.after]), [[9, 4]]);
  assert.deepEqual(readFileSync(store), before);
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['main-err.jsonl', 'main-run.jsonl', 'sessions.json']);
});

test('a real run removes exactly the planned keys; everything else is deep-equal, mode 0600, gateway format', async () => {
  const { state, store, original } = install();
  const result = (await runInProcess(['prune', '--yes', '--json', '--state-dir', state]));
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as PruneJson;
  assert.deepEqual(report.pruned.map((p) => p.key).sort(), [...TERMINAL_KEYS].sort());
  assert.equal(report.slotsFreed, null, 'no gateway runs: no live count, no claim');
  assert.equal(report.slotsHeldOnDisk, 2);
  assert.match(report.summary, /^Pruned 5 sessions from 1 store \(2 of them held ACP slots on disk; no gateway is running, so none was held in memory\)\. Journal: \d{8}T\d{6}Z-[0-9a-f]{4}\.$/);
  const text = readFileSync(store, 'utf8');
  const after = JSON.parse(text) as Record<string, unknown>;
  const expected = { ...original };
  for (const key of TERMINAL_KEYS) delete expected[key];
  assert.deepEqual(after, expected, 'unknown fields and untouched entries survive');
  assert.equal(text, JSON.stringify(expected, null, 2), 'serialised like the gateway: 2 spaces, no trailing newline');
  assert.equal(statSync(store).mode & 0o777, 0o600);
  assert.ok(!existsSync(`${store}.lock`), 'gateway lock released');
  assert.ok(!existsSync(`${store}.openclaw-sessions.lock`), 'run lock released');
  assert.deepEqual(readdirSync(path.dirname(store)).filter((f) => f.endsWith('.tmp')), []);
  // the errored session's transcript was archived like OpenClaw does; the running one's was not
  assert.equal(report.transcripts.length, 1);
  assert.match(path.basename(report.transcripts[0]!.to), /^main-err\.jsonl\.deleted\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z$/);
  assert.ok(existsSync(path.join(path.dirname(store), 'main-run.jsonl')));
  // a second run finds nothing
  const again = (await runInProcess(['prune', '--yes', '--state-dir', state]));
  assert.equal(again.status, 0);
  assert.match(again.stdout, /^Nothing to prune \(4 sessions in 1 store checked\)\.$/m);
});

test('restore puts the entries and transcripts back; --list shows the run; keys that exist again are kept', async () => {
  const { state, store, original } = install();
  const pruned = JSON.parse((await runInProcess(['prune', '--yes', '--json', '--state-dir', state])).stdout) as PruneJson;
  const list = (await runInProcess(['restore', '--list', '--state-dir', state]));
  assert.equal(list.status, 0, list.stderr);
  assert.ok(list.stdout.includes(pruned.runId!));
  // someone re-created one of the keys meanwhile: that newer entry must win
  const current = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  current['agent:main:acp:closed'] = { sessionId: 'new', updatedAt: Date.now() };
  writeFileSync(store, JSON.stringify(current, null, 2));
  const noYes = (await runInProcess(['restore', '--state-dir', state]));
  assert.equal(noYes.status, 2);
  assert.match(noYes.stderr, /without confirmation.*--yes/);
  const restored = (await runInProcess(['restore', '--yes', '--state-dir', state]));
  assert.equal(restored.status, 0, restored.stderr);
  assert.match(restored.stdout, /skipped agent:main:acp:closed: key exists again/);
  assert.match(restored.stdout, new RegExp(`Restored 4 sessions from run ${pruned.runId}, skipped 1; 1 transcript renamed back\\.`));
  const after = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(after, { ...original, 'agent:main:acp:closed': current['agent:main:acp:closed'] });
  assert.ok(existsSync(path.join(path.dirname(store), 'main-err.jsonl')));
  // nothing left to restore: says so and exits 0 (the exit-code table's "nothing to do");
  // a run id that is not in the journals is still an error
  const nothing = await runInProcess(['restore', '--yes', '--state-dir', state]);
  assert.deepEqual([nothing.status, nothing.stdout], [0, 'Nothing to restore: no unrestored prune run that removed sessions in the journals of the selected stores.\n']);
  const again = await runInProcess(['restore', pruned.runId!, '--yes', '--state-dir', state]);
  // the run named again: its one key still absent from the journal's view was kept (it exists again)
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /Restored 0 sessions from run .*, skipped 1\./);
  assert.equal((await runInProcess(['restore', '20990101T000000Z-dead', '--yes', '--state-dir', state])).status, 1);
});

test('--keep-transcripts and --no-journal', async () => {
  const { state, store } = install();
  const result = JSON.parse((await runInProcess(['prune', '--yes', '--json', '--keep-transcripts', '--no-journal', '--state-dir', state])).stdout) as PruneJson;
  assert.equal(result.runId, null);
  assert.deepEqual(result.transcripts, []);
  assert.ok(existsSync(path.join(path.dirname(store), 'main-err.jsonl')));
  assert.ok(!existsSync(`${store}.openclaw-sessions.journal`));
});

test('not a terminal and no --yes: refuses with exit 2 and touches nothing', async () => {
  const { state, store } = install();
  const before = readFileSync(store);
  const result = (await runInProcess(['prune', '--state-dir', state]));
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^openclaw-sessions: refusing to prune 5 sessions without confirmation: not a terminal; pass --yes/);
  assert.deepEqual(readFileSync(store), before);
});

test('filters narrow the set; main and running sessions are never pruned whatever the filters say', async () => {
  const { state } = install();
  const plan = async (args: string[]) => (JSON.parse((await runInProcess(['prune', '--dry-run', '--json', '--state-dir', state, ...args])).stdout) as PruneJson).pruned.map((p) => p.key).sort();
  assert.deepEqual(await plan(['--state', 'errored']), ['agent:main:acp:errored']);
  assert.deepEqual(await plan(['--kind', 'subagent']), ['agent:main:subagent:done']);
  assert.deepEqual(await plan(['--key', '*:acp:*', '--keep', '*stale']), ['agent:main:acp:closed', 'agent:main:acp:errored', 'agent:main:acp:oneshot']);
  assert.deepEqual(await plan(['--older-than', '90m']), ['agent:main:acp:stale']);
  assert.deepEqual(await plan(['--acp', '--state', 'closed']), ['agent:main:acp:closed']);
  // Asking prune for states it never takes is a usage error, not an empty plan.
  const nonTerminal = (await runInProcess(['prune', '--dry-run', '--state-dir', state, '--state', 'running,idle', '--older-than', '0']));
  assert.equal(nonTerminal.status, 2);
  assert.match(nonTerminal.stderr, /--state running is not a terminal state/);
  assert.deepEqual(await plan(['--key', 'agent:main:main', '--older-than', '0']), []);
});

test('refused as unsafe (exit 4): symlinked store, others-writable directory, SQLite store', async () => {
  const { state, store } = install();
  const link = path.join(tempDir(), 'linked.json');
  symlinkSync(store, link);
  const viaLink = (await runInProcess(['prune', '--yes', '--store', link]));
  assert.equal(viaLink.status, 4, viaLink.stderr);
  assert.match(viaLink.stderr, /symlink/);

  chmodSync(path.dirname(store), 0o777);
  const shared = (await runInProcess(['prune', '--yes', '--state-dir', state]));
  assert.equal(shared.status, 4);
  assert.match(shared.stderr, /writable by other users/);
  chmodSync(path.dirname(store), 0o700);
});

// helper-28: the dry run printed the command without a word of the symlink, and the refusal sent
// the operator to `--store` at the target, which takes another lock than the gateway's (`<link>.lock`).
test('a symlinked store: the dry run says a prune would be refused; the prune refuses as a whole (exit 4), every store, link and target untouched', async () => {
  const { state, store } = install();
  const coder = writeFile(storePath(state, 'coder'), everyState('coder'));
  chmodSync(path.dirname(coder), 0o700);
  const target = path.join(tempDir(), 'elsewhere.json');
  writeFileSync(target, readFileSync(store));
  rmSync(store);
  symlinkSync(target, store);
  const [before, coderBefore] = [readFileSync(target), readFileSync(coder)];

  const dry = await runInProcess(['prune', '--dry-run', '--state-dir', state]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /would prune 10 of 18 sessions, from 2 stores/);
  assert.match(dry.stderr, /^openclaw-sessions: a real prune would be refused \(exit 4, nothing changed\): refusing to modify .*main\/sessions\/sessions\.json: it is a symlink/m);

  const run = await runInProcess(['prune', '--yes', '--state-dir', state]);
  assert.equal(run.status, 4, run.stderr);
  assert.match(run.stderr, /symlink.*replace the link with a copy of the file it points to \(never move that file/);
  assert.doesNotMatch(run.stderr, /--store/, 'never pointed at the target: that is not the lock the gateway takes');
  assert.ok(lstatSync(store).isSymbolicLink());
  assert.deepEqual([readFileSync(target), readFileSync(coder)], [before, coderBefore]);
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['main-err.jsonl', 'main-run.jsonl', 'sessions.json'], 'no lock, temp file, journal or archive beside the link');
});

test('a store that does not parse: exit 1, nothing written', async () => {
  const { state, store } = install();
  writeFileSync(store, '{"agent:main:acp:x": {"sessionId": "x",');
  const before = readFileSync(store);
  const result = (await runInProcess(['prune', '--yes', '--state-dir', state]));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /does not parse/);
  assert.deepEqual(readFileSync(store), before);
});

test('nothing quiet long enough: the dry run says what waits and how to take it now', async () => {
  const state = path.join(tempDir(), 'state');
  const { acpEntry, chatEntry } = await import('../helpers/stores.js');
  // Failed seconds ago: inside the default 10m quiet period.
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', 1000), 'agent:main:acp:x': acpEntry('x', 5000, { state: 'error', lastError: 'boom' }) });
  chmodSync(path.dirname(storePath(state, 'main')), 0o700);
  const dry = await runInProcess(['prune', '--dry-run', '--state-dir', state]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^Nothing to prune \(2 sessions in 1 store checked\)\.\n1 finished run is not yet quiet for 10m; to take it now:\n {2}openclaw-sessions prune --older-than 0 --dry-run --state-dir /m);
  const now = await runInProcess(['prune', '--older-than', '0', '--dry-run', '--state-dir', state]);
  assert.match(now.stdout, /would prune 1 of 2 sessions/);
});

// Seen on the example store: `--dry-run --include-conversations 0` planned 10 (3 conversations) and
// printed `prune --state-dir …` as "the command that prunes that same set", which takes 7.
test('the built binary: the command a dry run prints prunes the same set, --include-conversations included', async () => {
  const { runCli } = await import('../helpers/cli.js');
  const { cpSync } = await import('node:fs');
  const { REPO } = await import('../helpers/golden.js');
  const root = tempDir();
  const state = path.join(root, 'state');
  cpSync(path.join(REPO, 'examples', 'state'), state, { recursive: true });
  const env = { HOME: root };
  for (const opt of [['--include-conversations', '0'], ['--include-conversations']]) {
    const dry = runCli(['prune', '--dry-run', '--older-than', '1m', ...opt, '--state-dir', state], env);
    assert.equal(dry.status, 0, dry.stderr);
    const printed = dry.stdout.trimEnd().split('\n').at(-1)!.trim();
    assert.match(printed, new RegExp(`^openclaw-sessions prune --older-than 1m ${opt.join(' ')} --state-dir `), printed);
    const args = printed.split(' ').slice(1);
    const planned = (run: string[]) => (JSON.parse(runCli([...run, '--json'], env).stdout) as { pruned: Array<{ key: string }> }).pruned.map((p) => p.key).sort();
    assert.deepEqual(planned([...args, '--dry-run']), planned(['prune', '--dry-run', '--older-than', '1m', ...opt, '--state-dir', state]));
  }
});

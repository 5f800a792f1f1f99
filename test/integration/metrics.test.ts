import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pruneStatusPath } from '../../src/prune/run-status.js';
import { BIN, runCli, runCliAsync, startHolder } from '../helpers/cli.js';
import { NODE_EXPORTER, needBinary, parseExposition, startNodeExporter, valueOf, type ParsedSample } from '../helpers/prometheus.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';

const children = trackedChildren();

/** Two agents with one session in every state, a cap of 3 and no gateway running. */
function install(): { stateDir: string; env: Record<string, string> } {
  const root = tempDir('ocs-metrics-');
  const stateDir = path.join(root, 'state');
  writeFile(storePath(stateDir, 'main'), everyState('main'));
  writeFile(storePath(stateDir, 'failer'), everyState('failer'));
  writeFile(path.join(stateDir, 'openclaw.json'), '// JSON5\n{ acp: { maxConcurrentSessions: 3 }, gateway: { port: 9 } }\n');
  return { stateDir, env: { HOME: path.join(root, 'home'), TMPDIR: path.join(root, 'tmp') } };
}

function dryRun(stateDir: string, env: Record<string, string>, agent: string): Array<{ holdsSlot: boolean }> {
  const dry = runCli(['prune', '--dry-run', '--json', '--agent', agent, '--state-dir', stateDir], env);
  assert.equal(dry.status, 0, dry.stderr);
  return (JSON.parse(dry.stdout) as { pruned: Array<{ holdsSlot: boolean }> }).pruned;
}

function plannedByDefault(stateDir: string, env: Record<string, string>, agent: string): number {
  return dryRun(stateDir, env, agent).length;
}

function plannedSlots(stateDir: string, env: Record<string, string>, agent: string): number {
  return dryRun(stateDir, env, agent).filter((item) => item.holdsSlot).length;
}

async function scrapeSamples(exporter: { scrape(): Promise<string> }): Promise<ParsedSample[]> {
  const samples = parseExposition(await exporter.scrape());
  // node_exporter parsed our file: a malformed or inconsistent file sets this to 1.
  assert.equal(valueOf(samples, 'node_textfile_scrape_error'), 0, 'node_exporter could not parse the textfile');
  return samples;
}

test('metrics --textfile through a real node_exporter: sessions, slots, cap, stores, gateway down, then the last prune', async (t) => {
  if (!needBinary(t, NODE_EXPORTER, 'prometheus-node-exporter')) return;
  const { stateDir, env } = install();
  mkdirSync(env.TMPDIR!, { recursive: true });
  const textDir = tempDir('ocs-textfile-');
  const exporter = await startNodeExporter(textDir, children);
  t.after(() => exporter.stop());

  // The planner's default plan, asked of prune itself, is what the prunable gauge must say.
  const plannedMain = plannedByDefault(stateDir, env, 'main');
  assert.ok(plannedMain > 0);

  const first = runCli(['metrics', '--textfile', textDir, '--state-dir', stateDir], env);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, '', 'quiet with --textfile (cron mails any output)');
  let samples = await scrapeSamples(exporter);
  assert.equal(valueOf(samples, 'openclaw_sessions_collect_success'), 1);
  // Every count agrees with what `list --json` says about the same install (one classifier).
  const listed = runCli(['list', '--json', '--state-dir', stateDir], env);
  assert.equal(listed.status, 0, listed.stderr);
  const list = JSON.parse(listed.stdout) as { sessions: Array<{ agentId: string; kind: string; state: string; holdsSlot: boolean }> };
  const seen = new Set<string>();
  for (const s of list.sessions) {
    const id = `${s.agentId} ${s.kind} ${s.state}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const expected = list.sessions.filter((o) => `${o.agentId} ${o.kind} ${o.state}` === id).length;
    assert.equal(valueOf(samples, 'openclaw_sessions', { agent: s.agentId, kind: s.kind, state: s.state }), expected, id);
  }
  const total = samples.filter((x) => x.name === 'openclaw_sessions').reduce((sum, x) => sum + x.value, 0);
  assert.equal(total, list.sessions.length, 'no session counted twice or missed');
  for (const agent of ['main', 'failer']) {
    // The anchor of this tool: a failed persistent ACP session, errored and holding its slot.
    assert.equal(valueOf(samples, 'openclaw_sessions', { agent, kind: 'acp', state: 'errored' }), 1);
    assert.equal(valueOf(samples, 'openclaw_sessions', { agent, kind: 'cron', state: 'errored' }), 0, 'absent combinations are explicit zeros');
    assert.equal(valueOf(samples, 'openclaw_acp_slots_held', { agent }), list.sessions.filter((o) => o.agentId === agent && o.holdsSlot).length);
    assert.equal(valueOf(samples, 'openclaw_acp_slots_held_by_state', { agent, state: 'errored' }), 1);
    assert.ok(valueOf(samples, 'openclaw_acp_errored_slot_oldest_age_seconds', { agent })! >= 3600);
    assert.equal(valueOf(samples, 'openclaw_sessions_store_readable', { agent }), 1);
    assert.equal(valueOf(samples, 'openclaw_sessions_store_bytes', { agent }), statSync(storePath(stateDir, agent)).size);
  }
  assert.equal(valueOf(samples, 'openclaw_sessions_prunable', { agent: 'main' }), plannedMain);
  assert.equal(valueOf(samples, 'openclaw_acp_slots_prunable', { agent: 'main' }), plannedSlots(stateDir, env, 'main'));
  assert.ok(valueOf(samples, 'openclaw_acp_slots_prunable', { agent: 'main' })! >= 1, 'at least the errored session');
  assert.equal(valueOf(samples, 'openclaw_acp_slots_cap'), 3);
  assert.equal(valueOf(samples, 'openclaw_gateway_up'), 0);
  assert.equal(valueOf(samples, 'openclaw_gateway_info', {}), undefined, 'no gateway, no info');
  assert.equal(valueOf(samples, 'openclaw_acp_active_runtime_sessions'), undefined, 'no gateway, no live count (absent, not 0)');
  assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_timestamp_seconds'), undefined, 'no prune has run yet');
  assert.equal(valueOf(samples, 'openclaw_sessions_build_info', {})! , 1);

  // A real prune of one agent records its outcome; the next collection reports it.
  const before = Date.now() / 1000;
  const pruned = runCli(['prune', '--yes', '--agent', 'main', '--state-dir', stateDir], env);
  assert.equal(pruned.status, 0, pruned.stderr);
  assert.equal(runCli(['metrics', '--textfile', textDir, '--state-dir', stateDir], env).status, 0);
  samples = await scrapeSamples(exporter);
  assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_removed'), plannedMain);
  assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_slots_freed'), undefined, 'no gateway: nothing was measured, so nothing is claimed');
  assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_exit_code'), 0);
  const at = valueOf(samples, 'openclaw_sessions_last_prune_timestamp_seconds')!;
  assert.ok(at >= Math.floor(before) && at <= Date.now() / 1000, `last prune at ${at}`);
  assert.equal(valueOf(samples, 'openclaw_sessions_last_successful_prune_timestamp_seconds'), at);
  assert.equal(valueOf(samples, 'openclaw_sessions_prunable', { agent: 'main' }), 0);
  assert.equal(valueOf(samples, 'openclaw_sessions', { agent: 'main', kind: 'acp', state: 'errored' }), 0);
  const after = JSON.parse(runCli(['list', '--json', '--agent', 'main', '--state-dir', stateDir], env).stdout) as { sessions: Array<{ holdsSlot: boolean }> };
  assert.equal(valueOf(samples, 'openclaw_acp_slots_held', { agent: 'main' }), after.sessions.filter((o) => o.holdsSlot).length);
  assert.ok(after.sessions.some((o) => o.holdsSlot), 'idle and running sessions still hold theirs');
  assert.equal(valueOf(samples, 'openclaw_acp_errored_slot_oldest_age_seconds', { agent: 'main' }), undefined);

  // A broken store: readable 0, its size still reported, the collection itself succeeds.
  const failerStore = storePath(stateDir, 'failer');
  writeFileSync(failerStore, '{"agent:failer:main": {"sessionId": "x", "updatedAt": 1},');
  assert.equal(runCli(['metrics', '--textfile', textDir, '--state-dir', stateDir], env).status, 0);
  samples = await scrapeSamples(exporter);
  assert.equal(valueOf(samples, 'openclaw_sessions_store_readable', { agent: 'failer' }), 0);
  assert.equal(valueOf(samples, 'openclaw_sessions_store_readable', { agent: 'main' }), 1);
  assert.equal(valueOf(samples, 'openclaw_sessions_store_bytes', { agent: 'failer' }), statSync(failerStore).size);

  // The scheduled prune failing on it: the exit code shows, the last success stays.
  const failed = runCli(['prune', '--yes', '--quiet', '--state-dir', stateDir], env);
  assert.equal(failed.status, 1);
  assert.equal(runCli(['metrics', '--textfile', textDir, '--state-dir', stateDir], env).status, 0);
  samples = await scrapeSamples(exporter);
  assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_exit_code'), 1);
  assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_removed'), 0);
  assert.equal(valueOf(samples, 'openclaw_sessions_last_successful_prune_timestamp_seconds'), at);
  assert.ok(valueOf(samples, 'openclaw_sessions_last_prune_timestamp_seconds')! >= at);
});

test('the textfile: 0644 under umask 077, replaced by rename, no *.prom temp name ever appears', async () => {
  const { stateDir, env } = install();
  const textDir = tempDir('ocs-textfile-');
  const seen = new Set<string>();
  const watcher = watch(textDir, (_event, name) => name && seen.add(String(name)));
  try {
    for (let i = 0; i < 2; i++) {
      const run = spawnSync('sh', ['-c', `umask 077; exec "${process.execPath}" "${BIN}" metrics --no-rpc --textfile "${textDir}" --state-dir "${stateDir}"`], { env: { ...process.env, ...env }, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    watcher.close();
  }
  const file = path.join(textDir, 'openclaw_sessions.prom');
  assert.equal(statSync(file).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(textDir), ['openclaw_sessions.prom'], 'no temp file left behind');
  const names = [...seen];
  assert.ok(names.some((name) => name !== 'openclaw_sessions.prom'), `a temp file was used (seen: ${names.join(', ')})`);
  for (const name of names) if (name !== 'openclaw_sessions.prom') assert.ok(!name.endsWith('.prom'), `temp name ${name} would be read by the collector`);
  assert.match(readFileSync(file, 'utf8'), /^openclaw_sessions_collect_success 1$/m);
});

test('a failed collection leaves a file that says so (not the last numbers looking fresh), and exits non-zero', () => {
  const { stateDir, env } = install();
  const textDir = tempDir('ocs-textfile-');
  assert.equal(runCli(['metrics', '--textfile', textDir, '--state-dir', stateDir], env).status, 0);
  writeFileSync(path.join(stateDir, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3 ');
  const broken = runCli(['metrics', '--textfile', textDir, '--state-dir', stateDir], env);
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /^openclaw-sessions: .*openclaw\.json/m);
  assert.equal(broken.stderr.trim().split('\n').length, 1, 'one line, no stack');
  const samples = parseExposition(readFileSync(path.join(textDir, 'openclaw_sessions.prom'), 'utf8'));
  assert.equal(valueOf(samples, 'openclaw_sessions_collect_success'), 0);
  assert.equal(samples.filter((s) => s.name === 'openclaw_sessions').length, 0);
  const missing = runCli(['metrics', '--textfile', path.join(textDir, 'nope'), '--state-dir', stateDir], env);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope is not a directory/);
  // A cron line's `--textfile "$DIR"` with DIR unset: the file would go stale while every run
  // printed the metrics to cron's mail and exited 0 (helper-22's walk).
  const empty = runCli(['metrics', '--textfile', '', '--state-dir', stateDir], env);
  assert.deepEqual([empty.status, empty.stdout], [2, '']);
  assert.match(empty.stderr, /^openclaw-sessions: option '--textfile <dir>' argument '' is invalid\. needs a value, not an empty one\n$/);
});

test('metrics writes no store and takes no store lock: it finishes while the gateway\'s lock is held, every file unchanged', async () => {
  const { stateDir, env } = install();
  const store = storePath(stateDir, 'main');
  const snapshot = (): string[] =>
    walk(stateDir).map((file) => {
      const stat = lstatSync(file);
      return `${file} ${stat.mode} ${stat.mtimeMs} ${stat.isFile() ? readFileSync(file, 'base64') : ''}`;
    });
  const holder = await startHolder(['hold', store, '20000']);
  const lockBefore = readFileSync(`${store}.lock`, 'utf8');
  const before = snapshot();
  const run = await runCliAsync(['metrics', '--state-dir', stateDir], env);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(holder.child.exitCode, null, 'metrics returned while the gateway lock was still held: it never waited for it');
  assert.equal(readFileSync(`${store}.lock`, 'utf8'), lockBefore);
  assert.deepEqual(snapshot(), before, 'no file in the state dir was created, changed or touched');
  assert.match(run.stdout, /^openclaw_sessions\{agent="main",kind="acp",state="errored"\} 1$/m);
  holder.child.kill('SIGKILL');
  await holder.done;
});

test('prune records its outcome 0600 in the tool\'s directory; dry runs are not recorded; a symlinked directory is refused', () => {
  const { stateDir, env } = install();
  const status = pruneStatusPath(stateDir);
  assert.equal(runCli(['prune', '--dry-run', '--state-dir', stateDir], env).status, 0);
  assert.ok(!existsSync(status), 'a dry run is not a prune');
  const planned = plannedByDefault(stateDir, env, 'main') + plannedByDefault(stateDir, env, 'failer');
  assert.ok(planned > 0);
  const run = runCli(['prune', '--yes', '--quiet', '--state-dir', stateDir], env);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(statSync(status).mode & 0o777, 0o600);
  const recorded = JSON.parse(readFileSync(status, 'utf8')) as { last: { exitCode: number; removed: number; scope: string }; lastSuccess: unknown };
  assert.equal(recorded.last.exitCode, 0);
  assert.equal(recorded.last.removed, planned);
  assert.equal(recorded.last.scope, 'all agents');
  assert.deepEqual(recorded.lastSuccess, recorded.last);

  // A planted symlink for the tool's directory: the prune still works, the status is not written there.
  const other = install();
  const elsewhere = tempDir('ocs-elsewhere-');
  symlinkSync(elsewhere, path.join(other.stateDir, 'openclaw-sessions'));
  const refused = runCli(['prune', '--yes', '--state-dir', other.stateDir], other.env);
  assert.equal(refused.status, 0, refused.stderr);
  assert.match(refused.stderr, /warning: could not record the prune outcome .*symlink/);
  assert.deepEqual(readdirSync(elsewhere), []);
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    out.push(file);
    if (lstatSync(file).isDirectory()) out.push(...walk(file));
  }
  return out;
}

test('under root, the prune status and its directory are the state directory\'s owner\'s (the run acts as them)', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  const { readPruneStatus } = await import('../../src/prune/run-status.js');
  const { chmodSync } = await import('node:fs');
  const root = tempDir('ocs-owner-');
  chmodSync(root, 0o755);
  const stateDir = path.join(root, 'state');
  writeFile(storePath(stateDir, 'main'), everyState('main'));
  spawnSync('chown', ['-R', '65534:65534', stateDir]);
  const env = { HOME: path.join(root, 'home'), TMPDIR: path.join(root, 'tmp') };
  const first = runCli(['prune', '--yes', '--quiet', '--recompute', 'none', '--no-journal', '--state-dir', stateDir], env);
  assert.equal(first.status, 0, first.stderr);
  for (const file of [path.dirname(pruneStatusPath(stateDir)), pruneStatusPath(stateDir)]) {
    const stat = statSync(file);
    assert.deepEqual([stat.uid, stat.gid], [65534, 65534], file);
  }
  assert.equal(statSync(path.dirname(pruneStatusPath(stateDir))).mode & 0o777, 0o700);
  // A run that fails on a bad flag (still root when it fails) replaces the file as the owner too.
  const second = runCli(['prune', '--yes', '--quiet', '--older-than', 'soon', '--state-dir', stateDir], env);
  assert.equal(second.status, 2, second.stderr);
  assert.equal(statSync(pruneStatusPath(stateDir)).uid, 65534);
  const status = readPruneStatus(stateDir)!;
  assert.equal(status.last.exitCode, 2);
  assert.equal(status.lastSuccess?.exitCode, 0);
});

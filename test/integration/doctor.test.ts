import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runInProcess } from '../helpers/cli.js';
import { acpEntry, chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

interface DoctorJson {
  healthy: boolean;
  findings: Array<{ id: string; severity: string; message: string; fix: string | null }>;
}

async function doctor(state: string): Promise<{ status: number | null; out: DoctorJson }> {
  const result = (await runInProcess(['doctor', '--json', '--state-dir', state], { TMPDIR: path.join(state, '..', 'tmp') }));
  return { status: result.status, out: JSON.parse(result.stdout) as DoctorJson };
}

function healthyInstall(): string {
  const state = path.join(tempDir(), 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3, runtime: { ttlMinutes: 30 } } }');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:acp:ok': acpEntry('ok', MIN, { state: 'idle' }) });
  chmodSync(path.dirname(storePath(state, 'main')), 0o700);
  return state;
}

test('a healthy install: exit 0, no problems', async () => {
  const { status, out } = await doctor(healthyInstall());
  assert.equal(status, 0);
  assert.equal(out.healthy, true);
  assert.ok(out.findings.every((f) => f.severity === 'ok'), JSON.stringify(out.findings));
});

test('doctor finds each seeded problem and names its fix (exit 6)', async () => {
  const state = healthyInstall();
  const dir = path.dirname(storePath(state, 'main'));
  // cap reached by errored sessions, and no idle eviction
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 2 } }');
  writeFile(storePath(state, 'main'), {
    'agent:main:main': chatEntry('m', MIN),
    'agent:main:acp:e1': acpEntry('e1', 60 * MIN, { state: 'error', lastError: 'x' }),
    'agent:main:acp:e2': acpEntry('e2', 60 * MIN, { state: 'error', lastError: 'y' }),
  });
  // a store lock left by a dead process, and a transcript lock likewise
  writeFileSync(path.join(dir, 'sessions.json.lock'), JSON.stringify({ pid: 2 ** 22 - 5, createdAt: new Date().toISOString() }));
  writeFileSync(path.join(dir, 'e1.jsonl.lock'), JSON.stringify({ pid: 2 ** 22 - 6, createdAt: new Date().toISOString() }));
  // a second agent whose store does not parse, a third whose store is a symlink
  writeFile(storePath(state, 'broken'), '{"agent:broken:main": ');
  const real = writeFile(path.join(state, 'elsewhere.json'), { 'agent:linked:main': chatEntry('l', MIN) });
  mkdirSync(path.join(state, 'agents', 'linked', 'sessions'), { recursive: true });
  symlinkSync(real, storePath(state, 'linked'));
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 2 }, agents: { list: [{ id: "main" }, { id: "broken" }, { id: "linked" }] } }');

  const { status, out } = await doctor(state);
  assert.equal(status, 6);
  assert.equal(out.healthy, false);
  const byId = (id: string) => out.findings.find((f) => f.id === id);
  // No gateway runs: nothing holds a slot now, so no "spawns fail" (test/e2e/start-recreate.test.ts).
  assert.equal(byId('cap-reached'), undefined);
  assert.match(byId('slots')!.message, /^on disk: 2 of 2 ACP slots held by 2 errored.*; no gateway runs, so no ACP slot is held now; /);
  assert.equal(byId('terminal-slots')?.severity, 'warning');
  assert.match(byId('terminal-slots')!.fix!, /^openclaw-sessions prune --state-dir \S+ --agent main$/);
  assert.equal(byId('no-idle-ttl')?.severity, 'warning');
  assert.match(byId('stale-store-lock')!.fix!, /^rm .*sessions\.json\.lock$/);
  assert.match(byId('stale-transcript-lock')!.fix!, /^rm .*e1\.jsonl\.lock$/);
  assert.match(byId('store-unreadable')!.message, /does not parse/);
  assert.match(byId('store-unsafe')!.message, /symlink/);

  // a directory at the lock path, and a shared-writable sessions directory
  const lock = path.join(dir, 'sessions.json.lock');
  rmSync(lock);
  mkdirSync(lock);
  chmodSync(dir, 0o777);
  const second = await doctor(state);
  assert.match(second.out.findings.find((f) => f.id === 'store-lock-directory')!.fix!, /^rmdir /);
  const unsafe = second.out.findings.find((f) => f.id === 'store-unsafe' && /writable by other users/.test(f.message));
  // Only what is open to others, inside the state dir: the directory, not the 0600 store.
  assert.equal(unsafe?.fix, `chmod o-w ${dir}`);
  chmodSync(dir, 0o700);
});

test('text output: one line per finding with its fix; with no gateway, a full cap on disk is no problem (exit 0)', async () => {
  const state = healthyInstall();
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 1, runtime: { ttlMinutes: 30 } } }');
  writeFile(storePath(state, 'main'), { 'agent:main:acp:e1': acpEntry('e1', 60 * MIN, { state: 'error' }) });
  const result = (await runInProcess(['doctor', '--no-rpc', '--state-dir', state], { TMPDIR: path.join(state, '..', 'tmp') }));
  assert.equal(result.status, 0, result.stdout);
  assert.match(result.stdout, /^ok {7}on disk: 1 of 1 ACP slots held by 1 errored; no gateway runs, so no ACP slot is held now; what a gateway started now would count was not observed for this install \(version unknown\)/m);
  assert.match(result.stdout, /^warning {2}1 terminal session\(s\) \(errored\/stale\) in the stores: no gateway runs, so they hold no ACP slot now, but each takes one again when it is next used\n {9}fix: openclaw-sessions prune --state-dir /m);
  assert.match(result.stdout, /^No problems found\.$/m);
});

test('a transcript lock held for hours by a live holder is not offered for rm; a stuck conversation is a warning, not a problem', async () => {
  const state = healthyInstall();
  const dir = path.dirname(storePath(state, 'main'));
  writeFile(storePath(state, 'main'), {
    'agent:main:main': chatEntry('m', MIN),
    'agent:main:acp:ok': acpEntry('ok', MIN, { state: 'idle' }),
    'agent:main:subagent:long': chatEntry('long', 3 * 60 * MIN, { status: 'running', startedAt: Date.now() - 3 * 60 * MIN }),
    'agent:main:direct:aborted': chatEntry('aborted', 3 * 60 * MIN, { status: 'running', abortedLastRun: true }),
  });
  const starttime = Number(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  writeFileSync(path.join(dir, 'long.jsonl.lock'), JSON.stringify({ pid: process.pid, createdAt: new Date(Date.now() - 3 * 60 * MIN).toISOString(), starttime }));
  const { status, out } = await doctor(state);
  assert.equal(status, 0, JSON.stringify(out.findings));
  assert.equal(out.findings.find((f) => f.id === 'stale-transcript-lock'), undefined, 'a live holder\'s lock must never be offered for rm');
  const stuck = out.findings.find((f) => f.id === 'stuck-conversations');
  assert.equal(stuck?.severity, 'warning');
  assert.match(stuck!.message, /agent:main:direct:aborted/);
});

test('a gateway named by --url that does not answer is a problem (exit 6), not "no problems"', async () => {
  const state = healthyInstall();
  // A port nothing listens on: taken and released.
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const result = await runInProcess(['doctor', '--json', '--state-dir', state, '--url', `ws://127.0.0.1:${port}`], { TMPDIR: path.join(state, '..', 'tmp') });
  const out = JSON.parse(result.stdout) as DoctorJson;
  assert.equal(result.status, 6, result.stderr);
  assert.equal(out.healthy, false);
  const finding = out.findings.find((f) => f.id === 'gateway-unreachable');
  assert.ok(finding && finding.severity === 'problem' && finding.message.includes(`ws://127.0.0.1:${port}`), JSON.stringify(out.findings));
});

// Observed running doctor on Node 20 against a real 2026.9.6 gateway: each agent's healthy SQLite
// store was a problem whose fix was "fix or move aside <database>" (losing every session), and the
// message said the gateway would drop every session (true of a 4.x sessions.json only).
test('a SQLite store this tool cannot read is never to be moved aside: the fix is the tool\'s Node (or checking it), not the database', async () => {
  const state = healthyInstall();
  const db = path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
  mkdirSync(path.dirname(db), { recursive: true });
  // The header of a SQLite file and nothing else: on Node 20 it is not opened at all; on 22.13+ it does not open as a database.
  writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)]));
  const { status, out } = await doctor(state);
  assert.equal(status, 6);
  const finding = out.findings.find((f) => f.id === 'store-unreadable' && f.message.includes('openclaw-agent.sqlite'));
  assert.ok(finding, JSON.stringify(out.findings));
  assert.doesNotMatch(finding.fix!, /move aside/);
  assert.doesNotMatch(finding.message, /next write drops every session/);
  if (/needs Node\.js 22\.13/.test(finding.message)) assert.equal(finding.fix, 'run openclaw-sessions with Node.js 22.13 or later');
  else assert.match(finding.fix!, /^check .*openclaw-agent\.sqlite.* never move it aside/);
});

// Observed on a real 2026.9.6 gateway (no cap): two sessions errored a minute ago, and doctor's
// fix was plain `openclaw-sessions prune`, which answered "Nothing to prune" (10m grace).
test('terminal sessions holding slots: the fix is a prune that takes them, with --older-than 0 while none is quiet for the default grace', async () => {
  const state = healthyInstall();
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 5, runtime: { ttlMinutes: 30 } } }');
  const fixFor = async (ageMs: number) => {
    writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:acp:e1': acpEntry('e1', ageMs, { state: 'error', lastError: 'x' }) });
    const { out } = await doctor(state);
    return out.findings.find((f) => f.id === 'terminal-slots')?.fix ?? null;
  };
  const fresh = await fixFor(MIN);
  assert.match(fresh ?? '', /^openclaw-sessions prune --older-than 0 --state-dir /);
  const plan = await runInProcess([...fresh!.split(' ').slice(1), '--dry-run', '--json']);
  assert.deepEqual((JSON.parse(plan.stdout) as { pruned: Array<{ key: string }> }).pruned.map((p) => p.key), ['agent:main:acp:e1'], 'the fix takes the session');
  assert.match((await fixFor(60 * MIN)) ?? '', /^openclaw-sessions prune --state-dir /, 'quiet long enough: the default prune');
});

// Seen by a first-time operator on a real 2026.9.6 gateway: `doctor --no-rpc` blamed gateway.auth
// and the token for an RPC it had been told not to try.
test('the built binary: doctor --no-rpc with a gateway answering says RPC was not tried and the fix is to drop --no-rpc, not to fix the token', async () => {
  const { fakeGateway } = await import('../helpers/ws-gateway.js');
  const { runCliAsync } = await import('../helpers/cli.js');
  const gateway = await fakeGateway(() => assert.fail('--no-rpc sent a request'));
  const state = healthyInstall();
  const result = await runCliAsync(['doctor', '--no-rpc', '--url', gateway.url, '--state-dir', state], { TMPDIR: path.join(state, '..', 'tmp'), HOME: path.dirname(state), OPENCLAW_GATEWAY_TOKEN: 'tok' });
  assert.match(result.stdout, /^warning {2}RPC unavailable: not tried \(--no-rpc\);.*\n {9}fix: run doctor without --no-rpc$/m, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /gateway\.auth|OPENCLAW_GATEWAY_TOKEN/);
  assert.deepEqual(gateway.seen.filter((frame) => frame.method !== undefined && frame.method !== 'connect'), []);
});

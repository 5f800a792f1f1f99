import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runInProcess } from '../helpers/cli.js';
import { everyState, MIN, acpEntry } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

interface ListJson {
  stores: Array<{ agentId: string; path: string; format: string; source: string }>;
  sessions: Array<{ agentId: string; key: string; kind: string; state: string; terminal: boolean; holdsSlot: boolean; prunable: boolean; reason: string; acp: null | { lastError: string | null } }>;
  summary: { total: number; terminal: number; prunable: number; byState: Record<string, number>; acp: { slotsHeld: number; cap: number | null; heldByState: Record<string, number> } };
  configPath: string | null;
}

async function listJson(args: string[], env: Record<string, string> = {}): Promise<ListJson> {
  const result = (await runInProcess(['list', '--json', ...args], env));
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ListJson;
}

function installWithAgents(): { home: string; state: string } {
  const home = tempDir();
  const state = path.join(home, '.openclaw');
  writeFile(
    path.join(state, 'openclaw.json'),
    `// JSON5, as operators write it
{
  agents: { list: [ { id: "main" }, { id: "ops", default: true }, ] }, // trailing commas
  acp: { enabled: true, maxConcurrentSessions: 3 },
}`,
  );
  writeFile(storePath(state, 'main'), everyState('main'));
  writeFile(storePath(state, 'ops'), { 'agent:ops:acp:e2': acpEntry('ops-e2', 30 * MIN, { state: 'error', lastError: 'boom' }) });
  // Not in agents.list: found on disk, like the gateway does.
  writeFile(storePath(state, 'found'), { 'agent:found:acp:x': acpEntry('found-x', 15 * MIN, { state: 'idle' }) });
  return { home, state };
}

test('list --json: every agent, every state, slots against the cap', async () => {
  const { home } = installWithAgents();
  const out = (await listJson([], { HOME: home }));
  assert.deepEqual(out.stores.map((s) => [s.agentId, s.source, s.format]), [['main', 'config', 'json'], ['ops', 'config', 'json'], ['found', 'discovered', 'json']]);
  const byKey = Object.fromEntries(out.sessions.map((s) => [s.key, s]));
  assert.equal(byKey['agent:main:main']!.state, 'idle');
  assert.equal(byKey['agent:main:acp:errored']!.state, 'errored');
  assert.equal(byKey['agent:main:acp:errored']!.acp!.lastError, 'acpx exited with code 1');
  assert.equal(byKey['agent:main:acp:idle']!.state, 'idle');
  assert.equal(byKey['agent:main:acp:running']!.state, 'running');
  assert.equal(byKey['agent:main:acp:stale']!.state, 'stale');
  assert.equal(byKey['agent:main:acp:oneshot']!.state, 'finished');
  assert.equal(byKey['agent:main:acp:closed']!.state, 'closed');
  assert.equal(byKey['agent:main:subagent:done']!.state, 'finished');
  assert.equal(byKey['agent:main:dashboard:bad']!.state, 'invalid');
  assert.match(byKey['agent:main:dashboard:bad']!.reason, /sessionId: missing/);
  // errored, idle, running, stale (main) + errored (ops) + idle (found) hold slots.
  assert.equal(out.summary.acp.slotsHeld, 6);
  assert.equal(out.summary.acp.cap, 3);
  assert.deepEqual(out.summary.acp.heldByState, { running: 1, idle: 2, errored: 2, stale: 1 });
  assert.equal(out.summary.total, 11);
  assert.equal(out.summary.terminal, 6);
  // ops errored 30m ago is past the 10m grace; every terminal one here is prunable.
  assert.equal(out.summary.prunable, 6);
  // newest first
  assert.equal(out.sessions[0]!.key, 'agent:main:acp:running');
  assert.equal(out.sessions.at(-1)!.key, 'agent:main:dashboard:bad', 'invalid entries have no trustworthy time: last');
});

test('filters: --state, --kind, --acp, --terminal, --older-than, --agent', async () => {
  const { home } = installWithAgents();
  assert.deepEqual((await listJson(['--state', 'errored'], { HOME: home })).sessions.map((s) => s.key).sort(), ['agent:main:acp:errored', 'agent:ops:acp:e2']);
  assert.deepEqual((await listJson(['--kind', 'subagent'], { HOME: home })).sessions.map((s) => s.key), ['agent:main:subagent:done']);
  assert.ok((await listJson(['--acp'], { HOME: home })).sessions.every((s) => s.kind === 'acp'));
  assert.ok((await listJson(['--terminal'], { HOME: home })).sessions.every((s) => s.terminal));
  assert.deepEqual((await listJson(['--older-than', '100m'], { HOME: home })).sessions.map((s) => s.key), ['agent:main:acp:stale']);
  const ops = (await listJson(['--agent', 'ops'], { HOME: home }));
  assert.deepEqual(ops.stores.map((s) => s.agentId), ['ops']);
  // The summary still speaks of every session in the stores read, not only those shown.
  assert.equal((await listJson(['--state', 'errored'], { HOME: home })).summary.total, 11);
});

test('a live transcript lock keeps an old "running" claim running', async () => {
  const { home, state } = installWithAgents();
  const lock = path.join(state, 'agents', 'main', 'sessions', 'main-stale.jsonl.lock');
  const starttime = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
  writeFile(lock, { pid: process.pid, createdAt: new Date().toISOString(), starttime: Number(starttime) });
  const stale = (await listJson([], { HOME: home })).sessions.find((s) => s.key === 'agent:main:acp:stale')!;
  assert.equal(stale.state, 'running');
  // A lock whose holder is dead proves nothing.
  writeFile(lock, { pid: 2 ** 22 + 12345, createdAt: new Date().toISOString() });
  assert.equal((await listJson([], { HOME: home })).sessions.find((s) => s.key === 'agent:main:acp:stale')!.state, 'stale');
});

test('session.store as {agentId} template and as a literal shared file', async () => {
  const home = tempDir();
  const state = path.join(home, 'st');
  writeFile(path.join(state, 'openclaw.json'), `{ session: { store: "${home}/stores/{agentId}.json" }, agents: { list: [{ id: "a" }, { id: "b" }] } }`);
  writeFile(path.join(home, 'stores', 'a.json'), { 'agent:a:main': { sessionId: 'a1', updatedAt: Date.now() } });
  writeFile(path.join(home, 'stores', 'b.json'), { 'agent:b:main': { sessionId: 'b1', updatedAt: Date.now() } });
  const templated = (await listJson(['--state-dir', state]));
  assert.deepEqual(templated.stores.map((s) => s.path), [path.join(home, 'stores', 'a.json'), path.join(home, 'stores', 'b.json')]);

  writeFile(path.join(state, 'openclaw.json'), `{ session: { store: "~/shared.json" }, agents: { list: [{ id: "a" }, { id: "b", default: true }] } }`);
  writeFile(path.join(home, 'shared.json'), { 'agent:a:main': { sessionId: 'a1', updatedAt: 1 }, 'agent:b:acp:x': { sessionId: 'b1', updatedAt: 1 } });
  const literal = (await listJson(['--state-dir', state], { HOME: home }));
  assert.equal(literal.stores.length, 1);
  assert.deepEqual(literal.sessions.map((s) => s.agentId).sort(), ['a', 'b']);
});

test('--agent on a literal store shared by all agents lists and prunes that agent\'s keys only', async () => {
  // Observed: `prune --agent beta --yes` on a shared session.store removed agent:alpha:subagent:x too.
  const home = tempDir();
  const state = path.join(home, 'st');
  writeFile(path.join(state, 'openclaw.json'), `{ session: { store: "${home}/shared.json" }, agents: { list: [{ id: "alpha", default: true }, { id: "beta" }] } }`);
  const done = (id: string) => ({ sessionId: id, updatedAt: Date.now() - 60 * MIN, status: 'done', endedAt: Date.now() - 60 * MIN });
  const shared = writeFile(path.join(home, 'shared.json'), { 'agent:alpha:subagent:x': done('a2'), 'agent:beta:subagent:y': done('b2'), 'agent:beta:main': { sessionId: 'b1', updatedAt: Date.now() } });
  const listed = await listJson(['--state-dir', state, '--agent', 'beta'], { HOME: home });
  assert.deepEqual(listed.sessions.map((s) => s.key).sort(), ['agent:beta:main', 'agent:beta:subagent:y']);
  const pruned = await runInProcess(['prune', '--state-dir', state, '--agent', 'beta', '--yes'], { HOME: home });
  assert.equal(pruned.status, 0, pruned.stderr);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(shared, 'utf8')) as object).sort(), ['agent:alpha:subagent:x', 'agent:beta:main']);
  // `restore --list` names the agent whose keys the run pruned, not the shared store's default agent.
  const runs = await runInProcess(['restore', '--list', '--state-dir', state], { HOME: home });
  assert.equal(runs.status, 0, runs.stderr);
  assert.match(runs.stdout, /^\S+\s+\S+ \S+\s+beta\s+1\s/m, runs.stdout);
  // Without --agent, every agent's keys are still the selection.
  const all = await listJson(['--state-dir', state], { HOME: home });
  assert.deepEqual(all.sessions.map((s) => s.key).sort(), ['agent:alpha:subagent:x', 'agent:beta:main']);
});

test('restore --agent on a literal store shared by all agents undoes only runs that pruned that agent\'s keys', async () => {
  // Observed (helper-34): after `prune --agent beta` then `prune --agent alpha`, `restore --agent beta --yes`
  // restored alpha's run (the latest) and `restore --list --agent beta` listed it, though --agent
  // promises that agent's keys of a shared store.
  const home = tempDir();
  const state = path.join(home, 'st');
  writeFile(path.join(state, 'openclaw.json'), `{ session: { store: "${home}/shared.json" }, agents: { list: [{ id: "alpha", default: true }, { id: "beta" }] } }`);
  const done = (id: string) => ({ sessionId: id, updatedAt: Date.now() - 60 * MIN, status: 'done', endedAt: Date.now() - 60 * MIN });
  const shared = writeFile(path.join(home, 'shared.json'), { 'agent:alpha:subagent:x': done('a2'), 'agent:beta:subagent:y': done('b2') });
  for (const agent of ['beta', 'alpha']) {
    const pruned = await runInProcess(['prune', '--state-dir', state, '--agent', agent, '--yes'], { HOME: home });
    assert.equal(pruned.status, 0, pruned.stderr);
  }
  const runs = await runInProcess(['restore', '--list', '--state-dir', state, '--agent', 'beta'], { HOME: home });
  assert.equal(runs.status, 0, runs.stderr);
  assert.doesNotMatch(runs.stdout, /\salpha\s/, runs.stdout);
  const restored = await runInProcess(['restore', '--state-dir', state, '--agent', 'beta', '--yes'], { HOME: home });
  assert.equal(restored.status, 0, restored.stderr);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(shared, 'utf8')) as object), ['agent:beta:subagent:y']);
});

test('--profile reads ~/.openclaw-NAME and its config', async () => {
  const home = tempDir();
  const state = path.join(home, '.openclaw-work');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 7 } }');
  writeFile(storePath(state, 'main'), { 'agent:main:main': { sessionId: 'm', updatedAt: Date.now() } });
  const out = (await listJson(['--profile', 'work'], { HOME: home }));
  assert.equal(out.summary.acp.cap, 7);
  assert.equal(out.configPath, path.join(state, 'openclaw.json'));
});

test('no OpenClaw here: says where it looked, exit 0; a missing --store is an error', async () => {
  const home = tempDir();
  const result = (await runInProcess(['list'], { HOME: home }));
  assert.equal(result.status, 0);
  assert.match(result.stdout, /No OpenClaw session stores found/);
  assert.ok(result.stdout.includes(path.join(home, '.openclaw')));
  assert.ok(result.stdout.includes(path.join(home, '.clawdbot')));
  const missing = (await runInProcess(['list', '--store', path.join(home, 'nope.json')], { HOME: home }));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^openclaw-sessions: session store not found: .*nope\.json\n$/);
});

const badFiles: Array<[string, Buffer, RegExp]> = [
  ['truncated', Buffer.from('{\n  "agent:main:main": {\n    "sessionId": "x",\n    "updat'), /:4:\d+ does not parse: unterminated string|unexpected end/],
  ['trailing comma', Buffer.from('{\n  "a": {"sessionId": "x", "updatedAt": 1},\n}'), /:3:1 does not parse: expected a double-quoted property name/],
  ['an array', Buffer.from('[]'), /holds an array, not an object/],
  ['BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]), /byte-order mark/],
  ['not UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /not valid UTF-8 \(first bad byte at offset 3\)/],
  // What isUtf8 refuses and a lossy decode would turn into U+FFFD: a surrogate half, an overlong '/', a code point past U+10FFFF.
  ['a UTF-8-encoded surrogate', Buffer.concat([Buffer.from('{"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('":1}')]), /not valid UTF-8 \(first bad byte at offset \d\)/],
  ['an overlong encoding', Buffer.concat([Buffer.from('{"ab'), Buffer.from([0xc0, 0xaf]), Buffer.from('":1}')]), /not valid UTF-8 \(first bad byte at offset 4\)/],
  ['past U+10FFFF', Buffer.concat([Buffer.from('{"'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('":1}')]), /not valid UTF-8 \(first bad byte at offset \d\)/],
  ['empty', Buffer.from(''), /is empty/],
];

for (const [name, bytes, pattern] of badFiles) {
  test(`a store that is ${name}: one-line error with the file, exit 1, file untouched`, async () => {
    const home = tempDir();
    const file = storePath(path.join(home, '.openclaw'), 'main');
    writeFile(file, '');
    writeFileSync(file, bytes);
    const result = (await runInProcess(['list'], { HOME: home }));
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
    assert.ok(result.stderr.includes(file), result.stderr);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/);
    assert.deepEqual(readFileSync(file), bytes);
  });
}

// A store may hold U+FFFD itself (an earlier lossy decode upstream): valid UTF-8, read as it is.
test('a store holding U+FFFD (valid UTF-8) and non-ASCII text is read, the character kept', async () => {
  const home = tempDir();
  const file = storePath(path.join(home, '.openclaw'), 'main');
  writeFile(file, { 'agent:main:main': { sessionId: 'm', updatedAt: Date.now(), label: 'caf\u00e9 \ufffd \u{1F600}' } });
  const result = await runInProcess(['list', '--json'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  assert.match(readFileSync(file, 'utf8'), /caf\u00e9 \ufffd \u{1F600}/u);
});

test('usage errors exit 2 with one line', async () => {
  const home = tempDir();
  for (const args of [['list', '--state', 'dead'], ['list', '--store', 'x.json', '--agent', 'main'], ['list', '--older-than', 'soon'], ['list', '--bogus'], ['nope']]) {
    const result = (await runInProcess(args, { HOME: home }));
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.ok(result.stderr.trim().length > 0);
  }
});

test('text output: plain columns without colour when piped; colour with --color; NO_COLOR wins over TTY defaults', async () => {
  const { home } = installWithAgents();
  const plain = (await runInProcess(['list'], { HOME: home }));
  assert.equal(plain.status, 0);
  assert.doesNotMatch(plain.stdout, /\x1b\[/);
  assert.doesNotMatch(plain.stdout, /[┌│─]/);
  assert.match(plain.stdout, /^AGENT\s+KEY\s+KIND\s+STATE\s+AGE\s+ACP\s+SLOT\s+REASON/m);
  assert.match(plain.stdout, /agent:main:acp:errored\s+acp\s+errored\s+1h ago\s+acpx\/failer persistent\s+yes\s+last turn failed: acpx exited with code 1/);
  assert.match(plain.stdout, /6 of 3 ACP slots held by 1 running, 2 idle, 2 errored, 1 stale/);
  assert.match(plain.stdout, /6 prunable/);
  const colored = (await runInProcess(['list', '--color'], { HOME: home }));
  assert.match(colored.stdout, /\x1b\[31merrored\x1b\[39m/);
  const noColor = (await runInProcess(['list', '--color', '--no-color'], { HOME: home, NO_COLOR: '1' }));
  assert.doesNotMatch(noColor.stdout, /\x1b\[/);
});

test('defect 3: a transcript lock whose holder is alive with the matching start time means running, whatever its age; a dead or recycled holder lets the claim go stale', async () => {
  const { home, state } = installWithAgents();
  const lock = path.join(state, 'agents', 'main', 'sessions', 'main-stale.jsonl.lock');
  const starttime = Number(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  const stateOf = async () => (await listJson([], { HOME: home })).sessions.find((s) => s.key === 'agent:main:acp:stale')!.state;
  writeFile(lock, { pid: process.pid, createdAt: new Date(Date.now() - 10 * 60_000).toISOString(), starttime });
  assert.equal(await stateOf(), 'running');
  // A run may hold its lock up to its timeout (48 h by default): 45 minutes proves nothing.
  writeFile(lock, { pid: process.pid, createdAt: new Date(Date.now() - 45 * 60_000).toISOString(), starttime });
  assert.equal(await stateOf(), 'running');
  writeFile(lock, { pid: process.pid, createdAt: new Date(Date.now() - 45 * 60_000).toISOString(), starttime: starttime + 1 });
  assert.equal(await stateOf(), 'stale', 'recycled holder');
  writeFile(lock, { pid: 99_999_999, createdAt: new Date(Date.now() - 45 * 60_000).toISOString(), starttime });
  assert.equal(await stateOf(), 'stale', 'dead holder');
});

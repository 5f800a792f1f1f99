import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from '../../src/cli/exit-codes.js';
import { InvalidValueError } from '../../src/errors.js';
import { parseDurationFlag, parseStatesFlag } from '../../src/cli/parse.js';
import { formatAge, formatAgo, parseDuration } from '../../src/sessions/duration.js';
import { parseStateList } from '../../src/sessions/filter.js';
import { makePruneSelector } from '../../src/sessions/plan.js';
import { compileGlob } from '../../src/sessions/glob.js';
import { describeSlots, summarize } from '../../src/sessions/summary.js';

test('durations', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('0'), 0);
  for (const bad of ['', '30', 'm', '3x', '1h 2m', '-5m']) {
    assert.throws(() => parseDuration(bad), (e: unknown) => e instanceof InvalidValueError && !/--/.test(e.message), bad);
    assert.throws(() => parseDurationFlag(bad, '--older-than'), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--older-than/.test(e.message), bad);
  }
});

test('ages read like OpenClaw', () => {
  assert.equal(formatAge(500), 'just now');
  assert.equal(formatAgo(5 * 60_000 + 10), '5m ago');
  assert.equal(formatAgo(3 * 3_600_000), '3h ago');
  assert.equal(formatAgo(3 * 86_400_000), '3d ago');
  assert.equal(formatAgo(null), '-');
});

test('state lists are checked', () => {
  assert.deepEqual([...parseStateList('errored, stale')], ['errored', 'stale']);
  assert.throws(() => parseStateList('errored,dead'), (e: unknown) => e instanceof InvalidValueError && e.value === 'dead');
  assert.throws(() => parseStatesFlag('errored,dead'), /unknown --state value "dead"/);
});

const base = { ageMs: 3_600_000, entry: { acp: {} }, conversation: false };
test('prune selection: hard rules beat every filter', () => {
  const select = makePruneSelector({ olderThanMs: 0 });
  assert.equal(select({ ...base, key: 'agent:main:acp:1', kind: 'acp', state: 'errored', terminal: true }), true);
  assert.equal(select({ ...base, key: 'agent:main:main', kind: 'main', state: 'idle', terminal: false, conversation: true }), false);
  assert.equal(select({ ...base, key: 'agent:main:acp:2', kind: 'acp', state: 'running', terminal: false }), false);
  assert.equal(select({ ...base, key: 'agent:main:acp:3', kind: 'acp', state: 'idle', terminal: false }), false);
  // Even a --state filter naming a non-terminal state cannot select it.
  assert.equal(makePruneSelector({ states: new Set(['idle']) })({ ...base, key: 'k', kind: 'acp', state: 'idle', terminal: false }), false);
});

test('prune selection: conversations only with the opt-in, after its own grace; main and running never', () => {
  const chat = { key: 'agent:main:direct:alice', kind: 'direct' as const, state: 'idle' as const, terminal: false, conversation: true, entry: {} };
  const stuck = { ...chat, key: 'agent:main:direct:bob', state: 'stuck' as const };
  const day = 86_400_000;
  assert.equal(makePruneSelector({})({ ...chat, ageMs: 90 * day }), false, 'never by default, however old');
  assert.equal(makePruneSelector({})({ ...stuck, ageMs: 90 * day }), false);
  assert.equal(makePruneSelector({ states: new Set(['idle', 'stuck']) })({ ...stuck, ageMs: 90 * day }), false, '--state cannot opt in');
  const optIn = makePruneSelector({ includeConversationsOlderThanMs: 30 * day });
  assert.equal(optIn({ ...chat, ageMs: 29 * day }), false);
  assert.equal(optIn({ ...chat, ageMs: 31 * day }), true);
  assert.equal(optIn({ ...stuck, ageMs: 31 * day }), true);
  assert.equal(optIn({ ...chat, state: 'running', ageMs: 31 * day }), false);
  assert.equal(optIn({ ...chat, key: 'agent:main:main', kind: 'main', ageMs: 31 * day }), false);
  // The shorter of the two graces never wins: --older-than 90d also holds conversations back.
  assert.equal(makePruneSelector({ olderThanMs: 90 * day, includeConversationsOlderThanMs: 0 })({ ...chat, ageMs: 31 * day }), false);
});

test('prune selection: grace period, key globs, keep globs', () => {
  const errored = { key: 'agent:main:acp:abc', kind: 'acp' as const, state: 'errored' as const, terminal: true, conversation: false, entry: { acp: {} } };
  assert.equal(makePruneSelector({})({ ...errored, ageMs: 5 * 60_000 }), false, 'default grace is 10m');
  assert.equal(makePruneSelector({})({ ...errored, ageMs: 11 * 60_000 }), true);
  assert.equal(makePruneSelector({ keyGlobs: ['agent:ops:*'] })({ ...errored, ageMs: 3_600_000 }), false);
  assert.equal(makePruneSelector({ keyGlobs: ['agent:*:acp:*'] })({ ...errored, ageMs: 3_600_000 }), true);
  assert.equal(makePruneSelector({ keepGlobs: ['*:abc'] })({ ...errored, ageMs: 3_600_000 }), false);
  assert.equal(compileGlob('a.b*')('a.bcd'), true);
  assert.equal(compileGlob('a.b*')('axbcd'), false);
  assert.equal(compileGlob('AGENT:*:acp:?')('agent:main:acp:x'), true);
  assert.equal(compileGlob('*:acp:*x')('agent:main:acp:ab'), false);
  assert.equal(compileGlob('a*b*c')('aXbYc'), true);
  assert.equal(compileGlob('')(''), true);
});

test('slot summary sentence', () => {
  const sessions = [
    { agentId: 'main', state: 'errored' as const, terminal: true, holdsSlot: true },
    { agentId: 'main', state: 'errored' as const, terminal: true, holdsSlot: true },
    { agentId: 'ops', state: 'idle' as const, terminal: false, holdsSlot: true },
    { agentId: 'ops', state: 'finished' as const, terminal: true, holdsSlot: false },
  ];
  const summary = summarize(sessions, 3, (s) => s.terminal);
  assert.equal(describeSlots(summary), '3 of 3 ACP slots held by 1 idle, 2 errored');
  assert.equal(summary.acp.heldByTerminal, 2);
  assert.deepEqual(summary.byAgent.ops, { total: 2, terminal: 1, slotsHeld: 1 });
  assert.match(describeSlots(summarize(sessions, null, () => false)), /no acp.maxConcurrentSessions cap/);
  // 8.1+ has no such key (9.6 rejects it): never advise setting it.
  assert.match(describeSlots(summarize(sessions, null, () => false), { capRemoved: true }), /\(OpenClaw 2026\.8\.1\+ has no ACP session cap\)$/);
});

test('a plan to run fingerprints every item; a dry run’s plan has none, the same items, and cannot be executed', async () => {
  const { planCandidates } = await import('../../src/sessions/plan.js');
  const { planPrune, fingerprintOf } = await import('../../src/sessions/plan-prune.js');
  const candidate = (key: string, state: 'errored' | 'idle', raw: unknown) => ({ key, state, kind: 'acp' as const, terminal: state === 'errored', conversation: false, ageMs: 3_600_000, entry: {}, agentId: 'main', storePath: '/s/sessions.json', reason: 'r', holdsSlot: true, raw });
  const candidates = [candidate('agent:main:acp:a', 'errored', { sessionId: 'a', n: 1 }), candidate('agent:main:acp:b', 'idle', { sessionId: 'b' }), candidate('agent:main:acp:c', 'errored', { sessionId: 'c' })];
  const real = planPrune(candidates, {});
  const dry = planCandidates(candidates, {}, null);
  assert.deepEqual(real.items.map((item) => item.key), ['agent:main:acp:a', 'agent:main:acp:c']);
  assert.deepEqual(dry.items.map((item) => [item.key, item.sessionId, item.fingerprint]), [['agent:main:acp:a', 'a', null], ['agent:main:acp:c', 'c', null]]);
  assert.equal(real.items[0]!.fingerprint, fingerprintOf({ sessionId: 'a', n: 1 }));
  assert.notEqual(real.items[0]!.fingerprint, fingerprintOf({ sessionId: 'a', n: 2 }));
  assert.equal(dry.totalSessions, 3);
  const { executePrune } = await import('../../src/prune/execute.js');
  await assert.rejects(
    executePrune({ inventory: {} as never, plan: dry, gateway: null, remote: false }, { decision: { method: 'file' } as never, viaRpc: [], viaFile: dry.items }, {} as never, {}),
    /a plan made without fingerprints \(a dry run\) cannot be executed/,
  );
});

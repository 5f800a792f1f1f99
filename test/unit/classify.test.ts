import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySession, turnError, type ClassifyInput } from '../../src/sessions/classify.js';
import { readEntry } from '../../src/store/schema.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const ctx = { now: NOW, staleAfterMs: 30 * MIN };

function classify(key: string, raw: unknown, liveLock = false) {
  const input: ClassifyInput = { key, reading: readEntry(raw), hasLiveTranscriptLock: liveLock };
  return classifySession(input, ctx);
}

const acp = (over: Record<string, unknown>) => ({ backend: 'acpx', agent: 'codex', runtimeSessionName: 'r', mode: 'persistent', state: 'idle', lastActivityAt: NOW - 60 * MIN, ...over });

test('errored ACP session: terminal, holds a slot, reason carries lastError', () => {
  const c = classify('agent:main:acp:1', { sessionId: 's1', updatedAt: NOW - 60 * MIN, status: 'failed', acp: acp({ state: 'error', lastError: 'acpx exited with code 1' }) });
  assert.equal(c.state, 'errored');
  assert.equal(c.terminal, true);
  assert.equal(c.holdsSlot, true);
  assert.match(c.reason, /acpx exited with code 1/);
  assert.equal(c.ageMs, 60 * MIN);
});

test('persistent ACP at rest is idle and holds a slot', () => {
  const c = classify('agent:main:acp:2', { sessionId: 's', updatedAt: NOW - 5 * MIN, status: 'done', acp: acp({}) });
  assert.deepEqual([c.state, c.terminal, c.holdsSlot], ['idle', false, true]);
});

test('oneshot ACP after its run is finished and holds no slot; spawned but never run, it is idle and holds one', () => {
  const c = classify('agent:main:acp:3', { sessionId: 's', updatedAt: NOW - 5 * MIN, status: 'done', acp: acp({ mode: 'oneshot' }) });
  assert.deepEqual([c.state, c.terminal, c.holdsSlot], ['finished', true, false]);
  const fresh = classify('agent:main:acp:3', { sessionId: 's', updatedAt: NOW - 5 * MIN, acp: acp({ mode: 'oneshot' }) });
  assert.deepEqual([fresh.state, fresh.terminal, fresh.holdsSlot], ['idle', false, true]);
});

test('ACP key without acp metadata is closed', () => {
  const c = classify('agent:main:acp:4', { sessionId: 's', updatedAt: NOW - 5 * MIN });
  assert.deepEqual([c.state, c.terminal, c.holdsSlot], ['closed', true, false]);
  assert.equal(classify('agent:main:acp:binding:discord:default:ff', { sessionId: 's', updatedAt: NOW }).state, 'closed');
});

test('recent running claim is running; old claim without a live lock is stale; old claim with a live lock is running', () => {
  const recent = classify('agent:main:acp:5', { sessionId: 's', updatedAt: NOW - 2 * MIN, acp: acp({ state: 'running', lastActivityAt: NOW - 2 * MIN }) });
  assert.deepEqual([recent.state, recent.terminal, recent.holdsSlot], ['running', false, true]);
  const old = { sessionId: 's', updatedAt: NOW - 45 * MIN, acp: acp({ state: 'running', lastActivityAt: NOW - 45 * MIN }) };
  const stale = classify('agent:main:acp:5', old);
  assert.deepEqual([stale.state, stale.terminal, stale.holdsSlot], ['stale', true, true]);
  assert.match(stale.reason, /no activity for 45m/);
  assert.equal(classify('agent:main:acp:5', old, true).state, 'running');
});

test('the stale threshold is the context value, not a constant', () => {
  const entry = { sessionId: 's', updatedAt: NOW - 45 * MIN, status: 'running' };
  assert.equal(classifySession({ key: 'agent:main:subagent:x', reading: readEntry(entry), hasLiveTranscriptLock: false }, { now: NOW, staleAfterMs: 60 * MIN }).state, 'running');
  assert.equal(classify('agent:main:subagent:x', entry).state, 'stale');
});

test('subagent run statuses: done/failed/killed/timeout are finished', () => {
  for (const status of ['done', 'failed', 'killed', 'timeout']) {
    const c = classify('agent:main:subagent:x', { sessionId: 's', updatedAt: NOW - MIN, status });
    assert.deepEqual([c.state, c.terminal, c.holdsSlot], ['finished', true, false], status);
  }
});

test('chat sessions at rest are idle', () => {
  for (const key of ['agent:main:telegram:direct:1', 'agent:main:discord:group:2', 'agent:main:cron:job', 'agent:main:dashboard:u']) {
    assert.equal(classify(key, { sessionId: 's', updatedAt: NOW - 400 * MIN }).state, 'idle', key);
  }
});

test('main sessions are never terminal, whatever they claim', () => {
  const errored = classify('agent:main:main', { sessionId: 's', updatedAt: NOW - 90 * MIN, acp: acp({ state: 'error', lastError: 'x' }) });
  assert.equal(errored.terminal, false);
  assert.equal(errored.state, 'idle');
  assert.match(errored.reason, /main session/);
  const staleMain = classify('agent:main:main', { sessionId: 's', updatedAt: NOW - 90 * MIN, status: 'running' });
  assert.equal(staleMain.terminal, false);
});

test('invalid entries: missing sessionId, wrong types, not an object', () => {
  const missing = classify('agent:main:acp:9', { updatedAt: NOW });
  assert.equal(missing.state, 'invalid');
  assert.match(missing.reason, /sessionId: missing/);
  assert.equal(missing.terminal, false);
  assert.equal(missing.holdsSlot, false);
  assert.match(classify('agent:main:x', { sessionId: 's', updatedAt: 'yesterday' }).reason, /updatedAt/);
  assert.equal(classify('agent:main:x', 'not an object').state, 'invalid');
  assert.equal(classify('agent:main:x', null).state, 'invalid');
});

test('unknown acp.state is never called terminal', () => {
  const c = classify('agent:main:acp:x', { sessionId: 's', updatedAt: NOW - 500 * MIN, acp: acp({ state: 'hibernating' }) });
  assert.equal(c.terminal, false);
  assert.match(c.reason, /unrecognised/);
});

test('age uses the latest of updatedAt and acp.lastActivityAt', () => {
  const c = classify('agent:main:acp:x', { sessionId: 's', updatedAt: NOW - 100 * MIN, acp: acp({ state: 'error', lastActivityAt: NOW - 3 * MIN }) });
  assert.equal(c.ageMs, 3 * MIN);
});

test('acp.state "error" wins over a lagging status "running"', () => {
  const c = classify('agent:main:acp:lag', { sessionId: 's', updatedAt: NOW - MIN, status: 'running', acp: acp({ state: 'error', lastError: 'acpx exited with code 1' }) });
  assert.deepEqual([c.state, c.terminal], ['errored', true]);
});

test('defect 1: conversations are never terminal because a turn ended or failed (status is the last turn\'s, on every chat)', () => {
  for (const key of ['agent:main:direct:alice', 'agent:main:telegram:direct:4242', 'agent:main:telegram:group:-100', 'agent:main:telegram:group:-100:thread:7', 'agent:main:discord:channel:9', 'agent:main:dashboard:u', 'agent:main:openai:user-1', 'agent:main:cron:job', 'something-else', 'agent:main:whatsapp:weird:shape']) {
    for (const status of ['done', 'failed', 'killed', 'timeout']) {
      const c = classify(key, { sessionId: 's', updatedAt: NOW - 400 * MIN, status, endedAt: NOW - 400 * MIN });
      assert.deepEqual([c.conversation, c.state, c.terminal], [true, 'idle', false], `${key} ${status}`);
    }
  }
  for (const key of ['agent:main:subagent:x', 'agent:main:cron:job:run:r1', 'agent:main:acp:a', 'agent:main:acp:binding:discord:default:ff']) {
    assert.equal(classify(key, { sessionId: 's', updatedAt: NOW }).conversation, false, key);
  }
});

test('defect 2: a conversation whose turn claims running with no live lock past --stale-after is stuck, not terminal, with what brings it back', () => {
  const aborted = classify('agent:main:direct:a', { sessionId: 's', updatedAt: NOW - 45 * MIN, status: 'running', startedAt: NOW - 45 * MIN, abortedLastRun: true });
  assert.deepEqual([aborted.state, aborted.terminal], ['stuck', false]);
  assert.match(aborted.reason, /aborted/);
  assert.match(aborted.reason, /next message/);
  const crashed = classify('agent:main:telegram:group:-1', { sessionId: 's', updatedAt: NOW - 45 * MIN, status: 'running', abortedLastRun: false });
  assert.deepEqual([crashed.state, crashed.terminal], ['stuck', false]);
  assert.match(crashed.reason, /timed out|gateway stopped/);
  const recent = classify('agent:main:direct:a', { sessionId: 's', updatedAt: NOW - 5 * MIN, status: 'running' });
  assert.equal(recent.state, 'running');
  assert.equal(classify('agent:main:direct:a', { sessionId: 's', updatedAt: NOW - 45 * MIN, status: 'running' }, true).state, 'running');
});

test('done or failed with a live holder keeping the transcript lock is running (the gateway retries a failed turn under its lock)', () => {
  for (const key of ['agent:main:direct:r', 'agent:main:subagent:r', 'agent:main:cron:j:run:r']) {
    const c = classify(key, { sessionId: 's', updatedAt: NOW - 90 * MIN, status: 'failed', endedAt: NOW - 90 * MIN }, true);
    assert.deepEqual([c.state, c.terminal], ['running', false], key);
  }
});

test('a :run: entry with no status is a finished run unless a live lock holds it', () => {
  const run = { sessionId: 's', updatedAt: NOW - 20 * MIN };
  assert.deepEqual([classify('agent:main:cron:j:run:r', run).state, classify('agent:main:cron:j:run:r', run).terminal], ['finished', true]);
  assert.equal(classify('agent:main:cron:j:run:r', run, true).state, 'running');
  // The job's own session is not a run: it is reused by the next run.
  assert.equal(classify('agent:main:cron:j', run).terminal, false);
});

test("this tool's own probe session left on disk is named as ours, never terminal, and says when a live read deletes it", () => {
  const key = 'agent:main:openclaw-sessions-probe-1b2c3d4e-0000-4000-8000-000000000001';
  const old = classify(key, { sessionId: 's', updatedAt: NOW - 11 * MIN, status: 'done', chatType: 'direct' });
  assert.equal(old.state, 'idle');
  assert.equal(old.terminal, false);
  assert.equal(old.holdsSlot, false);
  assert.match(old.reason, /^openclaw-sessions' own live-count probe, left by a run stopped before deleting it; the next live read deletes it$/);
  // Younger than the leftover age: possibly another run's, still waiting for its reply.
  const young = classify(key, { sessionId: 's', updatedAt: NOW - 2 * MIN, status: 'running' });
  assert.equal(young.state, 'idle');
  assert.match(young.reason, /another run's in progress, or left by a stopped run; the next live read once it is 10m old deletes it/);
  // Only the probe mark right after `agent:<id>:` is ours; a user's chat that mentions it is not.
  assert.match(classify('agent:main:telegram:direct:openclaw-sessions-probe-x', { sessionId: 's', updatedAt: NOW, status: 'done' }).reason, /^conversation at rest/);
});

test("a failed turn's reason puts the runtime's words first and its code after them (7.35/9.6 write 'AcpRuntimeError [CODE]: …')", () => {
  const seen = 'AcpRuntimeError [ACP_TURN_FAILED]: fake-acp-agent: this turn fails on purpose';
  const c = classify('agent:failer:acp:1', { sessionId: 's', updatedAt: NOW - 60 * MIN, acp: acp({ state: 'error', lastError: seen }) });
  assert.equal(c.reason, 'last turn failed: fake-acp-agent: this turn fails on purpose (ACP_TURN_FAILED)');
  assert.equal(turnError('AcpRuntimeError: acpx exited with code 1'), 'acpx exited with code 1');
  assert.equal(turnError('acpx exited with code 1'), 'acpx exited with code 1');
  assert.equal(turnError('Error in agent'), 'Error in agent', 'only a class name followed by its message is dropped');
});

test('an age under a second reads "just now", never "just now ago" (observed in list on a real 7.35 gateway)', () => {
  const ended = classify('agent:main:direct:carol', { sessionId: 's', updatedAt: NOW - 200, endedAt: NOW - 200, status: 'done' });
  assert.match(ended.reason, /\(last turn done just now\)$/);
  const running = classify('agent:main:direct:dave', { sessionId: 's', updatedAt: NOW - 200, status: 'running' });
  assert.match(running.reason, /\(active just now\)$/);
  const sub = classify('agent:main:subagent:x', { sessionId: 's', updatedAt: NOW - 200, status: 'running' });
  assert.doesNotMatch(sub.reason, /just now ago/);
});

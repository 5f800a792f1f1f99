/**
 * ACP state kept outside the entries (7.x+ state/openclaw.sqlite): row keys, the join to
 * entries, and what an unreadable state database does to classification.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySession } from '../../src/sessions/classify.js';
import { AcpStateIndex, parseAcpRowKey, type AcpStateRow } from '../../src/store/read-acp-state.js';
import { readEntry, type SessionEntry } from '../../src/store/schema.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const v1 = (agent: string | null, key: string) => `@acp:v1:${Buffer.from(JSON.stringify([agent, key]), 'utf8').toString('base64url')}`;

test('row keys: plain (7.35), @acp:v1 base64url JSON [agent, key] (9.6), legacy @agent:<id>:<key>', () => {
  assert.deepEqual(parseAcpRowKey('agent:failer:acp:1a'), { sessionKey: 'agent:failer:acp:1a', agentId: null });
  assert.deepEqual(parseAcpRowKey(v1('Okay', 'agent:okay:acp:2B')), { sessionKey: 'agent:okay:acp:2b', agentId: 'okay' });
  assert.deepEqual(parseAcpRowKey(v1(null, 'agent:okay:acp:3')), { sessionKey: 'agent:okay:acp:3', agentId: null });
  assert.deepEqual(parseAcpRowKey('@agent:main:acp:4'), { sessionKey: 'acp:4', agentId: 'main' });
  // An undecodable v1 key is kept literally: it matches no session rather than a wrong one.
  assert.equal(parseAcpRowKey('@acp:v1:!!!').sessionKey, '@acp:v1:!!!');
});

function row(over: Partial<AcpStateRow> & { state?: string }): AcpStateRow {
  return {
    sessionKey: over.sessionKey ?? 'agent:okay:acp:1',
    agentId: over.agentId ?? null,
    sessionId: over.sessionId ?? null,
    updatedAt: NOW,
    meta: { backend: 'acpx', agent: 'okay', mode: 'persistent', state: over.state ?? 'idle', lastActivityAt: over.meta?.lastActivityAt ?? NOW, lastError: null },
  };
}

const entry = (over: Partial<SessionEntry> = {}): SessionEntry => ({ sessionId: 's1', updatedAt: NOW, ...over });

test('join: key case-insensitive; a row for another session id or another agent does not match', () => {
  const index = new AcpStateIndex([row({ sessionKey: 'agent:okay:acp:1', sessionId: 's1' })]);
  assert.equal(index.lookup('okay', 'AGENT:okay:acp:1', entry())?.state, 'idle');
  assert.equal(index.lookup('okay', 'agent:okay:acp:1', entry({ sessionId: 's2' })), undefined, 'a new session under the same key');
  const scoped = new AcpStateIndex([row({ agentId: 'other' })]);
  assert.equal(scoped.lookup('okay', 'agent:okay:acp:1', entry()), undefined);
  const anyId = new AcpStateIndex([row({ sessionId: null, state: 'error' })]);
  assert.equal(anyId.lookup('okay', 'agent:okay:acp:1', entry({ sessionId: 'whatever' }))?.state, 'error', 'a null session_id matches any (as the gateway reads it)');
  const revision = new AcpStateIndex([row({ sessionId: 'rev-7' })]);
  assert.equal(revision.lookup('okay', 'agent:okay:acp:1', entry({ lifecycleRevision: 'rev-7' }))?.state, 'idle', '9.x lifecycleRevision');
});

test('an ACP key without ACP state: closed when the state is readable, unknown (never terminal) when it is not', () => {
  const reading = readEntry({ sessionId: 's1', updatedAt: NOW - 3_600_000, status: 'done' });
  const ctx = { now: NOW, staleAfterMs: 1_800_000 };
  const closed = classifySession({ key: 'agent:okay:acp:1', reading, hasLiveTranscriptLock: false }, ctx);
  assert.deepEqual([closed.state, closed.terminal], ['closed', true]);
  const unknown = classifySession({ key: 'agent:okay:acp:1', reading, hasLiveTranscriptLock: false, acpStateUnreadable: 'reading SQLite needs Node.js 22.13 or later' }, ctx);
  assert.deepEqual([unknown.state, unknown.terminal, unknown.holdsSlot], ['unknown', false, false]);
  assert.match(unknown.reason, /ACP state unknown: reading SQLite needs Node\.js 22\.13/);
  // A chat session is not affected by the ACP state database (and a conversation whose turn is
  // done is idle, never finished: docs/openclaw-sessions-observed.md).
  const chat = classifySession({ key: 'agent:main:direct:bob', reading, hasLiveTranscriptLock: false, acpStateUnreadable: 'x' }, ctx);
  assert.equal(chat.state, 'idle');
});

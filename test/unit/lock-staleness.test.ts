import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyLockHolder, LOCK_STALE_MS, parseLockContents, type HolderFacts, type LockContents } from '../../src/store/gateway-lock.js';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const PID = 4242;
const START = 123_456;

const live: HolderFacts = { alive: true, startTime: START };
const dead: HolderFacts = { alive: false, startTime: null };

function lock(overrides: Partial<LockContents> = {}): LockContents {
  return { pid: PID, createdAtMs: NOW - 1000, starttime: START, ...overrides };
}

const freshMtime = NOW - 1000;
const oldMtime = NOW - LOCK_STALE_MS - 1;

test('a fresh lock of a live holder with a matching start time is not stale', () => {
  const verdict = classifyLockHolder(lock(), freshMtime, NOW, live);
  assert.equal(verdict.stale, false);
  assert.match(verdict.reason, /live pid 4242/);
});

test('a dead (or EPERM, or zombie) holder makes the lock stale at once, however fresh', () => {
  const verdict = classifyLockHolder(lock(), freshMtime, NOW, dead);
  assert.equal(verdict.stale, true);
  assert.match(verdict.reason, /pid 4242 is not running/);
});

test('a recycled pid (start time differs) is stale; unknown start times on either side are not evidence', () => {
  const recycled = classifyLockHolder(lock(), freshMtime, NOW, { alive: true, startTime: START + 1 });
  assert.equal(recycled.stale, true);
  assert.match(recycled.reason, /recycled/);
  assert.equal(classifyLockHolder(lock({ starttime: null }), freshMtime, NOW, { alive: true, startTime: START + 1 }).stale, false, 'lock written without starttime (not Linux)');
  assert.equal(classifyLockHolder(lock(), freshMtime, NOW, { alive: true, startTime: null }).stale, false, 'start time unreadable now');
});

test('older than 30 s is stale even with a live holder; exactly 30 s is not (the gateway uses ">")', () => {
  const old = classifyLockHolder(lock({ createdAtMs: NOW - LOCK_STALE_MS - 1 }), freshMtime, NOW, live);
  assert.equal(old.stale, true);
  assert.match(old.reason, /created 30s ago \(over 30s\)/);
  assert.equal(classifyLockHolder(lock({ createdAtMs: NOW - LOCK_STALE_MS }), freshMtime, NOW, live).stale, false);
});

test('a createdAt in the future (clock step) does not make a live lock stale', () => {
  assert.equal(classifyLockHolder(lock({ createdAtMs: NOW + 3_600_000 }), freshMtime, NOW, live).stale, false);
});

test('unreadable content: only the mtime decides, since its creator may still be writing it', () => {
  const unreadable = lock({ pid: null, createdAtMs: null, starttime: null });
  const young = classifyLockHolder(unreadable, freshMtime, NOW, dead);
  assert.equal(young.stale, false);
  assert.match(young.reason, /may still be writing/);
  const aged = classifyLockHolder(unreadable, oldMtime, NOW, dead);
  assert.equal(aged.stale, true);
  assert.match(aged.reason, /names no pid and has no valid createdAt, last modified 30s ago/);
  assert.equal(classifyLockHolder(unreadable, NOW - LOCK_STALE_MS, NOW, dead).stale, false, 'exactly 30 s');
});

test('a missing pid alone falls back to the mtime, but a missing pid with an old createdAt is stale at once', () => {
  assert.equal(classifyLockHolder(lock({ pid: null }), freshMtime, NOW, dead).stale, false);
  assert.equal(classifyLockHolder(lock({ pid: null }), oldMtime, NOW, dead).stale, true);
  assert.equal(classifyLockHolder(lock({ pid: null, createdAtMs: NOW - 60_000 }), freshMtime, NOW, dead).stale, true);
});

test('a missing createdAt alone falls back to the mtime, but with a dead pid it is stale at once', () => {
  assert.equal(classifyLockHolder(lock({ createdAtMs: null }), freshMtime, NOW, live).stale, false);
  assert.equal(classifyLockHolder(lock({ createdAtMs: null }), oldMtime, NOW, live).stale, true);
  const deadNoDate = classifyLockHolder(lock({ createdAtMs: null }), freshMtime, NOW, dead);
  assert.equal(deadNoDate.stale, true);
  assert.match(deadNoDate.reason, /not running/);
});

test('the threshold can be given (transcript locks use 30 min in the gateway)', () => {
  const thirtyMin = 30 * 60_000;
  assert.equal(classifyLockHolder(lock({ createdAtMs: NOW - 60_000 }), freshMtime, NOW, live, thirtyMin).stale, false);
  assert.equal(classifyLockHolder(lock({ createdAtMs: NOW - thirtyMin - 1 }), freshMtime, NOW, live, thirtyMin).stale, true);
});

test('parsing accepts only what the gateway accepts; anything else reads as missing', () => {
  const good = JSON.stringify({ pid: 12, createdAt: '2026-11-28T11:59:59.000Z', starttime: 99 }, null, 2);
  assert.deepEqual(parseLockContents(good), { pid: 12, createdAtMs: Date.parse('2026-11-28T11:59:59.000Z'), starttime: 99 });
  const none = { pid: null, createdAtMs: null, starttime: null };
  for (const text of ['', '{', 'null', '[]', '"x"', '42']) assert.deepEqual(parseLockContents(text), none, JSON.stringify(text));
  assert.equal(parseLockContents('{"pid": 0}').pid, null);
  assert.equal(parseLockContents('{"pid": -3}').pid, null);
  assert.equal(parseLockContents('{"pid": 1.5}').pid, null);
  assert.equal(parseLockContents('{"pid": "12"}').pid, null);
  assert.equal(parseLockContents('{"createdAt": "yesterday"}').createdAtMs, null);
  assert.equal(parseLockContents('{"createdAt": 1764331200000}').createdAtMs, null, 'a number is not the ISO string');
  assert.equal(parseLockContents('{"starttime": 1.5}').starttime, null);
  assert.equal(parseLockContents('{"starttime": -1}').starttime, null);
  assert.equal(parseLockContents('{"starttime": 0}').starttime, 0);
});

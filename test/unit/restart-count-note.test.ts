/**
 * A live count read right after a restart can be low: the new gateway re-creates, in the
 * background, the handles of sessions whose ACP identity is still pending (its startup identity
 * reconcile; helper-23 read 1 on a real 2026.4.29 gateway before it had run, 2 after). prune's
 * restart paths say so beside the count rather than present the early reading as final.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFreed } from '../../src/prune/report.js';
import type { RecomputeReport } from '../../src/prune/report.js';
import { riseAfterStartNote } from '../../src/sessions/start-count.js';
import type { SessionEntry } from '../../src/store/schema.js';

function holder(identity: 'pending' | 'resolved' | null, holdsSlot = true): { holdsSlot: boolean; entry: SessionEntry } {
  const acp = { state: 'idle', ...(identity ? { identity: { state: identity } } : {}) };
  return { holdsSlot, entry: { sessionId: 's', updatedAt: 1, acp } as SessionEntry };
}

test('riseAfterStartNote: said only when more sessions are pending than the count read', () => {
  const left = [holder('pending'), holder(null), holder('resolved'), holder('pending', false)];
  // Two re-created at start (pending, and identity missing); the resolved one and the non-holder are not.
  assert.match(riseAfterStartNote(left, 0) ?? '', /read right after the restart: .*\(2 left here\), so its count may rise to 2$/);
  assert.match(riseAfterStartNote(left, 1) ?? '', /may rise to 2$/);
  assert.equal(riseAfterStartNote(left, 2), null, 'the reconcile has run (or nothing more to come)');
  assert.equal(riseAfterStartNote([holder('resolved')], 0), null);
});

test("describeFreed carries the note beside the measured drop", () => {
  const recompute = { liveBefore: 3, liveAfter: 0, liveNote: riseAfterStartNote([holder('pending')], 0) } as RecomputeReport;
  assert.equal(describeFreed(3, 3, recompute), ' (3 ACP slots freed: live count 3 → 0, read right after the restart: a starting gateway re-creates, in the background, the handles of sessions whose ACP identity is still pending (1 left here), so its count may rise to 1)');
  assert.equal(describeFreed(3, 3, { ...recompute, liveNote: null }), ' (3 ACP slots freed: live count 3 → 0)');
});

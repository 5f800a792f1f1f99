/** restore --list's RESTORABLE column, for each kind of run a journal can hold (prune/restore.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notRestorableBecause, restorableLabel } from '../../src/prune/restore.js';
import type { JournalRun } from '../../src/store/journal.js';

function run(over: Partial<JournalRun>): JournalRun {
  return { runId: 'r', at: 't', storePath: '/s/sessions.json', journalPath: '/s/j', entries: { k: {} }, states: {}, removed: ['k'], unconfirmed: [], transcriptMoves: [], restoredAt: null, restoredKeys: [], bindingProblem: null, method: 'file', ...over };
}

test('each kind of run gets its own words, and only a file run on a bound JSON store is restorable', () => {
  const cases: Array<[Partial<JournalRun>, string]> = [
    [{}, 'yes'],
    [{ entries: { k: {} }, restoredKeys: ['k'], restoredAt: 't2' }, 'no: already restored'],
    [{ entries: { k: {}, l: {} }, removed: ['k', 'l'], restoredKeys: ['k'], restoredAt: 't2' }, 'yes'],
    [{ bindingProblem: 'moved' }, 'no: journal not bound to this store'],
    [{ storePath: '/s/openclaw-agent.sqlite' }, 'no: SQLite store'],
    [{ method: 'rpc' }, 'no: deleted by the gateway'],
    [{ method: 'rpc', removed: ['a'], unconfirmed: ['b'] }, 'no: deleted by the gateway'],
    [{ method: 'rpc', removed: [], unconfirmed: ['b'] }, 'no: delete sent, never answered'],
  ];
  for (const [over, label] of cases) assert.equal(restorableLabel(run(over)), label, JSON.stringify(over));
  assert.equal(notRestorableBecause(run({})), null);
  assert.match(notRestorableBecause(run({ method: 'rpc', removed: [], unconfirmed: ['b'] }))!, /^its delete was sent to the gateway and never answered/);
});

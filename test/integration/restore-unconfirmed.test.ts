/**
 * restore of a prune run whose `sessions.delete` was sent and never answered (apply-rpc.ts keeps
 * its journal record with the key `unconfirmed`): neither `restore --list` nor `restore RUN` may
 * say the gateway deleted it. Observed (helper-17, real 7.35 gateway stopped with SIGSTOP inside
 * the delete): after SIGCONT the gateway answered UNAVAILABLE ("still active") and kept the
 * session, while `restore --list` said "no: deleted by the gateway". The journal is written by
 * the real JournalWriter, as an RPC prune writes it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JournalWriter } from '../../src/store/journal.js';
import { journalPathFor } from '../../src/store/journal-path.js';
import { runCli } from '../helpers/cli.js';
import { acpEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function journalOf(removed: string[], unconfirmed: string[]): { state: string; runId: string } {
  const state = tempDir();
  const keys = [...removed, ...unconfirmed];
  const entries = Object.fromEntries(keys.map((key) => [key, acpEntry(key.slice(-1), 60 * MIN, { state: 'error', lastError: 'x' })]));
  const store = writeFile(storePath(state, 'main'), Object.fromEntries(unconfirmed.map((key) => [key, entries[key]])));
  const runId = '20261201T142851Z-34a1';
  const writer = new JournalWriter(journalPathFor(store));
  writer.begin({ runId, at: new Date().toISOString(), toolVersion: 't', storePath: store, entries, states: Object.fromEntries(keys.map((key) => [key, 'errored'])), method: 'rpc' });
  writer.editing();
  writer.commit({ runId, at: new Date().toISOString(), storePath: store, removed, unconfirmed });
  writer.close();
  return { state, runId };
}

test('a run whose only delete went unanswered is not called deleted by the gateway: --list, --json and restore RUN', () => {
  const { state, runId } = journalOf([], ['agent:main:acp:a']);
  const text = runCli(['restore', '--list', '--state-dir', state]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /0 \(\+1 unconfirmed\)/);
  assert.doesNotMatch(text.stdout, /deleted by the gateway/);
  assert.match(text.stdout, /no: delete sent, never answered/);
  const json = JSON.parse(runCli(['restore', '--list', '--json', '--state-dir', state]).stdout) as { runs: Array<{ restorable: boolean; notRestorableBecause: string | null }> };
  assert.equal(json.runs[0]!.restorable, false);
  assert.doesNotMatch(json.runs[0]!.notRestorableBecause!, /the gateway deleted/);
  assert.match(json.runs[0]!.notRestorableBecause!, /sent to the gateway and never answered/);
  const restore = runCli(['restore', runId, '--yes', '--state-dir', state]);
  assert.notEqual(restore.status, 0);
  assert.doesNotMatch(restore.stderr, /the gateway deleted/);
  assert.match(restore.stderr, /never answered/);
});

test('a run with deleted and unanswered keys says both', () => {
  const { state } = journalOf(['agent:main:acp:a'], ['agent:main:acp:b']);
  const json = JSON.parse(runCli(['restore', '--list', '--json', '--state-dir', state]).stdout) as { runs: Array<{ notRestorableBecause: string | null }> };
  assert.match(json.runs[0]!.notRestorableBecause!, /^the gateway deleted those sessions .*; 1 more delete was sent to the gateway and never answered/);
});

/**
 * The "To undo" line after a prune (src/cli/render/prune.ts) offers restore only for what left
 * the file: sessions the gateway deleted over RPC cannot be put back (restore refuses them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPruned, type PruneOutput } from '../../src/cli/render/prune.js';
import { decideStyle } from '../../src/cli/terminal.js';
import { ToolError } from '../../src/errors.js';
import type { PruneReport } from '../../src/report/prune-report.js';
import type { PruneExecution } from '../../src/prune/execute.js';

const plainStyle = await decideStyle({ isTTY: false, columns: undefined, env: {}, colorFlag: false });

function printed(pruned: string[], viaRpc: string[]): string {
  let text = '';
  const out: PruneOutput = { style: plainStyle, say: (t) => (text += t), emit: () => undefined, warn: () => undefined };
  const session = (key: string) => ({ agentId: 'main', key, kind: 'acp' as const, conversation: false, state: 'errored' as const, reason: 'r', ageMs: 1, holdsSlot: true, storePath: '/s/sessions.json' });
  const report = {
    schemaVersion: 4, dryRun: false, runId: '20261201T040000Z-abcd', summary: 'Pruned.', pruned: pruned.map(session), skipped: [], stores: [], transcripts: [], transcriptsKept: [], slotsFreed: null, slotsHeldOnDisk: 0,
    recompute: { method: viaRpc.length ? 'rpc' : 'file', ok: true, detail: 'd', gatewayPid: null, newGatewayPid: null, viaRpc, liveBefore: null, liveAfter: null, liveNote: null },
  } as unknown as PruneReport;
  renderPruned(out, { report, results: [], partial: false, warnings: [] } as unknown as PruneExecution, { undo: (id) => ['openclaw-sessions', 'restore', id], restartGateway: ['openclaw', 'gateway', 'restart'] });
  return text;
}

test('To undo: offered for file removals, not for sessions the gateway deleted', () => {
  assert.match(printed(['a', 'b'], []), /^To undo:\n {2}openclaw-sessions restore 20261201T040000Z-abcd$/m);
  const allRpc = printed(['a', 'b'], ['a', 'b']);
  assert.doesNotMatch(allRpc, /restore/);
  assert.match(allRpc, /^Not undoable: the gateway deleted these sessions/m);
  assert.match(allRpc, /journal 20261201T040000Z-abcd keeps a record of what they were\.$/m, 'the summary\'s Journal: <id> is explained as a record, not a way back');
  assert.match(printed(['a', 'b', 'c'], ['a']), /^To undo \(the 1 deleted through the gateway cannot be put back\):\n {2}openclaw-sessions restore /m);
});

// helper-28: a busy store's reason printed once per planned key; helper-29: hiding every skip of
// that store also hid the gateway's own refusal of an RPC delete there ("see skipped", none shown).
test('an untouched store: one stderr line with its count, its file-route keys not repeated; an RPC refusal in it still shown', () => {
  let text = '';
  const warned: string[] = [];
  const out: PruneOutput = { style: plainStyle, say: (t) => (text += t), emit: () => undefined, warn: (t) => warned.push(t) };
  const store = '/s/ops/sessions.json';
  const busy = 'the lock /s/ops/sessions.json.lock is held by an unknown process';
  const fileSkips = ['a', 'b', 'c'].map((key) => ({ agentId: 'ops', key, storePath: store, why: `store not changed: ${busy}` }));
  const rpcSkip = { agentId: 'ops', key: 'r', storePath: store, why: 'gateway: sessions.delete: still active' };
  const report = {
    schemaVersion: 4, dryRun: false, runId: null, summary: 'Pruned 1 session.', pruned: [], skipped: [rpcSkip, ...fileSkips], stores: [], transcripts: [], transcriptsKept: [], slotsFreed: null, slotsHeldOnDisk: 0,
    recompute: { method: 'rpc', ok: true, detail: 'd', gatewayPid: null, newGatewayPid: null, viaRpc: [], liveBefore: null, liveAfter: null, liveNote: null },
  } as unknown as PruneReport;
  const results = [{ agentId: 'ops', path: store, outcome: 'busy', error: new ToolError('lock-busy', busy), skipped: fileSkips, transcriptFailures: [] }];
  const exit = renderPruned(out, { report, results, partial: true, warnings: [] } as unknown as PruneExecution, { undo: (id) => ['openclaw-sessions', 'restore', id], restartGateway: ['openclaw', 'gateway', 'restart'] });
  assert.equal(exit, 7);
  assert.match(text, /^skipped r: gateway: sessions\.delete: still active$/m);
  assert.doesNotMatch(text, /^skipped [abc]:/m);
  assert.deepEqual(warned.filter((line) => line.startsWith('store ')), [`store ${store} not pruned (busy; 3 planned sessions left as they are): ${busy}`]);
});

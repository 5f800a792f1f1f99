/**
 * The "To undo" line after a prune (src/cli/render/prune.ts) offers restore only for what left
 * the file: sessions the gateway deleted over RPC cannot be put back (restore refuses them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPruned, type PruneOutput } from '../../src/cli/render/prune.js';
import { decideStyle } from '../../src/cli/terminal.js';
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

/**
 * Issue 8 defect 9: ACP entries deleted through RPC are re-checked just before each
 * `sessions.delete` — a changed entry, or a case twin that is not planned, is skipped and
 * reported, never sent. The gateway is a recording double (the real delete is covered by the e2e lane).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { GatewayRpc } from '../../src/gateway/rpc-client.js';
import type { GatewayStatus } from '../../src/gateway/probe.js';
import { applyViaRpc, rpcFailures } from '../../src/prune/apply-rpc.js';
import { rpcRecomputeReport, slotsFreedBy } from '../../src/prune/recompute.js';
import type { PrunePlanItem } from '../../src/sessions/plan.js';
import { fingerprintOf } from '../../src/sessions/plan-prune.js';
import { acpEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function itemOf(store: string, key: string, raw: unknown): PrunePlanItem {
  return { agentId: 'main', storePath: store, key, kind: 'acp', conversation: false, state: 'errored', reason: 'r', ageMs: 60 * MIN, holdsSlot: true, sessionId: 's', fingerprint: fingerprintOf(raw), raw };
}

/** Deletes from the file like the gateway would (case-insensitively), and records every call. */
function fakeGateway(store: string, onDelete?: (key: string) => void): { client: GatewayRpc; deletes: string[] } {
  const deletes: string[] = [];
  const client = {
    async call(method: string, params: { key?: string }) {
      if (method === 'sessions.list') return { sessions: [] };
      assert.equal(method, 'sessions.delete');
      deletes.push(params.key!);
      const doc = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
      let deleted = false;
      for (const key of Object.keys(doc)) {
        if (key.toLowerCase() === params.key!.toLowerCase()) {
          delete doc[key];
          deleted = true;
        }
      }
      writeFileSync(store, JSON.stringify(doc, null, 2));
      onDelete?.(params.key!);
      return { ok: true, deleted };
    },
  } as unknown as GatewayRpc;
  return { client, deletes };
}

test('defect 9: an entry changed since planning is not sent to sessions.delete; a case twin that is not planned blocks the delete', async () => {
  const state = tempDir();
  const a = acpEntry('a', 60 * MIN, { state: 'error', lastError: 'x' });
  const b = acpEntry('b', 60 * MIN, { state: 'error', lastError: 'x' });
  const mixed = acpEntry('m', 60 * MIN, { state: 'error', lastError: 'x' });
  const twin = acpEntry('t', 1 * MIN, { state: 'running' }, { status: 'running' });
  const c = acpEntry('c', 60 * MIN, { state: 'error', lastError: 'x' });
  const store = writeFile(storePath(state, 'main'), { 'agent:main:acp:a': a, 'agent:main:acp:b': b, 'agent:main:acp:Mixed': mixed, 'agent:main:acp:mixed': twin, 'agent:main:acp:c': c });
  const items = [itemOf(store, 'agent:main:acp:a', a), itemOf(store, 'agent:main:acp:b', b), itemOf(store, 'agent:main:acp:Mixed', mixed), itemOf(store, 'agent:main:acp:c', c)];
  // While `a` is being deleted, a turn starts on `b` (the gateway rewrites its entry).
  const { client, deletes } = fakeGateway(store, (key) => {
    if (key !== 'agent:main:acp:a') return;
    const doc = JSON.parse(readFileSync(store, 'utf8')) as Record<string, Record<string, unknown>>;
    doc['agent:main:acp:b'] = { ...doc['agent:main:acp:b'], status: 'running', updatedAt: Date.now() };
    writeFileSync(store, JSON.stringify(doc, null, 2));
  });
  const result = await applyViaRpc(client, items, { runId: 'r', toolVersion: 't', journal: false, retries: 0, backoffMs: 1 });
  assert.deepEqual(deletes, ['agent:main:acp:a', 'agent:main:acp:c']);
  assert.deepEqual(result.removed.map((i) => i.key), ['agent:main:acp:a', 'agent:main:acp:c']);
  const why = Object.fromEntries(result.skipped.map((s) => [s.key, s.why]));
  assert.match(why['agent:main:acp:b']!, /changed since planning/);
  assert.match(why['agent:main:acp:Mixed']!, /"agent:main:acp:mixed" differs only in case and is not planned/);
  const left = JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(left).sort(), ['agent:main:acp:Mixed', 'agent:main:acp:b', 'agent:main:acp:mixed']);
});

test('both case variants planned: the delete goes ahead; a key gone since planning is reported, not sent', async () => {
  const state = tempDir();
  const upper = acpEntry('u', 60 * MIN, { state: 'error', lastError: 'x' });
  const lower = acpEntry('l', 60 * MIN, { state: 'error', lastError: 'x' });
  const store = writeFile(storePath(state, 'main'), { 'agent:main:acp:X': upper, 'agent:main:acp:x': lower });
  const gone = itemOf(store, 'agent:main:acp:gone', acpEntry('g', 60 * MIN, { state: 'error' }));
  const { client, deletes } = fakeGateway(store);
  const result = await applyViaRpc(client, [itemOf(store, 'agent:main:acp:X', upper), itemOf(store, 'agent:main:acp:x', lower), gone], { runId: 'r', toolVersion: 't', journal: false, retries: 0, backoffMs: 1 });
  // The first delete folds both; the second finds its key gone and is reported.
  assert.deepEqual(deletes, ['agent:main:acp:X']);
  assert.deepEqual(result.removed.map((i) => i.key), ['agent:main:acp:X']);
  assert.deepEqual(result.skipped.map((s) => s.key).sort(), ['agent:main:acp:gone', 'agent:main:acp:x']);
  assert.ok(path.isAbsolute(store));
});

test('every planned key already deleted by another run: nothing is sent, and the run is not a failure (exit 5)', async () => {
  // Observed on a real 7.35 gateway: two `prune --yes` at once; the second exited 5 with
  // "the gateway could not delete 2 session(s)" though the first had deleted both.
  const state = tempDir();
  const a = acpEntry('a', 60 * MIN, { state: 'error', lastError: 'x' });
  const b = acpEntry('b', 60 * MIN, { state: 'error', lastError: 'x' });
  const store = writeFile(storePath(state, 'main'), { 'agent:main:main': { sessionId: 'm', updatedAt: Date.now() } });
  const { client, deletes } = fakeGateway(store);
  const result = await applyViaRpc(client, [itemOf(store, 'agent:main:acp:a', a), itemOf(store, 'agent:main:acp:b', b)], { runId: 'r', toolVersion: 't', journal: false, retries: 0, backoffMs: 1 });
  assert.deepEqual(deletes, []);
  assert.equal(result.skipped.length, 2);
  assert.equal(rpcFailures(result.skipped), 0);
  const report = rpcRecomputeReport({ gateway: { pid: 42 }, url: 'ws://127.0.0.1:1' } as unknown as GatewayStatus, result.removed, rpcFailures(result.skipped), result.stillListed, result.unconfirmed);
  assert.equal(report.ok, true);
  assert.match(report.detail, /^nothing left to delete: the planned sessions were gone from the store/);
  // A delete the gateway refused still counts.
  assert.equal(rpcFailures([{ agentId: 'main', key: 'k', storePath: store, why: 'gateway: UNAVAILABLE' }]), 1);
});

test('a run that removed nothing and restarted nothing freed no slots, whatever the live count did meanwhile', () => {
  // Observed on a real 7.35 gateway: the second of two concurrent prunes printed "Pruned 0
  // sessions from 0 stores (2 ACP slots freed: live count 2 → 0)" and last-prune.json said slotsFreed 2.
  const idle = slotsFreedBy(0, false, 2, 0);
  assert.equal(idle.slotsFreed, 0);
  assert.match(idle.note!, /fell 2 → 0 during this run, which removed nothing/);
  assert.deepEqual(slotsFreedBy(0, false, 1, 1), { slotsFreed: 0, note: null });
  assert.deepEqual(slotsFreedBy(2, false, 3, 1), { slotsFreed: 2, note: null });
  // A restart frees orphaned handles with no entry removed: its drop is the run's.
  assert.deepEqual(slotsFreedBy(0, true, 3, 0), { slotsFreed: 3, note: null });
});

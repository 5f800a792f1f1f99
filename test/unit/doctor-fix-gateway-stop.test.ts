/**
 * doctor never advises a command that then refuses (README). With a 4.x gateway running whose RPC
 * is unavailable and which this tool cannot restart, `prune` refuses to take ACP entries (it
 * would orphan their handles), and a restart after it would not help (4.x re-creates handles for
 * entries still in the store). Observed (helper-18): doctor's fix was `prune --older-than 0;
 * openclaw gateway restart`, and that prune exited 5. The fix now stops the gateway for the
 * prune; the prune decision itself (recompute/choose.ts) says which of the two runs.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { collectFindings } from '../../src/doctor/collect.js';
import type { GatewayStatus } from '../../src/gateway/probe.js';
import { takeInventory } from '../../src/inventory.js';
import { chooseRecompute, type RecomputeInput } from '../../src/recompute/choose.js';
import { acpEntry, chatEntry } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const MIN = 60_000;

/** A gateway that answers on its port (healthz) but whose RPC is refused and which has no verified pid to restart. */
function unreachableRpcGateway(restartOk: boolean): GatewayStatus {
  return {
    running: true, gateway: null, stale: [], remote: false, ready: true, version: null, url: 'ws://127.0.0.1:1', port: 1,
    rpc: { ok: false, why: 'pairing required' }, live: { activeRuntimeSessions: null, report: null, why: 'RPC unavailable' },
    restart: restartOk ? { ok: true, signal: 'SIGUSR1', note: '' } : { ok: false, why: 'no verified gateway pid' },
    noRespawn: null, withheld: [], generation: 'locked-json',
    discovery: { health: { listening: true, healthz: true, readyz: true, websocket: null, silent: false }, secrets: { ok: true, why: '' } },
  } as unknown as GatewayStatus;
}

test('gateway running, no RPC, no restart by this tool: the fix stops the gateway, prunes, starts it — the order in which prune does not refuse', () => {
  const state = path.join(tempDir(), 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { maxConcurrentSessions: 3, runtime: { ttlMinutes: 30 } } }');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:acp:e1': acpEntry('e1', 60 * MIN, { state: 'error', lastError: 'x' }) });
  const inventory = takeInventory({}, { stateDir: state, staleAfterMs: 30 * MIN });

  const finding = collectFindings(inventory, unreachableRpcGateway(false)).find((f) => f.id === 'terminal-slots');
  assert.ok(finding, 'the errored session holding a slot is reported');
  assert.equal(finding.fix, 'openclaw gateway stop; openclaw-sessions prune; openclaw gateway start');
  assert.match(finding.message, /neither works here \(see the RPC finding\): the fix stops the gateway for the prune/);

  // Why: the same inputs make prune refuse while the gateway runs, and edit the file once it is stopped.
  const input: RecomputeInput = { requested: 'auto', gatewayRunning: true, generation: 'locked-json', rpc: { ok: false, why: 'pairing required' }, restart: { ok: false, why: 'no verified gateway pid' }, allowRestart: false, slotsToFree: 1, acpEntries: 1 };
  const refused = chooseRecompute(input);
  assert.equal(refused.method, 'refuse');
  // prune's own refusal names the same way out.
  assert.match((refused as { why: string }).why, /stop the gateway \(openclaw gateway stop\), prune, and start it again; nothing was changed$/);
  assert.equal(chooseRecompute({ ...input, gatewayRunning: false }).method, 'file');

  // A restart this tool can verify: prune restarts it itself, no stop.
  const restartable = collectFindings(inventory, unreachableRpcGateway(true)).find((f) => f.id === 'terminal-slots');
  assert.equal(restartable?.fix, 'openclaw-sessions prune --allow-restart');
  assert.equal(chooseRecompute({ ...input, restart: { ok: true }, allowRestart: true }).method, 'restart');
});

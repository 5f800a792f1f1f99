import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartSignalFor } from '../../src/gateway/signals.js';
import { chooseRecompute, type RecomputeInput } from '../../src/recompute/choose.js';
import { storeGenerationOf } from '../../src/store/openclaw-version.js';

const base: RecomputeInput = {
  requested: 'auto',
  gatewayRunning: true,
  generation: 'locked-json',
  rpc: { ok: true },
  restart: { ok: true },
  allowRestart: false,
  slotsToFree: 2,
  acpEntries: 2,
};

test('auto: rpc first, then an allowed restart, else refuse before anything changes (never orphan a handle)', () => {
  assert.deepEqual(chooseRecompute(base), { method: 'rpc', allViaRpc: false });
  const noRpc = { ...base, rpc: { ok: false as const, why: 'refused' } };
  assert.equal(chooseRecompute({ ...noRpc, allowRestart: true }).method, 'restart');
  const refused = chooseRecompute(noRpc);
  assert.ok(refused.method === 'refuse' && refused.kind === 'not-recomputed' && /--allow-restart/.test(refused.why) && /nothing was changed/.test(refused.why));
  const impossible = chooseRecompute({ ...noRpc, allowRestart: true, restart: { ok: false, why: 'commands.restart is false' } });
  assert.ok(impossible.method === 'refuse' && /commands.restart is false/.test(impossible.why));
  // Entries without an acp object have no handle to orphan: a plain file edit under the gateway's lock.
  assert.equal(chooseRecompute({ ...noRpc, acpEntries: 0, slotsToFree: 0 }).method, 'file');
});

test('no gateway: plain file prune; nothing holding a slot: no recompute', () => {
  assert.deepEqual(chooseRecompute({ ...base, gatewayRunning: false }), { method: 'file', note: null });
  assert.match(String((chooseRecompute({ ...base, gatewayRunning: false, requested: 'restart' }) as { note: string }).note), /no gateway is running/);
  assert.equal(chooseRecompute({ ...base, slotsToFree: 0, acpEntries: 0 }).method, 'file');
  // An acp object without a counted slot may still have a handle: it goes through RPC too.
  assert.equal(chooseRecompute({ ...base, slotsToFree: 0, acpEntries: 1 }).method, 'rpc');
});

test('nothing answers on the port but a proven gateway process holds the lock: ACP entries are refused, not orphaned', () => {
  const elsewhere = { ...base, gatewayRunning: false, rpc: { ok: false as const, why: 'no running gateway' }, unreachableGateway: { pid: 8690, why: 'pid 8690 does not hold the listening socket on port 18999' } };
  for (const requested of ['auto', 'rpc', 'restart', 'none'] as const) {
    const decision = chooseRecompute({ ...elsewhere, requested });
    assert.ok(decision.method === 'refuse' && decision.kind === 'not-recomputed', requested);
    assert.match((decision as { why: string }).why, /gateway pid 8690 holds this config's lock .*OPENCLAW_GATEWAY_PORT, gateway\.port in its config, or --url.*nothing was changed/);
  }
  // Entries without an acp object have no handle: the file edit under the gateway's lock is safe.
  assert.equal(chooseRecompute({ ...elsewhere, acpEntries: 0, slotsToFree: 0 }).method, 'file');
});

test('the port accepts connections but nothing answers (a hung gateway, or another program): sessions that may hold a handle are refused, not orphaned; the rest is pruned without a "no gateway" claim', () => {
  const silent = { ...base, gatewayRunning: false, rpc: { ok: false as const, why: 'port 18789 accepts connections but nothing there answers as a gateway' }, unansweringListener: { port: 18789, pid: 4242 } };
  for (const requested of ['auto', 'rpc', 'restart', 'none'] as const) {
    const decision = chooseRecompute({ ...silent, requested });
    assert.ok(decision.method === 'refuse' && decision.kind === 'not-recomputed', requested);
    assert.match((decision as { why: string }).why, /^port 18789 accepts connections but nothing there answers as a gateway \(gateway pid 4242 holds this config's lock and the socket: it is hung\): removing \d+ sessions that may hold an ACP runtime handle from the file could orphan them; .*openclaw gateway restart.*nothing was changed$/);
  }
  const unverified = chooseRecompute({ ...silent, unansweringListener: { port: 18789, pid: null } });
  assert.match((unverified as { why: string }).why, /\(a hung gateway, or another program\)/);
  const one = chooseRecompute({ ...silent, acpEntries: 1, slotsToFree: 1 });
  assert.ok(one.method === 'refuse' && /removing 1 session that may hold an ACP runtime handle from the file could orphan it/.test(one.why), JSON.stringify(one));
  // A store only its gateway writes (5.2–7.x JSON, 8.1+ SQLite): nothing is written beside it.
  for (const generation of ['unlocked-json', 'sqlite'] as const) {
    const unsafe = chooseRecompute({ ...silent, generation, acpEntries: 0, slotsToFree: 0 });
    assert.ok(unsafe.method === 'refuse' && unsafe.kind === 'unsafe' && /nothing was changed$/.test(unsafe.why), generation);
  }
  const noHandles = chooseRecompute({ ...silent, acpEntries: 0, slotsToFree: 0 });
  assert.equal(noHandles.method, 'file');
  assert.match(String((noHandles as { note: string }).note), /^port 18789 accepts connections but nothing there answers as a gateway/);
  assert.doesNotMatch(String((noHandles as { note: string }).note), /no gateway is running/);
  // A gateway that answers is judged as before, whatever else listens.
  assert.deepEqual(chooseRecompute({ ...base, unansweringListener: { port: 18789, pid: null } }), { method: 'rpc', allViaRpc: false });
});

test('explicit methods refuse rather than half-do', () => {
  const rpcDown = chooseRecompute({ ...base, requested: 'rpc', rpc: { ok: false, why: 'auth' } });
  assert.deepEqual([rpcDown.method, (rpcDown as { kind: string }).kind], ['refuse', 'not-recomputed']);
  const restartNoAllow = chooseRecompute({ ...base, requested: 'restart' });
  assert.deepEqual([restartNoAllow.method, (restartNoAllow as { kind: string }).kind], ['refuse', 'usage']);
  assert.equal(chooseRecompute({ ...base, requested: 'restart', allowRestart: true }).method, 'restart');
  assert.equal(chooseRecompute({ ...base, requested: 'restart', allowRestart: true, restart: { ok: false, why: 'x' } }).method, 'refuse');
  const none = chooseRecompute({ ...base, requested: 'none' });
  assert.ok(none.method === 'refuse' && /orphan/.test(none.why), '--recompute none would orphan the handles of ACP entries');
  assert.equal(chooseRecompute({ ...base, requested: 'none', acpEntries: 0 }).method, 'file');
});

test('5.2–7.x (no cross-process lock) and 8.1+ (SQLite): only through RPC while the gateway runs', () => {
  for (const generation of ['unlocked-json', 'sqlite'] as const) {
    assert.deepEqual(chooseRecompute({ ...base, generation, requested: 'none' }), { method: 'rpc', allViaRpc: true });
    assert.equal(chooseRecompute({ ...base, generation, requested: 'restart', allowRestart: true }).method, 'refuse', 'restart never silently becomes rpc');
    const refused = chooseRecompute({ ...base, generation, rpc: { ok: false, why: 'down' } });
    assert.deepEqual([refused.method, (refused as { kind: string }).kind], ['refuse', 'unsafe']);
  }
});

test('the signal table: SIGUSR1 on 4.x–8.x, SIGUSR2 on 9.x, nothing when unknown', () => {
  assert.deepEqual(restartSignalFor('2026.4.2'), { ok: true, signal: 'SIGUSR1' });
  assert.deepEqual(restartSignalFor('2026.4.29'), { ok: true, signal: 'SIGUSR1' });
  assert.deepEqual(restartSignalFor('2026.8.1'), { ok: true, signal: 'SIGUSR1' });
  assert.deepEqual(restartSignalFor('2026.9.6'), { ok: true, signal: 'SIGUSR2' });
  assert.equal(restartSignalFor(null).ok, false);
  assert.equal(restartSignalFor('banana').ok, false);
  assert.equal(restartSignalFor('2026.3.1').ok, false);
});

test('version branching: which write protocol each version uses', () => {
  assert.equal(storeGenerationOf('2026.4.2'), 'locked-json');
  assert.equal(storeGenerationOf('2026.4.29'), 'locked-json');
  assert.equal(storeGenerationOf('2026.5.2'), 'unlocked-json');
  assert.equal(storeGenerationOf('2026.7.30'), 'unlocked-json');
  assert.equal(storeGenerationOf('2026.8.1'), 'sqlite');
  assert.equal(storeGenerationOf(null), 'unknown');
});

test('a planned session may hold a handle when its file entry has an acp object, or when it holds a slot (7.x+: from state/openclaw.sqlite, no acp in the file)', async () => {
  const { mayHoldHandle } = await import('../../src/prune/recompute.js');
  const item = (raw: unknown, holdsSlot: boolean) => ({ agentId: 'main', storePath: '/s', key: 'agent:main:acp:x', kind: 'acp' as const, conversation: false, state: 'errored' as const, reason: '', ageMs: 0, holdsSlot, sessionId: 's', fingerprint: null, raw });
  assert.equal(mayHoldHandle(item({ sessionId: 's', acp: { state: 'error' } }, false)), true);
  assert.equal(mayHoldHandle(item({ sessionId: 's' }, true)), true);
  assert.equal(mayHoldHandle(item({ sessionId: 's', acp: null }, false)), false);
  assert.equal(mayHoldHandle(item({ sessionId: 's' }, false)), false);
});

test('a refusal names this install\'s commands when given them (install-commands.ts), bare words otherwise', async () => {
  const { installCommands } = await import('../../src/cli/selection.js');
  const commands = installCommands({ stateDir: '/srv/open claw' }, '/');
  const noRpc = { ...base, rpc: { ok: false as const, why: 'refused' }, commands };
  const notAllowed = chooseRecompute(noRpc);
  assert.ok(notAllowed.method === 'refuse' && notAllowed.why.includes("fix: openclaw-sessions prune --recompute restart --allow-restart --state-dir '/srv/open claw')"), JSON.stringify(notAllowed));
  const impossible = chooseRecompute({ ...noRpc, restart: { ok: false, why: 'commands.restart is false' } });
  assert.ok(impossible.method === 'refuse' && impossible.why.includes("(OPENCLAW_STATE_DIR='/srv/open claw' openclaw gateway stop)"), JSON.stringify(impossible));
  const hung = chooseRecompute({ ...base, commands, gatewayRunning: false, unansweringListener: { port: 18789, pid: null } });
  assert.ok(hung.method === 'refuse' && hung.why.includes("a hung gateway: OPENCLAW_STATE_DIR='/srv/open claw' openclaw gateway restart;"), JSON.stringify(hung));
  const bare = chooseRecompute({ ...noRpc, commands: undefined });
  assert.ok(bare.method === 'refuse' && bare.why.includes('fix: openclaw-sessions prune --recompute restart --allow-restart)'));
});

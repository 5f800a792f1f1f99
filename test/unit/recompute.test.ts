import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgePid, looksLikeGateway } from '../../src/gateway/discover.js';
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
};

test('auto: rpc first, then an allowed restart, else none (exit 5 territory)', () => {
  assert.deepEqual(chooseRecompute(base), { method: 'rpc', allViaRpc: false });
  const noRpc = { ...base, rpc: { ok: false as const, why: 'refused' } };
  assert.equal(chooseRecompute({ ...noRpc, allowRestart: true }).method, 'restart');
  const none = chooseRecompute(noRpc);
  assert.equal(none.method, 'none');
  assert.ok(none.method === 'none' && none.fallback && /--allow-restart/.test(none.why));
  const impossible = chooseRecompute({ ...noRpc, allowRestart: true, restart: { ok: false, why: 'commands.restart is false' } });
  assert.ok(impossible.method === 'none' && /commands.restart is false/.test(impossible.why));
});

test('no gateway: plain file prune; nothing holding a slot: no recompute', () => {
  assert.deepEqual(chooseRecompute({ ...base, gatewayRunning: false }), { method: 'file', note: null });
  assert.match(String((chooseRecompute({ ...base, gatewayRunning: false, requested: 'restart' }) as { note: string }).note), /no gateway is running/);
  assert.equal(chooseRecompute({ ...base, slotsToFree: 0 }).method, 'file');
});

test('explicit methods refuse rather than half-do', () => {
  const rpcDown = chooseRecompute({ ...base, requested: 'rpc', rpc: { ok: false, why: 'auth' } });
  assert.deepEqual([rpcDown.method, (rpcDown as { kind: string }).kind], ['refuse', 'not-recomputed']);
  const restartNoAllow = chooseRecompute({ ...base, requested: 'restart' });
  assert.deepEqual([restartNoAllow.method, (restartNoAllow as { kind: string }).kind], ['refuse', 'usage']);
  assert.equal(chooseRecompute({ ...base, requested: 'restart', allowRestart: true }).method, 'restart');
  assert.equal(chooseRecompute({ ...base, requested: 'restart', allowRestart: true, restart: { ok: false, why: 'x' } }).method, 'refuse');
  assert.deepEqual(chooseRecompute({ ...base, requested: 'none' }), { method: 'none', why: 'requested with --recompute none', fallback: false });
});

test('5.2–7.x (no cross-process lock) and 8.1+ (SQLite): only through RPC while the gateway runs', () => {
  for (const generation of ['unlocked-json', 'sqlite'] as const) {
    assert.deepEqual(chooseRecompute({ ...base, generation, requested: 'none' }), { method: 'rpc', allViaRpc: true });
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

test('pid verification: dead, recycled start time, foreign process, the real thing', () => {
  const lock = { pid: 4242, startTime: 1000, configPath: '/c' };
  assert.deepEqual(judgePid(lock, { alive: false, startTime: null, cmdline: null, title: null }).ok, false);
  const recycled = judgePid(lock, { alive: true, startTime: 2000, cmdline: ['openclaw-gateway'], title: 'openclaw-gatewa' });
  assert.ok(!recycled.ok && recycled.why === 'recycled');
  const foreign = judgePid(lock, { alive: true, startTime: 1000, cmdline: ['sleep', '600'], title: 'sleep' });
  assert.ok(!foreign.ok && foreign.why === 'not-gateway');
  assert.deepEqual(judgePid(lock, { alive: true, startTime: 1000, cmdline: ['openclaw-gateway', '', ''], title: 'openclaw-gatewa' }), { ok: true });
  assert.ok(looksLikeGateway(['/usr/bin/node', '/opt/lib/node_modules/openclaw/openclaw.mjs', 'gateway', 'run'], 'node'));
  assert.ok(!looksLikeGateway(['/usr/bin/node', '/opt/openclaw/openclaw.mjs', 'agent'], 'node'));
});

/**
 * With the ACP state unreadable (7.x+ keeps it in state/openclaw.sqlite; Node < 22.13 cannot read
 * it) nothing is known about which sessions hold slots, so nothing may say "0 held". Observed on
 * a real 2026.7.35 gateway stuck at 3/3, the tool on the machine's Node 20 (helper-22): doctor said
 * `ok  on disk: 0 of 3 ACP slots held` and, on the live count, "prune refuses the store holding
 * them until the unsafe-store problem below is fixed" (there was no such problem); `metrics`
 * exported `openclaw_acp_slots_held 0` for every agent, so the shipped OpenClawAcpOrphanedHandles
 * alert (live > held on disk) would fire and advise a restart. The inventory is the real one, of
 * a real 7.35 snapshot whose state database cannot be read.
 */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { collectFindings } from '../../src/doctor/collect.js';
import type { GatewayStatus } from '../../src/gateway/probe.js';
import { takeInventory } from '../../src/inventory.js';
import { renderExposition } from '../../src/metrics/exposition.js';
import { metricFamilies, type MetricsInput } from '../../src/metrics/families.js';
import { describeSlots, summarize } from '../../src/sessions/summary.js';
import { parseExposition } from '../helpers/prometheus.js';
import { tempDir } from '../helpers/tmp.js';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/acp-state/2026.7.35', import.meta.url));

function unreadableInstall() {
  const state = path.join(tempDir(), 'state');
  cpSync(FIXTURE, state, { recursive: true });
  writeFileSync(path.join(state, 'state', 'openclaw.sqlite'), 'not a database');
  writeFileSync(path.join(state, 'openclaw.json'), '{ acp: { enabled: true, maxConcurrentSessions: 3 } }');
  const inventory = takeInventory({}, { stateDir: state, staleAfterMs: 30 * 60_000 });
  assert.equal(inventory.acpState.source, 'unreadable');
  return inventory;
}

function gateway(live: number | null): GatewayStatus {
  const running = live !== null;
  return {
    running, gateway: running ? { pid: 4242 } : null, stale: [], remote: false, ready: running, version: running ? '2026.7.35' : null, url: 'ws://127.0.0.1:1', port: 1,
    rpc: running ? { ok: true, methods: [], scopes: [] } : { ok: false, why: 'no gateway' }, live: { activeRuntimeSessions: live, report: null, why: null },
    restart: { ok: false, why: 'in-process', fix: 'restart it yourself' }, noRespawn: null, withheld: [], generation: 'unlocked-json',
    discovery: { health: {}, secrets: { ok: true, why: '' } },
  } as unknown as GatewayStatus;
}

test('describeSlots: an unknown count is said to be unknown, never "0 of 3"', () => {
  const summary = summarize([], 3, () => false);
  assert.equal(describeSlots(summary), '0 of 3 ACP slots held');
  const text = describeSlots(summary, { heldUnknown: 'the ACP state in /s/state/openclaw.sqlite is unreadable' });
  assert.equal(text, 'ACP slots held (cap 3): unknown, the ACP state in /s/state/openclaw.sqlite is unreadable');
});

test('doctor, gateway at 3/3, ACP state unreadable: the cap finding points at the ACP state, not at an unsafe store', () => {
  const findings = collectFindings(unreadableInstall(), gateway(3));
  const cap = findings.find((f) => f.id === 'cap-reached');
  assert.ok(cap, JSON.stringify(findings));
  assert.doesNotMatch(cap.message, /unsafe/);
  assert.match(cap.message, /ACP state/);
  assert.match(cap.fix ?? '', /Node\.js 22\.13/);
  const slots = findings.find((f) => f.id === 'slots');
  assert.ok(slots && slots.severity !== 'ok', JSON.stringify(slots));
  assert.doesNotMatch(slots.message, /\b0 of 3\b/);
  assert.match(slots.message, /unknown/);
});

test('doctor, no gateway, ACP state unreadable: no "0 of 3 held" marked ok', () => {
  const findings = collectFindings(unreadableInstall(), gateway(null));
  const slots = findings.find((f) => f.id === 'slots');
  assert.ok(slots && slots.severity !== 'ok', JSON.stringify(findings));
  assert.doesNotMatch(slots.message, /\b0 of 3\b/);
});

test('metrics: slots held on disk are absent (not 0) while the ACP state is unreadable, and the gauge says why', async () => {
  const base: MetricsInput = {
    sessions: [{ agentId: 'failer', kind: 'acp', state: 'unknown', holdsSlot: false, ageMs: 1000 }],
    prunable: [],
    stores: [{ agentId: 'failer', path: '/s/failer/sessions.json', readable: true, sizeBytes: 10 }],
    cap: 3,
    gateway: { up: true, version: '2026.7.35' },
    live: { ok: true, activeRuntimeSessions: 3 },
    lastPrune: null,
    toolVersion: '0.1.0',
    collectSeconds: 0.1,
  };
  const unreadable = parseExposition(await renderExposition(metricFamilies({ ...base, acpStateReadable: false })));
  assert.equal(unreadable.filter((s) => s.name === 'openclaw_acp_slots_held' || s.name === 'openclaw_acp_slots_held_by_state').length, 0);
  assert.deepEqual(unreadable.filter((s) => s.name === 'openclaw_acp_state_readable').map((s) => s.value), [0]);
  const readable = parseExposition(await renderExposition(metricFamilies({ ...base, acpStateReadable: true })));
  assert.deepEqual(readable.filter((s) => s.name === 'openclaw_acp_slots_held').map((s) => s.value), [0]);
  assert.deepEqual(readable.filter((s) => s.name === 'openclaw_acp_state_readable').map((s) => s.value), [1]);
  // 4.x keeps ACP state in the entries: no such database, no gauge.
  const entries = parseExposition(await renderExposition(metricFamilies({ ...base, acpStateReadable: null })));
  assert.equal(entries.filter((s) => s.name === 'openclaw_acp_state_readable').length, 0);
});

/**
 * With no gateway running, nothing holds an ACP slot: the count lives in the gateway's memory.
 * Observed (helper-22, then test/e2e/start-recreate.test.ts on real gateways): doctor said
 * `PROBLEM 3 of 3 ACP slots held … new ACP spawns fail` (exit 6) from the stores, while a 7.35
 * gateway started over 4 such entries held 1 handle (the session spawned without a turn) and
 * accepted spawns. And `list --json` said `slotsHeld: 0` while the ACP state was unreadable.
 */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildListReport, liveFooter } from '../../src/cli/commands/list.js';
import { collectFindings } from '../../src/doctor/collect.js';
import type { GatewayStatus } from '../../src/gateway/probe.js';
import { takeInventory, type Inventory } from '../../src/inventory.js';
import { listReportSchema } from '../../src/report/list-report.js';
import { gatewaySlots } from '../../src/sessions/gateway-slots.js';
import { acpEntry, chatEntry } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const MIN = 60_000;
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/acp-state/2026.7.35', import.meta.url));
const OPTIONS = { staleAfterMs: 30 * MIN };

/** Nothing answers on the port, no lock: no gateway at all. */
const NO_GATEWAY = {
  running: false, gateway: null, stale: [], remote: false, ready: false, version: null, url: 'ws://127.0.0.1:1', port: 1,
  rpc: { ok: false, why: 'no gateway' }, live: { activeRuntimeSessions: null, report: null, why: 'no gateway' },
  restart: { ok: false, why: 'no gateway' }, noRespawn: null, withheld: [], generation: 'locked-json',
  discovery: { health: { listening: false, healthz: null, readyz: null, websocket: null, silent: false }, secrets: { ok: true, why: '' } },
} as unknown as GatewayStatus;

/** Cap 4: two errored and one idle session that ran a turn (identity resolved), one spawned without a turn (pending). */
function install(version: string | null, pendingSessions = 1): Inventory {
  const state = path.join(tempDir(), 'state');
  writeFile(path.join(state, 'openclaw.json'), '{ acp: { enabled: true, maxConcurrentSessions: 4, runtime: { ttlMinutes: 30 } } }');
  const resolved = { identity: { state: 'resolved', source: 'status', lastUpdatedAt: Date.now() } };
  const pending = { identity: { state: 'pending', source: 'ensure', lastUpdatedAt: Date.now() } };
  const store: Record<string, unknown> = {
    'agent:main:main': chatEntry('m', MIN),
    'agent:main:acp:e1': acpEntry('e1', 60 * MIN, { state: 'error', lastError: 'x', ...resolved }, { status: 'failed' }),
    'agent:main:acp:e2': acpEntry('e2', 60 * MIN, { state: 'error', lastError: 'x', ...resolved }, { status: 'failed' }),
  };
  for (let i = 0; i < pendingSessions; i++) store[`agent:main:acp:p${i}`] = acpEntry(`p${i}`, 5 * MIN, { state: 'idle', ...pending });
  if (pendingSessions < 2) store['agent:main:acp:i1'] = acpEntry('i1', 5 * MIN, { state: 'idle', ...resolved }, { status: 'done' });
  writeFile(storePath(state, 'main'), store);
  const inventory = takeInventory({}, { stateDir: state, ...OPTIONS });
  return { ...inventory, openclaw: { version, source: version ? 'package' : 'unknown' } } as Inventory;
}

test('doctor, no gateway, 4 of 4 on disk: no "spawns fail", no problem; on 7.35 the start count is the pending sessions', () => {
  const findings = collectFindings(install('2026.7.35'), NO_GATEWAY);
  assert.equal(findings.find((f) => f.id === 'cap-reached'), undefined, JSON.stringify(findings));
  assert.ok(!findings.some((f) => f.severity === 'problem'), JSON.stringify(findings));
  const slots = findings.find((f) => f.id === 'slots')!;
  assert.match(slots.message, /^on disk: 4 of 4 ACP slots held by 2 idle, 2 errored; no gateway runs, so no ACP slot is held now; a gateway started now would count 1 of 4 /);
  const terminal = findings.find((f) => f.id === 'terminal-slots')!;
  assert.match(terminal.message, /^2 terminal session\(s\) \(errored\/stale\) in the stores: no gateway runs, so they hold no ACP slot now/);
  assert.equal(terminal.fix, 'openclaw-sessions prune');
});

test('doctor, no gateway, a version whose start was not observed: no count claimed', () => {
  // 2026.4.2 re-created none of its 2 pending sessions' handles (docs/openclaw-restart.md).
  for (const version of ['2026.4.2', null]) {
    const slots = collectFindings(install(version), NO_GATEWAY).find((f) => f.id === 'slots')!;
    assert.match(slots.message, /no gateway runs, so no ACP slot is held now; what a gateway started now would count was not observed for .*at most 1 here/);
    assert.doesNotMatch(slots.message, /would count \d/);
  }
});

test('doctor, no gateway, 7.35, as many pending sessions as the cap: a PROBLEM (exit 6), spawns would fail after a start', () => {
  const findings = collectFindings(install('2026.7.35', 4), NO_GATEWAY);
  const problem = findings.find((f) => f.id === 'cap-on-start');
  assert.equal(problem?.severity, 'problem', JSON.stringify(findings));
  assert.match(problem.message, /a gateway started now would count 4 of 4 .*: new ACP spawns would fail .* after a start/);
  assert.match(problem.fix!, /\(openclaw-sessions list --acp --state idle\)$/);
  // The pointer lists the install the run looked at: pasted elsewhere, a bare `list` shows ~/.openclaw's.
  const pinned = collectFindings(install('2026.7.35', 4), NO_GATEWAY, { stateDir: '/srv/oc state' }).find((f) => f.id === 'cap-on-start');
  assert.match(pinned!.fix!, /\(openclaw-sessions list --acp --state idle --state-dir '\/srv\/oc state'\)$/);
});

test('list, no gateway: the live line says no slot is held now (none printed before)', () => {
  const inventory = install('2026.7.35');
  assert.match(liveFooter(NO_GATEWAY, 4, 4, {}, inventory), /^Live: no gateway runs, so no ACP slot is held now; a gateway started now would count 1 of 4 /);
  assert.equal(liveFooter(NO_GATEWAY, 0, 4, {}, inventory), '', 'nothing on disk: nothing to say');
});

test('list --json, ACP state unreadable: every slot count is null (schema 3 on), never 0', () => {
  const state = path.join(tempDir(), 'state');
  cpSync(FIXTURE, state, { recursive: true });
  writeFileSync(path.join(state, 'state', 'openclaw.sqlite'), 'not a database');
  writeFileSync(path.join(state, 'openclaw.json'), '{ acp: { enabled: true, maxConcurrentSessions: 3 } }');
  const inventory = takeInventory({}, { stateDir: state, ...OPTIONS });
  const report = buildListReport(inventory, {}, gatewaySlots(inventory, {}, { stateDir: state, ...OPTIONS }));
  assert.equal(report.schemaVersion, 4);
  assert.deepEqual(report.summary.acp, { slotsHeld: null, cap: 3, heldByState: null, heldByTerminal: null });
  for (const agent of Object.values(report.summary.byAgent)) assert.equal(agent.slotsHeld, null);
  assert.deepEqual([report.gatewaySlots.slotsHeld, report.gatewaySlots.heldByState, report.gatewaySlots.heldByTerminal], [null, null, null]);
  listReportSchema.parse(JSON.parse(JSON.stringify(report)));
  // Readable: numbers, as before.
  const readable = install('2026.7.35');
  const known = buildListReport(readable, {}, gatewaySlots(readable, {}, OPTIONS));
  assert.equal(known.summary.acp.slotsHeld, 4);
  assert.equal(known.gatewaySlots.slotsHeld, 4);
});

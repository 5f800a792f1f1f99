import { SESSION_STATES } from '../../src/sessions/classify.js';
import { SESSION_KINDS } from '../../src/sessions/keys.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderExposition } from '../../src/metrics/exposition.js';
import { METRIC_HELP, collectorFamilies, metricFamilies, type MetricsInput } from '../../src/metrics/families.js';
import { parseExposition, valueOf } from '../helpers/prometheus.js';

function input(over: Partial<MetricsInput> = {}): MetricsInput {
  return {
    sessions: [
      { agentId: 'main', kind: 'acp', state: 'errored', holdsSlot: true, ageMs: 45 * 60_000 },
      { agentId: 'main', kind: 'acp', state: 'errored', holdsSlot: true, ageMs: 5 * 60_000 },
      { agentId: 'main', kind: 'acp', state: 'idle', holdsSlot: true, ageMs: 1000 },
      { agentId: 'main', kind: 'main', state: 'idle', holdsSlot: false, ageMs: 1000 },
      { agentId: 'ops', kind: 'subagent', state: 'finished', holdsSlot: false, ageMs: 3_600_000 },
    ],
    prunable: [{ agentId: 'main', holdsSlot: true }, { agentId: 'ops', holdsSlot: false }],
    stores: [
      { agentId: 'main', path: '/s/main/sessions.json', readable: true, sizeBytes: 100 },
      { agentId: 'main', path: '/s/main/old.json', readable: true, sizeBytes: 20 },
      { agentId: 'ops', path: '/s/ops/sessions.json', readable: true, sizeBytes: 7 },
    ],
    cap: 3,
    gateway: { up: true, version: '2026.4.2' },
    live: { ok: true, activeRuntimeSessions: 3 },
    lastPrune: null,
    toolVersion: '0.1.0',
    collectSeconds: 0.25,
    ...over,
  };
}

async function samplesOf(i: MetricsInput) {
  return parseExposition(await renderExposition(metricFamilies(i)));
}

test('counts by agent, kind and state; zeros for every other combination of a known agent', async () => {
  const s = await samplesOf(input());
  assert.equal(valueOf(s, 'openclaw_sessions', { agent: 'main', kind: 'acp', state: 'errored' }), 2);
  assert.equal(valueOf(s, 'openclaw_sessions', { agent: 'ops', kind: 'acp', state: 'errored' }), 0);
  assert.equal(s.filter((x) => x.name === 'openclaw_sessions').length, 2 * SESSION_KINDS.length * SESSION_STATES.length);
  assert.equal(valueOf(s, 'openclaw_acp_slots_held', { agent: 'main' }), 3);
  assert.equal(valueOf(s, 'openclaw_acp_slots_held', { agent: 'ops' }), 0);
  assert.equal(valueOf(s, 'openclaw_acp_slots_held_by_state', { agent: 'main', state: 'errored' }), 2);
  assert.equal(valueOf(s, 'openclaw_acp_errored_slot_oldest_age_seconds', { agent: 'main' }), 2700);
  assert.equal(valueOf(s, 'openclaw_acp_errored_slot_oldest_age_seconds', { agent: 'ops' }), undefined);
  assert.equal(valueOf(s, 'openclaw_sessions_prunable', { agent: 'ops' }), 1);
  assert.equal(valueOf(s, 'openclaw_acp_slots_prunable', { agent: 'ops' }), 0);
  assert.equal(valueOf(s, 'openclaw_sessions_store_bytes', { agent: 'main' }), 120, 'both of the agent\'s stores');
  assert.equal(valueOf(s, 'openclaw_sessions_store_readable', { agent: 'main' }), 1);
  assert.equal(valueOf(s, 'openclaw_sessions_store_readable', { agent: 'ops' }), 1);
  assert.equal(valueOf(s, 'openclaw_acp_active_runtime_sessions'), 3);
  assert.equal(valueOf(s, 'openclaw_gateway_info', { version: '2026.4.2' }), 1);
});

// helper-28: `openclaw_acp_slots_held{agent="main"} 0` beside an unparsable store of main's, and the
// shipped orphaned-handles alert sums that family across agents.
test('a store that cannot be read: its agent\'s counts are absent, and every slots_held series while it lasts', async () => {
  const stores = input().stores.map((store) => (store.path === '/s/main/old.json' ? { ...store, readable: false } : store));
  const s = await samplesOf(input({ stores }));
  assert.equal(valueOf(s, 'openclaw_sessions_store_readable', { agent: 'main' }), 0, 'one unreadable store makes the agent unreadable');
  assert.equal(valueOf(s, 'openclaw_sessions_store_readable', { agent: 'ops' }), 1);
  assert.equal(s.filter((x) => x.name === 'openclaw_sessions' && x.labels.agent === 'main').length, 0, 'main\'s counts are unknown, not 0');
  assert.equal(s.filter((x) => x.name === 'openclaw_sessions' && x.labels.agent === 'ops').length, SESSION_KINDS.length * SESSION_STATES.length);
  assert.equal(valueOf(s, 'openclaw_sessions_prunable', { agent: 'main' }), undefined);
  assert.equal(valueOf(s, 'openclaw_sessions_prunable', { agent: 'ops' }), 1);
  assert.equal(s.filter((x) => x.name.startsWith('openclaw_acp_slots_held')).length, 0, 'a sum across agents that leaves main out would fire the orphaned-handles alert');
  assert.equal(valueOf(s, 'openclaw_acp_active_runtime_sessions'), 3);
});

test('unknowns are absent, never 0: no cap, unreadable live count, gateway down, no prune recorded', async () => {
  const s = await samplesOf(input({ cap: null, live: { ok: false, why: 'no scope' }, gateway: { up: false, version: null } }));
  for (const name of ['openclaw_acp_slots_cap', 'openclaw_acp_active_runtime_sessions', 'openclaw_gateway_info', 'openclaw_sessions_last_prune_timestamp_seconds', 'openclaw_sessions_last_prune_exit_code']) {
    assert.equal(s.filter((x) => x.name === name).length, 0, name);
  }
  assert.equal(valueOf(s, 'openclaw_gateway_up'), 0);
  const text = await renderExposition(metricFamilies(input({ cap: null, live: null })));
  assert.doesNotMatch(text, /openclaw_acp_slots_cap/, 'not even a HELP line');
});

test('the last prune and the last success come from the recorded status', async () => {
  const run = { runId: 'r', startedAt: '2026-12-01T00:00:00.000Z', finishedAt: '2026-12-01T00:00:02.500Z', exitCode: 5, removed: 3, slotsFreed: 3, toolVersion: '0.1.0', scope: 'all agents' };
  const ok = { ...run, finishedAt: '2026-11-30T23:45:00.000Z', exitCode: 0 };
  const s = await samplesOf(input({ lastPrune: { version: 1, last: run, lastSuccess: ok } }));
  assert.equal(valueOf(s, 'openclaw_sessions_last_prune_timestamp_seconds'), Date.parse(run.finishedAt) / 1000);
  assert.equal(valueOf(s, 'openclaw_sessions_last_prune_exit_code'), 5);
  assert.equal(valueOf(s, 'openclaw_sessions_last_prune_removed'), 3);
  assert.equal(valueOf(s, 'openclaw_sessions_last_prune_duration_seconds'), 2.5);
  assert.equal(valueOf(s, 'openclaw_sessions_last_successful_prune_timestamp_seconds'), Date.parse(ok.finishedAt) / 1000);
  // helper-34: a real run's duration read 2.7200000286102295 (a difference of two Unix times in seconds).
  const real = { ...run, startedAt: '2026-12-03T06:43:46.362Z', finishedAt: '2026-12-03T06:43:49.082Z' };
  assert.equal(valueOf(await samplesOf(input({ lastPrune: { version: 1, last: real, lastSuccess: null } })), 'openclaw_sessions_last_prune_duration_seconds'), 2.72);
});

test('label values are escaped by the library (a hostile version string stays one sample)', async () => {
  const text = await renderExposition(metricFamilies(input({ gateway: { up: true, version: 'x"}\nevil 1' } })));
  const s = parseExposition(text);
  assert.equal(valueOf(s, 'openclaw_gateway_info', { version: 'x"}\nevil 1' }), 1);
  assert.equal(s.filter((x) => x.name === 'evil').length, 0);
});

test('a failed collection says only that, with HELP and TYPE for each family', async () => {
  const text = await renderExposition(collectorFamilies(false, '0.1.0', 0.1));
  assert.match(text, /^# HELP openclaw_sessions_collect_success /m);
  assert.match(text, /^# TYPE openclaw_sessions_collect_success gauge$/m);
  assert.equal(valueOf(parseExposition(text), 'openclaw_sessions_collect_success'), 0);
});

test('every metric is named the Prometheus way and documented in the README', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const [name, help] of Object.entries(METRIC_HELP)) {
    assert.match(name, /^openclaw_[a-z_]+$/);
    assert.ok(!/_(ms|milliseconds|kb|mb|minutes)$/.test(name), `${name}: base units only`);
    assert.ok(help.length > 20, name);
    assert.ok(readme.includes(`\`${name}\``), `README does not document ${name}`);
  }
});

test('a secret of root\'s withheld from the gateway is a series per variable, absent when none was', async () => {
  const none = await samplesOf(input());
  assert.equal(none.filter((x) => x.name === 'openclaw_gateway_secret_withheld').length, 0);
  const s = await samplesOf(input({ withheldSecrets: ['OPENCLAW_GATEWAY_TOKEN', 'OPENCLAW_GATEWAY_PASSWORD'] }));
  assert.equal(valueOf(s, 'openclaw_gateway_secret_withheld', { variable: 'OPENCLAW_GATEWAY_TOKEN' }), 1);
  assert.equal(valueOf(s, 'openclaw_gateway_secret_withheld', { variable: 'OPENCLAW_GATEWAY_PASSWORD' }), 1);
});

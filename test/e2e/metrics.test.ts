/**
 * `metrics --textfile` on a running real OpenClaw 2026.4.2 gateway, scraped through a real
 * node_exporter: the stuck state (3 failed persistent sessions holding 3 of 3 slots) as the
 * gateway itself counts it, then orphaned handles (entries removed from the file while the
 * gateway kept their handles).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCliAsync } from '../helpers/cli.js';
import { NODE_EXPORTER, needBinary, parseExposition, startNodeExporter, valueOf, type NodeExporter, type ParsedSample } from '../helpers/prometheus.js';
import { tempDir, trackedChildren } from '../helpers/tmp.js';
import { e2eUnavailable, RealGateway } from './real-gateway.js';

const unavailable = e2eUnavailable();
const skip = unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false;
if (unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

const children = trackedChildren();

describe('real gateway: metrics through node_exporter', { skip, timeout: 600_000 }, () => {
  const gateway = new RealGateway();
  let exporter: NodeExporter | null = null;
  // Made here, not in a test: a temp dir made inside a test is removed when that test ends.
  const textDir = tempDir('ocs-e2e-textfile-');
  before(async () => gateway.start(), { timeout: 180_000 });
  after(async () => {
    await exporter?.stop();
    await gateway.stop();
  });

  async function collect(): Promise<ParsedSample[]> {
    const run = await runCliAsync(['metrics', '--textfile', textDir], gateway.env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    const samples = parseExposition(await exporter!.scrape());
    assert.equal(valueOf(samples, 'node_textfile_scrape_error'), 0);
    assert.equal(valueOf(samples, 'openclaw_sessions_collect_success'), 1);
    return samples;
  }

  test('stuck: the live count 3, three errored sessions holding 3 of 3 slots, gateway up with its version', async (t) => {
    if (!needBinary(t, NODE_EXPORTER, 'prometheus-node-exporter')) return;
    exporter = await startNodeExporter(textDir, children);

    for (let i = 0; i < 3; i++) await gateway.spawnFailedSession();
    assert.equal(await gateway.activeRuntimeSessions(), 3, 'the harness sees the gateway stuck');

    const samples = await collect();
    assert.equal(valueOf(samples, 'openclaw_gateway_up'), 1);
    const info = samples.filter((s) => s.name === 'openclaw_gateway_info');
    assert.deepEqual(info.map((s) => [s.labels.version, s.value]), [['2026.4.2', 1]]);
    assert.equal(valueOf(samples, 'openclaw_acp_slots_cap'), 3);
    assert.equal(valueOf(samples, 'openclaw_acp_active_runtime_sessions'), 3, 'the gateway\'s own live count');
    assert.equal(valueOf(samples, 'openclaw_acp_slots_held', { agent: 'failer' }), 3);
    assert.equal(valueOf(samples, 'openclaw_acp_slots_held_by_state', { agent: 'failer', state: 'errored' }), 3);
    assert.equal(valueOf(samples, 'openclaw_sessions', { agent: 'failer', kind: 'acp', state: 'errored' }), 3);
    assert.equal(valueOf(samples, 'openclaw_sessions_store_readable', { agent: 'failer' }), 1);
    // They failed seconds ago: inside the default 10m grace, so a default prune takes none yet.
    assert.equal(valueOf(samples, 'openclaw_sessions_prunable', { agent: 'failer' }), 0);

    // The live read goes to a session of the tool's own, which it deletes: no user session gains an entry.
    const main = Object.keys(gateway.storeOf('main'));
    assert.deepEqual(main.filter((key) => key.includes('openclaw-sessions-probe')), [], 'probe session left in the store');
    const mainDir = path.join(gateway.stateDir, 'agents', 'main', 'sessions');
    if (existsSync(mainDir)) t.diagnostic(`files in the main sessions dir after one metrics run: ${readdirSync(mainDir).join(', ')}`);
    // 4.2 archives a deleted session's transcript and keeps it; the reader removes its probe's own.
    const archives = existsSync(mainDir) ? readdirSync(mainDir).filter((name) => name.includes('.jsonl.deleted.')) : [];
    assert.deepEqual(archives, [], 'the live read left its probe transcript archived');
  });

  test('unstuck: prune (RPC) frees the three slots; the live count, the slots on disk and the last prune show it', async (t) => {
    if (!exporter) return t.skip('needs the first test');
    const pruned = await runCliAsync(['prune', '--yes', '--quiet', '--older-than', '0'], gateway.env);
    assert.equal(pruned.status, 0, pruned.stderr);
    const samples = await collect();
    assert.equal(valueOf(samples, 'openclaw_acp_active_runtime_sessions'), 0);
    assert.equal(valueOf(samples, 'openclaw_acp_slots_held', { agent: 'failer' }), 0);
    assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_removed'), 3);
    assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_slots_freed'), 3);
    assert.equal(valueOf(samples, 'openclaw_sessions_last_prune_exit_code'), 0);
  });

  test('orphaned handles: an entry removed from the file behind the gateway\'s back leaves live 1 over 0 on disk', async (t) => {
    if (!exporter) return t.skip('needs the first test');
    const key = await gateway.spawnFailedSession();
    // What an outside edit does (facts §11): the entry goes, the gateway keeps the handle.
    const file = path.join(gateway.stateDir, 'agents', 'failer', 'sessions', 'sessions.json');
    const store = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete store[key];
    writeFileSync(`${file}.edit`, JSON.stringify(store, null, 2), { mode: 0o600 });
    renameSync(`${file}.edit`, file);
    const samples = await collect();
    assert.equal(valueOf(samples, 'openclaw_acp_active_runtime_sessions'), 1, 'the gateway still holds the handle');
    assert.equal(valueOf(samples, 'openclaw_acp_slots_held', { agent: 'failer' }), 0);
    assert.equal(await gateway.activeRuntimeSessions(), 1, 'the harness agrees: an orphan');
  });
});

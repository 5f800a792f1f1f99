/**
 * A copy of a real gateway's state dir, pruned while the original's gateway runs (helper-27's
 * walk, 2026-12-01, on 2026.4.2: the copy shares the original's port and token, the tool found
 * the original's gateway by its port, and its RPC delete removed the session from the ORIGINAL
 * store). The copy's run must send that gateway nothing: the original keeps its session and its
 * count. Runs in the 4.2 lane (its JSON store is what a copy carries whole).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCliAsync } from '../helpers/cli.js';
import { e2eUnavailable, LANE, RealGateway } from './real-gateway.js';

const unavailable = e2eUnavailable();
const otherLane = LANE.version !== '2026.4.2' ? `the ${LANE.version} lane runs lanes.test.ts only` : false;
const skip = otherLane || (unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false);
if (!otherLane && unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

describe('real gateway: prune on a copy of its state dir', { skip, timeout: 600_000 }, () => {
  const gateway = new RealGateway();
  before(async () => gateway.start(), { timeout: 180_000 });
  after(async () => gateway.stop());

  test("the original's gateway gets no delete: its store and count are unchanged", async () => {
    const key = await gateway.spawnFailedSession();
    assert.equal(await gateway.activeRuntimeSessions(), 1);
    gateway.dropClient();
    const copy = path.join(path.dirname(gateway.stateDir), 'copy');
    cpSync(gateway.stateDir, copy, { recursive: true });
    const otherTmp = path.join(path.dirname(gateway.stateDir), 'other-tmp');
    mkdirSync(otherTmp, { recursive: true });
    const originalStore = path.join(gateway.stateDir, 'agents', 'failer', 'sessions', 'sessions.json');
    const before = readFileSync(originalStore, 'utf8');
    const env = { ...gateway.env, OPENCLAW_STATE_DIR: copy, OPENCLAW_CONFIG_PATH: path.join(copy, 'openclaw.json'), TMPDIR: otherTmp };

    const status = JSON.parse((await runCliAsync(['gateway', '--json'], env)).stdout) as { trusted: { ok: boolean; why: string }; acp: { activeRuntimeSessions: number | null } };
    assert.equal(status.trusted.ok, false);
    assert.match(status.trusted.why, new RegExp(`serves ${gateway.stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, not ${copy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another install's gateway`));
    assert.equal(status.acp.activeRuntimeSessions, null);

    const pruned = await runCliAsync(['prune', '--yes', '--older-than', '0'], env);
    process.stdout.write(`# ${LANE.version} prune on the copy: exit ${pruned.status}: ${pruned.stderr.trim().split('\n')[0]}\n`);
    assert.notEqual(pruned.status, 0);
    assert.match(pruned.stderr, /another install's, never asked to delete this install's sessions/);
    assert.match(pruned.stderr, /give the copy its own port/);
    assert.doesNotMatch(pruned.stderr, /gateway stop/);
    assert.equal(readFileSync(originalStore, 'utf8'), before, 'the original store is untouched');
    assert.ok(gateway.storeOf('failer')[key], 'the session is still in the original install');
    assert.equal(await gateway.activeRuntimeSessions(), 1, "the original gateway's count is unchanged");
  });
});

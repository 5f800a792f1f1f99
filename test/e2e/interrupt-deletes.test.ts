/**
 * Ctrl-C in the middle of a prune's `sessions.delete` calls, on a real gateway: the gateway is
 * stopped (SIGSTOP) as soon as it has deleted the first planned session, so the tool is between
 * deletes or waiting on one when SIGINT comes. The run must end with exit 130 and one line saying
 * how many sessions the gateway had deleted (not "the store holds either its old or its new
 * content", true of a file edit only), and the journal must commit exactly those keys, the one in
 * flight as `unconfirmed` (seen on 2026.9.6: a record claiming all 4 of 4 planned, uncommitted,
 * after Ctrl-C had stopped the run with 3 deleted). `last-prune.json` records the interrupted run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { BIN, runCliAsync } from '../helpers/cli.js';
import { e2eUnavailable, LANE, RealGateway } from './real-gateway.js';

const unavailable = e2eUnavailable();
const skip = unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false;
if (unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

describe(`real gateway ${LANE.version}: Ctrl-C between sessions.delete calls`, { skip, timeout: 900_000 }, () => {
  const gateway = new RealGateway({ maxConcurrentSessions: 6 });
  before(async () => gateway.start(), { timeout: 600_000 });
  after(async () => {
    const pid = gateway.lockPid();
    if (pid) process.kill(pid, 'SIGCONT');
    await gateway.stop();
  });

  test('exit 130, one line with the number the gateway deleted, the journal commits exactly those; a second prune takes the rest', async () => {
    const failed: string[] = [];
    for (let i = 0; i < 5; i++) failed.push(await gateway.spawnFailedSession());
    gateway.dropClient();
    const gone = () => failed.filter((key) => gateway.storeOf('failer')[key] === undefined);
    const child = spawn(process.execPath, [BIN, 'prune', '--yes', '--older-than', '0'], { env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...gateway.env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Polled tightly (not waitFor's 250 ms): the gateway must stop with deletes still to come.
    for (let tries = 0; gone().length === 0; tries++) {
      assert.ok(tries < 10_000, 'the gateway deleted nothing');
      await sleep(20);
    }
    const pid = gateway.lockPid()!;
    process.kill(pid, 'SIGSTOP');
    const goneAtStop = gone();
    assert.ok(goneAtStop.length < failed.length, `all ${failed.length} were deleted before the gateway could be stopped`);
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    const lines = stderr.trimEnd().split('\n').filter((line) => !/waiting for the gateway/.test(line));
    assert.equal(lines.length, 1, stderr);
    // Its `list` pointer names the install the run pruned (OPENCLAW_STATE_DIR chose it), as every printed command does.
    const said = /^openclaw-sessions: interrupted by SIGINT; .*the gateway had deleted (\d+) of 5 planned sessions \(sessions\.delete\)(?:; the delete of (\S+) was sent and may still happen)?; the others are untouched \(openclaw-sessions list --state-dir .+ shows what is left\)/.exec(lines[0]!);
    assert.ok(said, lines[0]);
    process.kill(pid, 'SIGCONT');
    // The interrupted run is what `metrics` reports as the last prune: exit 130, the deletes the
    // gateway answered, no slots claimed (helper-32: the previous run stayed there instead).
    const lastPrune = () => (JSON.parse(readFileSync(path.join(gateway.stateDir, 'openclaw-sessions', 'last-prune.json'), 'utf8')) as { last: { exitCode: number; removed: number; slotsFreed: number | null } }).last;
    assert.deepEqual([lastPrune().exitCode, lastPrune().removed, lastPrune().slotsFreed], [130, Number(said[1]), null]);

    const runs = JSON.parse((await runCliAsync(['restore', '--list', '--json'], gateway.env)).stdout) as { runs: Array<{ removed: string[]; unconfirmed: string[]; committed: boolean }> };
    const run = runs.runs[0]!;
    assert.equal(run.committed, true, 'the interrupted run has its commit record');
    assert.equal(run.removed.length, Number(said[1]), 'the journal commits what the line says');
    assert.deepEqual(run.unconfirmed, said[2] ? [said[2]] : []);
    // What the gateway had deleted when it stopped is what the tool recorded, plus at most the delete in flight.
    for (const key of run.removed) assert.ok(goneAtStop.includes(key), `${key} recorded as deleted but still there at the stop`);
    for (const key of goneAtStop) assert.ok(run.removed.includes(key) || run.unconfirmed.includes(key), `${key} was deleted but not recorded`);

    // Resumed, the gateway first finishes the delete it was in: on 4.29 each sessions.delete blocks
    // its event loop 7-22 s (docs/openclaw-probe-delete.md), and a prune then finds it silent and
    // rightly refuses (exit 5). The operator's second prune comes once it answers again.
    await gateway.waitFor(async () => {
      try {
        await gateway.activeRuntimeSessions();
        return true;
      } catch {
        gateway.dropClient();
        return false;
      }
    }, 180_000, 'the resumed gateway to answer again');
    gateway.dropClient();
    const again = await runCliAsync(['prune', '--yes', '--older-than', '0'], gateway.env);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(gone().sort(), [...failed].sort(), 'a second prune takes the rest');
    assert.equal(lastPrune().exitCode, 0);
  });
});

/**
 * The first `list` right after a real gateway starts (4.x lanes): the gateway's first chat
 * command loads its plugins on its event loop (21–76 s observed on 2026.4.29, 15–19 s on 4.2:
 * docs/openclaw-first-read.md), often past list's 25 s. Whichever way this run goes, the footer is
 * honest: the count the gateway itself then confirms, or "not read yet" with the CPU the verified
 * gateway process used meanwhile (it was working, not stuck). Never "unreadable" without saying
 * why, never a number that was not read. No time is asserted: which branch ran depends on load.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliAsync } from '../helpers/cli.js';
import { PROBE_KEY_MARK } from '../../src/sessions/keys.js';
import { e2eUnavailable, LANE, RealGateway } from './real-gateway.js';

const unavailable = e2eUnavailable();
const notThisLane = LANE.version.startsWith('2026.4.') ? false : 'the first-command stall is observed on the 4.x lanes (4.2, 4.29)';
const skip = notThisLane || (unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false);
if (!notThisLane && unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

describe(`real gateway ${LANE.version}: the first live read after a start`, { skip, timeout: 600_000 }, () => {
  const gateway = new RealGateway();
  before(async () => gateway.start(), { timeout: 300_000 });
  after(async () => gateway.stop());

  test('the first list after a start shows the count the gateway confirms, or says the gateway was still working on /acp doctor', async (t) => {
    // Nothing has sent the gateway a chat command yet: start() waits for log lines only.
    const listed = await runCliAsync(['list'], gateway.env);
    assert.equal(listed.status, 0, listed.stderr);
    const live = /^Live: .*$/m.exec(listed.stdout)?.[0] ?? '';
    t.diagnostic(live);
    const counted = /^Live: the gateway holds (\d+) ACP handles? of 3$/.exec(live);
    if (counted) {
      // The gateway's own answer, read independently of the tool, agrees.
      assert.equal(Number(counted[1]), await gateway.activeRuntimeSessions());
      return;
    }
    assert.match(live, /^Live: a gateway answers at \S+, but its ACP count is unreadable \(the gateway took \/acp doctor but is still working on it after \d+ s \(it and the processes it started used \d+\.\d s of CPU meanwhile\): a gateway's first chat command after a start loads its plugins/);
    // The gateway was loading, not stuck: it answers once warm, with no handle held.
    assert.equal(await gateway.activeRuntimeSessions(), 0);
    // The late reply must not bring back the probe session the run deleted (or it stays as a leftover).
    const probes = Object.keys(gateway.storeOf('main')).filter((key) => key.includes(PROBE_KEY_MARK));
    t.diagnostic(`probe sessions left after the late reply: ${JSON.stringify(probes)}`);
  });

  // A live read ends by deleting its probe session: on 4.29 that blocks the gateway for seconds
  // in a spawnSync'd npm install (docs/openclaw-probe-delete.md), so /healthz goes unanswered.
  // Observed by hand (2026-12-02): busy, 0.50 and 0.39 s of CPU in 2 s, counted with the
  // processes it started. Asked while a `doctor` runs (and until it answers again), a silent
  // gateway must never be called stuck (a restart advised) or stopped. On versions whose delete
  // is quick no silent moment may come; how many did is in the diagnostics.
  test('while it deletes a live read\'s probe session, a gateway that answers nothing is measured busy (or unknown), never stuck: no restart advised for a working gateway', async (t) => {
    const readings: string[] = [];
    let doctorDone = false;
    const doctor = runCliAsync(['doctor'], gateway.env).finally(() => (doctorDone = true));
    for (let answered = 0, i = 0; i < 120 && (!doctorDone || answered === 0); i++) {
      const result = await runCliAsync(['gateway', '--json', '--no-rpc'], gateway.env);
      assert.equal(result.status, 0, result.stderr);
      const json = JSON.parse(result.stdout) as { running: boolean; verified: boolean; silentGateway: { verdict: string; waitedMs: number; gatewayCpuMs: number | null } | null };
      if (json.running) {
        answered = doctorDone ? answered + 1 : 0;
        continue;
      }
      assert.ok(json.verified && json.silentGateway, `the harness's gateway holds its lock: a silent one is measured (${result.stdout})`);
      readings.push(`${json.silentGateway.verdict} ${json.silentGateway.gatewayCpuMs} ms CPU in ${json.silentGateway.waitedMs} ms`);
      assert.ok(['busy', 'unknown'].includes(json.silentGateway.verdict), JSON.stringify(json.silentGateway));
    }
    assert.ok([0, 6].includes((await doctor).status ?? -1));
    t.diagnostic(`silent readings while the doctor's probe was deleted: ${readings.join('; ') || 'none'}`);
  });
});

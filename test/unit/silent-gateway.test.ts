import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeSilentGateway, silentGatewayAdvice } from '../../src/gateway/silent-gateway.js';

test('a silent verified gateway: stopped wins over any CPU figure; busy from a tenth of a core; stuck only under 5% of one; between, or no CPU reading, is unknown', () => {
  const at = (gatewayCpuMs: number | null, stopped = false) => judgeSilentGateway({ pid: 7, waitedMs: 2000, gatewayCpuMs, stopped });
  assert.deepEqual([at(1500, true), at(200), at(190), at(100), at(90), at(0), at(null)], ['stopped', 'busy', 'unknown', 'unknown', 'stuck', 'stuck', 'unknown']);
});

test('the advice for each: wait (bounded), resume, restart — a restart at once only for the one measured idle', () => {
  const fix = (gatewayCpuMs: number | null, stopped = false, traced = false) => silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs, stopped, traced }).fix;
  assert.equal(fix(1900), 'run again in a minute; if it is still busy and silent after 5 minutes, restart it (openclaw gateway restart)');
  assert.equal(fix(0, true), 'resume it (kill -CONT 7), then run again');
  assert.equal(fix(0, true, true), 'detach the debugger or tracer (its pid is TracerPid in /proc/7/status), then run again');
  assert.equal(fix(0), 'restart it (openclaw gateway restart), then run again');
  assert.equal(fix(null), 'run again in a minute; if it still answers nothing, restart it (openclaw gateway restart)');
  assert.equal(fix(150), 'run again in a minute; if it still answers nothing, restart it (openclaw gateway restart)');
  assert.match(silentGatewayAdvice({ pid: 7, waitedMs: 2040, gatewayCpuMs: 1900, stopped: false }).clause, /within 2\.0 s while it and the processes it started used 1\.9 s of CPU/);
  // 0.15 s of CPU in 2 s is not "idle", and a gateway that spins is not proven "not hung".
  assert.match(silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs: 150, stopped: false }).clause, /used 0\.1 s of CPU, neither idle nor a tenth of a core$/);
  assert.doesNotMatch(silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs: 1900, stopped: false }).clause, /not hung/);
  // The install's own restart command, when the caller names one.
  assert.equal(silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs: 0, stopped: false }, 'OPENCLAW_STATE_DIR=/srv/x openclaw gateway restart').fix, 'restart it (OPENCLAW_STATE_DIR=/srv/x openclaw gateway restart), then run again');
});

test('a silent gateway idle in state D (waiting on I/O in the kernel) is not told to restart: no signal acts on it before the I/O ends', () => {
  const advice = silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs: 0, stopped: false, diskWait: true }, 'OPENCLAW_STATE_DIR=/srv/x openclaw gateway restart');
  assert.equal(judgeSilentGateway({ pid: 7, waitedMs: 2000, gatewayCpuMs: 0, stopped: false, diskWait: true }), 'stuck');
  assert.match(advice.clause, /waited on I\/O in the kernel \(state D, 0\.0 s of CPU\): it is stuck until that I\/O ends$/);
  assert.match(advice.fix, /^check the storage it waits on \(dmesg/);
  assert.doesNotMatch(advice.fix, /restart it/);
  // Busy in state D at the reading (a working gateway reading a file) is still busy: wait.
  assert.match(silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs: 1900, stopped: false, diskWait: true }).fix, /^run again in a minute/);
});

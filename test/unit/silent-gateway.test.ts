import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeSilentGateway, silentGatewayAdvice } from '../../src/gateway/silent-gateway.js';

test('a silent verified gateway: stopped wins over any CPU figure; busy from a tenth of a core; idle is stuck; no CPU reading is unknown, never stuck', () => {
  const at = (gatewayCpuMs: number | null, stopped = false) => judgeSilentGateway({ pid: 7, waitedMs: 2000, gatewayCpuMs, stopped });
  assert.deepEqual([at(1500, true), at(200), at(190), at(0), at(null)], ['stopped', 'busy', 'stuck', 'stuck', 'unknown']);
});

test('the advice for each: wait, resume, restart — a restart only for the one measured idle', () => {
  const fix = (gatewayCpuMs: number | null, stopped = false) => silentGatewayAdvice({ pid: 7, waitedMs: 2000, gatewayCpuMs, stopped }).fix;
  assert.equal(fix(1900), 'run again in a minute');
  assert.equal(fix(0, true), 'resume it (kill -CONT 7), then run again');
  assert.equal(fix(0), 'restart it (openclaw gateway restart), then run again');
  assert.match(fix(null), /^run again in a minute \(openclaw gateway restart if it never answers\)$/);
  assert.match(silentGatewayAdvice({ pid: 7, waitedMs: 2040, gatewayCpuMs: 1900, stopped: false }).clause, /within 2\.0 s while it and the processes it started used 1\.9 s of CPU/);
});

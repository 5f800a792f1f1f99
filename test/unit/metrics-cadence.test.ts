import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsCadenceWarning } from '../../src/schedule/metrics-cadence.js';

test('metrics cadence: warned under 5m beside 2026.4.29 and the unread releases up to 7.35; not beside 4.2, 7.35, 9.6 or an unknown version', () => {
  assert.match(metricsCadenceWarning('2026.4.29', 1) ?? '', /^metrics every 1m beside OpenClaw 2026\.4\.29: /);
  assert.match(metricsCadenceWarning('2026.6.3', 2) ?? '', /beside OpenClaw 2026\.6\.3 \(a release between 2026\.4\.29, where this was observed, and 7\.35, where it is gone\)/);
  for (const [version, every] of [['2026.4.29', 5], ['2026.4.29', 15], ['2026.4.2', 1], ['2026.7.35', 1], ['2026.9.6', 1], [null, 1], ['next', 1]] as const) {
    assert.equal(metricsCadenceWarning(version, every), null, `${version} every ${every}m`);
  }
});

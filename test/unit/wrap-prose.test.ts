/**
 * Prose wrapped to a terminal breaks at spaces only: a run id, key or path in a sentence stays
 * whole so it can be pasted. Seen in helper-22's walk at 100 columns: `Journal: 20261201T202220Z-`
 * / `01c0.`, and doctor's `…/state/` / `openclaw.sqlite`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wrapProse } from '../../src/cli/text.js';

test('a run id or a path is never broken where a space would do', () => {
  const summary = 'Pruned 3 sessions from 1 store (0 ACP slots freed: live count 0 → 0). Journal: 20261201T202220Z-01c0.';
  const lines = wrapProse(summary, 100);
  assert.deepEqual(lines, ['Pruned 3 sessions from 1 store (0 ACP slots freed: live count 0 → 0). Journal:', '20261201T202220Z-01c0.']);
  const doctor = wrapProse('on disk: ACP slots held (cap 3): unknown, the ACP state in /tmp/ocs-e2e-wWf8r3/state/state/openclaw.sqlite is unreadable', 60);
  assert.ok(doctor.includes('/tmp/ocs-e2e-wWf8r3/state/state/openclaw.sqlite is'), JSON.stringify(doctor));
  for (const line of doctor) assert.ok(line.length <= 60);
});

test('a word wider than the line is still cut to fit, and continuation lines keep their indent', () => {
  const long = `see ${'x'.repeat(30)}/${'y'.repeat(30)} now`;
  const lines = wrapProse(long, 40, '  ');
  for (const line of lines) assert.ok(line.length <= 40, JSON.stringify(lines));
  assert.equal(lines.join('').replace(/\s+/g, ''), long.replace(/\s+/g, ''));
  assert.ok(lines.slice(1).every((line) => line.startsWith('  ')));
});

test('an indented line wraps without losing its indent or repeating its last characters (gateway: "Recompute" lines)', () => {
  const line = '  rpc      unavailable: the listener on port 36269 is not proven to be the gateway, so no token is sent';
  const lines = wrapProse(line, 40, '           ');
  assert.ok(lines[0]!.startsWith('  rpc      unavailable:'), lines[0]);
  assert.ok(lines.every((text) => text.length <= 40), JSON.stringify(lines));
  assert.equal(lines.map((text) => text.trim()).join(' ').replace(/ +/g, ' '), line.trim().replace(/ +/g, ' '));
});

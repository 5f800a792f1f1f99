import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { METRIC_HELP } from '../../src/metrics/families.js';
import { PROMTOOL, needBinary } from '../helpers/prometheus.js';

const RULES = fileURLToPath(new URL('../../../docs/prometheus/openclaw-sessions.rules.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../../docs/prometheus/openclaw-sessions.rules.test.yml', import.meta.url));

test('the shipped alert rules pass promtool check rules', (t) => {
  if (!needBinary(t, PROMTOOL, 'prometheus')) return;
  const check = spawnSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /SUCCESS: \d+ rules found/);
});

test('the shipped alert rules pass their promtool unit tests (every alert fires where it should, and only there)', (t) => {
  if (!needBinary(t, PROMTOOL, 'prometheus')) return;
  const run = spawnSync(PROMTOOL, ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /SUCCESS/);
});

test('every alert has a unit test, and the rules use only metrics this tool exports', () => {
  const rules = readFileSync(RULES, 'utf8');
  const tests = readFileSync(RULE_TESTS, 'utf8');
  const alerts = [...rules.matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1]!);
  assert.ok(alerts.length >= 6);
  for (const alert of alerts) assert.match(tests, new RegExp(`alertname: ${alert}$`, 'm'), `${alert} has no test`);
  const exprs = [...rules.matchAll(/expr: \|?\n?([\s\S]*?)\n\s+(?:for|labels):/g)].map((m) => m[1]!).join('\n');
  const used = new Set(exprs.match(/\bopenclaw_[a-z_]+\b/g) ?? []);
  assert.ok(used.size >= 8, [...used].join(', '));
  for (const name of used) assert.ok(Object.hasOwn(METRIC_HELP, name), `the rules use ${name}, which metrics does not export`);
});

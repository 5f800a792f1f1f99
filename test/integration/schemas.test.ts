/**
 * Every --json document has a versioned schema in docs/, generated from its zod definition
 * (src/report/schemas.ts) and pinned here; and what the built binary prints validates against it.
 * After changing a zod schema: `npm run schemas` (or UPDATE_GOLDEN=1 npm test), then commit docs/.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { z } from 'zod';
import { doctorReportSchema } from '../../src/report/doctor-report.js';
import { gatewayReportSchema } from '../../src/report/gateway-report.js';
import { restoreListReportSchema, restoreReportSchema } from '../../src/report/restore-report.js';
import { scheduleReportSchema } from '../../src/report/schedule-report.js';
import { JSON_SCHEMAS, renderJsonSchema } from '../../src/report/schemas.js';
import { runCli } from '../helpers/cli.js';
import { assertGolden, REPO } from '../helpers/golden.js';
import { tempDir } from '../helpers/tmp.js';

test('each docs/*.schema.json is the JSON Schema of its zod definition, with a schemaVersion', () => {
  assert.equal(JSON_SCHEMAS.length, 8);
  for (const { file, schema } of JSON_SCHEMAS) {
    const text = renderJsonSchema(schema);
    assertGolden(file, text);
    const json = JSON.parse(text) as { properties: Record<string, { const?: number }>; required: string[] };
    assert.ok(Number.isInteger(json.properties.schemaVersion?.const) && json.properties.schemaVersion!.const! >= 1, `${file} pins schemaVersion`);
    assert.ok(json.required.includes('schemaVersion'), file);
  }
});

test('recompute.method "file" is documented in the prune schema', () => {
  const prune = JSON.parse(renderJsonSchema(JSON_SCHEMAS.find((s) => s.file === 'docs/prune.schema.json')!.schema)) as object;
  assert.match(JSON.stringify(prune), /file: no recompute was needed/);
});

function parseStrict<T extends z.ZodObject>(schema: T, stdout: string): z.infer<T> {
  // strict(): a field the schema does not declare fails the test (add it to the zod schema).
  return schema.strict().parse(JSON.parse(stdout)) as z.infer<T>;
}

test('restore, restore --list, gateway, doctor and schedule --json validate against their schemas', () => {
  const state = path.join(tempDir(), 'state');
  cpSync(path.join(REPO, 'examples', 'state'), state, { recursive: true });
  const env = { HOME: path.join(state, '..'), TMPDIR: path.join(state, '..') };

  const none = runCli(['restore', '--json', '--yes', '--state-dir', state], env);
  assert.equal(none.status, 0, none.stderr);
  assert.equal(parseStrict(restoreReportSchema, none.stdout).runId, null);

  assert.equal(runCli(['prune', '--yes', '--state-dir', state], env).status, 0);
  const runs = parseStrict(restoreListReportSchema, runCli(['restore', '--list', '--json', '--state-dir', state], env).stdout);
  assert.equal(runs.runs.length, 2);
  assert.deepEqual(runs.runs.map((run) => run.unconfirmed), [[], []], 'a file prune has no unconfirmed deletes');
  const restored = parseStrict(restoreReportSchema, runCli(['restore', '--json', '--yes', '--state-dir', state], env).stdout);
  assert.equal(restored.restored.length, 7);
  assert.equal(restored.schemaVersion, 2);

  const gateway = runCli(['gateway', '--json', '--no-rpc', '--state-dir', state], env);
  assert.equal(gateway.status, 0, gateway.stderr);
  assert.equal(parseStrict(gatewayReportSchema, gateway.stdout).running, false);

  const doctor = runCli(['doctor', '--json', '--no-rpc', '--state-dir', state], env);
  // No gateway: the slots on disk are no problem (test/e2e/start-recreate.test.ts); the terminal holders a warning.
  assert.equal(doctor.status, 0, doctor.stderr);
  assert.ok(parseStrict(doctorReportSchema, doctor.stdout).findings.some((f) => f.id === 'terminal-slots'));

  const schedule = runCli(['schedule', '--json', '--state-dir', state], env);
  assert.equal(schedule.status, 0, schedule.stderr);
  assert.match(parseStrict(scheduleReportSchema, schedule.stdout).cron, /prune --yes/);
});

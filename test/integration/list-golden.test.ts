import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { listReportSchema } from '../../src/report/list-report.js';
import { pruneReportSchema } from '../../src/report/prune-report.js';
import { runInProcess } from '../helpers/cli.js';
import { assertGolden, REPO } from '../helpers/golden.js';
import { tempDir } from '../helpers/tmp.js';

test('docs/list.schema.json is the JSON Schema of the zod definition', async () => {
  assertGolden('docs/list.schema.json', `${JSON.stringify(z.toJSONSchema(listReportSchema), null, 2)}\n`);
});

test('list --json of the example store validates and matches the golden output', async () => {
  const state = path.join(tempDir(), 'state');
  cpSync(path.join(REPO, 'examples', 'state'), state, { recursive: true });
  const result = (await runInProcess(['list', '--json', '--state-dir', state]));
  assert.equal(result.status, 0, result.stderr);
  const parsed = listReportSchema.strict().parse(JSON.parse(result.stdout));
  // Times and temp paths vary between runs; everything else is pinned.
  const stable = JSON.stringify(
    parsed,
    (key, value) => {
      if (key === 'generatedAt' || key === 'ageMs') return typeof value === 'number' || typeof value === 'string' ? '<varies>' : value;
      if (key === 'reason' && typeof value === 'string') return value.replace(/\b\d+[smhdw]\b/g, '<age>');
      if (typeof value === 'string' && value.startsWith(state)) return `<state>${value.slice(state.length)}`;
      return value;
    },
    2,
  );
  assertGolden('test/golden/list-example.json', `${stable}\n`);
});

test('docs/prune.schema.json is the JSON Schema of the zod definition, and prune --json validates', async () => {
  assertGolden('docs/prune.schema.json', `${JSON.stringify(z.toJSONSchema(pruneReportSchema), null, 2)}\n`);
  const state = path.join(tempDir(), 'state');
  cpSync(path.join(REPO, 'examples', 'state'), state, { recursive: true });
  for (const args of [['--dry-run'], ['--yes']]) {
    const result = (await runInProcess(['prune', '--json', ...args, '--state-dir', state]));
    assert.equal(result.status, 0, result.stderr);
    const report = pruneReportSchema.strict().parse(JSON.parse(result.stdout));
    assert.equal(report.pruned.length, 7);
  }
});

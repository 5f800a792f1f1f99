import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EXIT_CODE_TABLE } from '../../src/cli/exit-codes.js';
import { OPTIONS } from '../../src/cli/options.js';
import { updateReadme } from '../../src/cli/readme.js';

const README = new URL('../../../README.md', import.meta.url);

test('the README flag and exit-code tables are the ones generated from the tables (run npm run docs)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(readme, updateReadme(readme), 'README.md drifted from src/cli/options.ts or exit-codes.ts: run npm run docs');
  for (const row of EXIT_CODE_TABLE) assert.ok(readme.includes(`| ${row.code} | ${row.name} |`), `exit ${row.code}`);
  for (const option of OPTIONS) assert.ok(readme.includes(option.flags.split(', ').at(-1)!.split(' ')[0]!), option.flags);
});

test('a README whose table was edited by hand is rewritten', () => {
  const readme = readFileSync(README, 'utf8');
  const edited = readme.replace('| 3 | lock-busy |', '| 3 | busy |');
  assert.notEqual(edited, readme);
  assert.equal(updateReadme(edited), readme);
});

/**
 * What the npm package ships: LICENSE matching package.json, no source maps (nothing they could
 * point at is shipped), no tests, and exactly the entries the README's development section lists.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REPO } from '../helpers/golden.js';

test('npm pack --dry-run: LICENSE (MIT), no maps or tests, and the README lists every entry', () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the running tests.
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  const files = (JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  const pkg = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as { license: string };
  assert.equal(pkg.license, 'MIT');
  assert.ok(files.includes('LICENSE'));
  assert.match(readFileSync(`${REPO}LICENSE`, 'utf8'), /^MIT License\n/);
  assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.startsWith('dist/test/') || f.endsWith('.ts')), []);

  const readme = readFileSync(`${REPO}README.md`, 'utf8');
  const block = readme.slice(readme.indexOf('What `npm pack` ships'));
  const listed = block.slice(block.indexOf('```\n') + 4, block.indexOf('\n```', block.indexOf('```\n') + 4)).split('\n').map((line) => line.split(/\s+/)[0]!);
  const entries = new Set(files.map((f) => (f.startsWith('dist/bundle/') ? 'dist/bundle/' : f.startsWith('docs/') && f.endsWith('.schema.json') ? 'docs/*.schema.json' : f)));
  assert.deepEqual([...entries].sort(), [...new Set(listed)].sort(), 'update the list in README "Development" to what npm pack ships');
});

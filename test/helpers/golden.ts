import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Compares with a committed file; `UPDATE_GOLDEN=1 npm test` rewrites it after a deliberate change. */
export function assertGolden(relativePath: string, actual: string): void {
  const file = `${REPO}${relativePath}`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) assert.fail(`golden file ${relativePath} is missing`);
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${relativePath} differs; if the change is deliberate run UPDATE_GOLDEN=1 npm test and commit it`);
}

// What bench/run.mjs and bench/compare.mjs measure alike: the environment and the floor.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The environment every measured run gets, in a fresh `work` dir: an empty home and no
 * OPENCLAW_* variables, so the store given with --store is all there is (an install of the
 * machine's own, or earlier tests, cannot change what is measured), and no NODE_* variable:
 * NODE_EXTRA_CA_CERTS (set on this machine) makes every Node start load a CA bundle, ~35 ms that
 * flattered every ratio measured with it. `inherit` keeps the caller's environment instead
 * (OPENCLAW_* still removed).
 */
export function benchEnv(work, inherit = false) {
  mkdirSync(path.join(work, 'home'), { mode: 0o700 });
  const home = path.join(work, 'home');
  return inherit
    ? { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENCLAW_'))), HOME: home, TMPDIR: work }
    : { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', TMPDIR: work };
}

/** The floor a command on a store is measured against: read + JSON.parse + JSON.stringify, whole process (`node -e FLOOR_SCRIPT store`). */
export const FLOOR_SCRIPT = `const fs=require('fs');process.stdout.write(JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1],'utf8'))));`;

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

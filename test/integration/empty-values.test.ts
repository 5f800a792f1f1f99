/**
 * An empty value for a flag that names the install, a store or a directory is a usage error
 * (exit 2), never "not given". Seen in helper-22's operator walk: `--state-dir ''`, `--config ''`,
 * `--agent ''` and `--store ''` were ignored, so a cron line's `--store "$STORE"` with STORE unset
 * pruned every agent's store of the default install, and `--state-dir "$DIR"` another install.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { acpEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function install() {
  const home = tempDir('ocs-empty-');
  const stateDir = path.join(home, '.openclaw');
  for (const agent of ['main', 'ops']) {
    writeFile(storePath(stateDir, agent), { [`agent:${agent}:acp:00000000-0000-4000-8000-00000000000${agent.length}`]: acpEntry(`s-${agent}`, 60 * MIN, { state: 'error', mode: 'persistent', backend: 'acpx', agent: 'codex', lastError: 'boom' }) });
  }
  return { stateDir, env: { HOME: home, TMPDIR: home } };
}

for (const flag of ['--state-dir', '--config', '--agent', '--store']) {
  test(`prune ${flag} '' is refused (exit 2) and prunes nothing`, () => {
    const { stateDir, env } = install();
    const before = ['main', 'ops'].map((agent) => readFileSync(storePath(stateDir, agent)));
    const result = runCli(['prune', '--yes', flag, ''], env);
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^openclaw-sessions: option '${flag} <\\w+>' argument '' is invalid\\. needs a value, not an empty one\\n$`));
    assert.deepEqual(['main', 'ops'].map((agent) => readFileSync(storePath(stateDir, agent))), before);
  });
}

test("metrics --textfile '' and schedule --metrics-textfile '' are refused (exit 2)", () => {
  const { env } = install();
  for (const args of [['metrics', '--textfile', ''], ['schedule', '--metrics-textfile', '']]) {
    const result = runCli(args, env);
    assert.deepEqual([result.status, result.stdout], [2, ''], args.join(' '));
    assert.match(result.stderr, /argument '' is invalid\. needs a value, not an empty one\n$/);
  }
});

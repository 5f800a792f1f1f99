/**
 * An OpenClaw config is the gateway user's file, and root's cron reads it: values that would
 * crash a run, or make doctor tell root to chmod a system directory, are refused or named plainly.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

function install(config: string): { state: string; root: string } {
  const root = tempDir();
  const state = path.join(root, 'state');
  writeFile(path.join(state, 'openclaw.json'), config);
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  return { state, root };
}

test('gateway.port out of the TCP range is a config error naming the field (exit 1), not an "unexpected error"', () => {
  const { state, root } = install('{ gateway: { port: 99999 } }');
  for (const command of ['doctor', 'gateway', 'list']) {
    const result = runCli([command, '--state-dir', state], { HOME: root, TMPDIR: root });
    assert.equal(result.status, 1, `${command}: ${result.stderr}`);
    assert.match(result.stderr, /config \S+openclaw\.json: gateway\.port: must be <= 65535/);
    assert.doesNotMatch(result.stderr, /unexpected error|ERR_SOCKET_BAD_PORT/);
  }
});

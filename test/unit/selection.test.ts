import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { openclawCommand, selectionArgs, toolCommand } from '../../src/cli/selection.js';
import { shellQuote } from '../../src/system/shell-quote.js';

test('shellQuote: bare when safe, single quotes otherwise; sh reads back the same argument', () => {
  assert.equal(shellQuote('/srv/openclaw'), '/srv/openclaw');
  assert.equal(shellQuote('agent:main:*'), "'agent:main:*'");
  for (const arg of ["ops' dir", 'a b', '$HOME', '`x`', '', 'x;rm -rf /', '"q"', 'tab\there', 'new\nline']) {
    const echoed = spawnSync('sh', ['-c', `printf '%s' ${shellQuote(arg)}`], { encoding: 'utf8' }).stdout;
    assert.equal(echoed, arg);
  }
});

test('selectionArgs: the flags that chose the install and stores, paths absolute, in a fixed order', () => {
  assert.deepEqual(selectionArgs({ stateDir: 'x', agent: 'coder', staleAfter: '30m' }, '/work'), ['--state-dir', '/work/x', '--agent', 'coder']);
  assert.deepEqual(selectionArgs({ profile: 'work', config: '../c.json', store: 's.json', staleAfter: '1h' }, '/a/b'), ['--profile', 'work', '--config', '/a/c.json', '--store', '/a/b/s.json', '--stale-after', '1h']);
  assert.equal(toolCommand(['prune', '--dry-run', ...selectionArgs({ stateDir: "/srv/ops' state" })]).join(' '), "openclaw-sessions prune --dry-run --state-dir '/srv/ops'\\'' state'");
  // A remote gateway stays the target of what is pasted; its token is never printed.
  assert.deepEqual(selectionArgs({ url: 'wss://gw.example:443', token: 'secret' } as never), ['--url', 'wss://gw.example:443']);
});

test('openclawCommand: --profile as OpenClaw\'s global flag, a state dir and config as its environment variables', () => {
  assert.equal(openclawCommand({ profile: 'work' }, ['gateway', 'restart']).join(' '), 'openclaw --profile work gateway restart');
  assert.equal(openclawCommand({ stateDir: '/srv/oc', config: '/srv/oc/openclaw.json' }, ['gateway', 'restart']).join(' '), 'OPENCLAW_STATE_DIR=/srv/oc OPENCLAW_CONFIG_PATH=/srv/oc/openclaw.json openclaw gateway restart');
});

test('an 8.1+ SQLite store\'s advice (clean skips it, prune refuses to write it) names this install\'s openclaw and prune', async () => {
  const { installCommands } = await import('../../src/cli/selection.js');
  const { whyNotCleanable } = await import('../../src/clean/disk.js');
  const { assertStoreWritable } = await import('../../src/store/store-safety.js');
  const commands = installCommands({ stateDir: '/srv/x' }, '/');
  const ref = { agentId: 'main', path: '/srv/x/agents/main/agent/openclaw-agent.sqlite', format: 'sqlite' as const, source: 'discovered' as const, shared: false };
  assert.equal(whyNotCleanable({ ref } as never, commands), 'an OpenClaw 8.1+ SQLite store: use `OPENCLAW_STATE_DIR=/srv/x openclaw sessions cleanup`');
  assert.equal(whyNotCleanable({ ref } as never), 'an OpenClaw 8.1+ SQLite store: use `openclaw sessions cleanup`');
  assert.throws(() => assertStoreWritable(ref, commands), /\(OPENCLAW_STATE_DIR=\/srv\/x openclaw sessions cleanup, or openclaw-sessions prune --recompute rpc --state-dir \/srv\/x with the gateway running\)/);
});

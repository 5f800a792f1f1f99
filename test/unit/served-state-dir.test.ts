import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startedStateDir } from '../../src/gateway/served-state-dir.js';

const none = (): boolean => false;

test("a gateway's state dir by OpenClaw's precedence: OPENCLAW_STATE_DIR (even over --profile), then --profile, then ~/.openclaw (legacy .clawdbot only when alone)", () => {
  const title = ['openclaw-gateway'];
  const argv = ['node', '/opt/openclaw/dist/entry.js', 'gateway', 'run'];
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: '/srv/oc/' }, title, none), '/srv/oc/');
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: '~/state' }, title, none), '/home/oc/state');
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_HOME: '/data' }, argv, none), '/data/.openclaw');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, argv, none), '/home/oc/.openclaw');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, argv, (dir) => dir === '/home/oc/.clawdbot'), '/home/oc/.clawdbot');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, argv, () => true), '/home/oc/.openclaw');
  const profiled = ['node', '/opt/openclaw/dist/entry.js', '--profile', 'Work', 'gateway', 'run'];
  assert.equal(startedStateDir({ HOME: '/home/oc' }, profiled, none), '/home/oc/.openclaw-work');
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: '/srv/oc' }, profiled, none), '/srv/oc', 'applyCliProfileEnv keeps a set OPENCLAW_STATE_DIR');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', '--profile=default', 'gateway'], none), '/home/oc/.openclaw');
});

test('what cannot be told is null, never a guess: only a title left, --dev, a bad profile, OPENCLAW_PROFILE alone, no home, a relative dir', () => {
  // OpenClaw applies --profile to its own process.env (not /proc/<pid>/environ) and then shows only its title.
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['openclaw-gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', '--dev', 'gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', '--profile', '../etc', 'gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', 'gateway', '--profile'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_PROFILE: 'work' }, ['openclaw-gateway'], none), null);
  assert.equal(startedStateDir({}, ['openclaw-gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: 'state' }, ['openclaw-gateway'], none), null);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startedStateDir } from '../../src/gateway/served-state-dir.js';

const none = (): boolean => false;

test("a gateway's state dir by OpenClaw's precedence: --profile, then OPENCLAW_STATE_DIR, then ~/.openclaw (legacy .clawdbot only when alone)", () => {
  const title = ['openclaw-gateway'];
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: '/srv/oc/' }, title, none), '/srv/oc/');
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: '~/state' }, title, none), '/home/oc/state');
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_HOME: '/data' }, title, none), '/data/.openclaw');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, title, none), '/home/oc/.openclaw');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, title, (dir) => dir === '/home/oc/.clawdbot'), '/home/oc/.clawdbot');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, title, () => true), '/home/oc/.openclaw');
  const argv = ['node', '/opt/openclaw/dist/index.js', '--profile', 'Work', 'gateway', 'run'];
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: '/srv/oc' }, argv, none), '/home/oc/.openclaw-work');
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', '--profile=default', 'gateway'], none), '/home/oc/.openclaw');
});

test('what cannot be told is null, never a guess: --dev, a bad profile, OPENCLAW_PROFILE alone, no home, a relative dir', () => {
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', '--dev', 'gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', '--profile', '../etc', 'gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc' }, ['node', 'x.js', 'gateway', '--profile'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_PROFILE: 'work' }, ['openclaw-gateway'], none), null);
  assert.equal(startedStateDir({}, ['openclaw-gateway'], none), null);
  assert.equal(startedStateDir({ HOME: '/home/oc', OPENCLAW_STATE_DIR: 'state' }, ['openclaw-gateway'], none), null);
});

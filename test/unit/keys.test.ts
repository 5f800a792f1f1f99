import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSessionKey } from '../../src/sessions/keys.js';

const shapes: Array<[string, string, string | null]> = [
  ['agent:main:main', 'main', 'main'],
  ['agent:ops:direct:+15551234', 'direct', 'ops'],
  ['agent:main:telegram:direct:991234567', 'direct', 'main'],
  ['agent:main:telegram:acct2:direct:991234567', 'direct', 'main'],
  ['agent:main:discord:group:1234', 'group', 'main'],
  ['agent:main:discord:group:1234:thread:77', 'group', 'main'],
  ['agent:main:slack:channel:c0ffee', 'channel', 'main'],
  ['agent:main:slack:channel:c0ffee:thread:1700000000.1', 'channel', 'main'],
  ['agent:main:subagent:5a1b2c3d-1111-4222-8333-444455556666', 'subagent', 'main'],
  ['agent:main:subagent:aaaa:subagent:bbbb', 'subagent', 'main'],
  ['agent:main:acp:7c9e6679-7425-40de-944b-e07fc1f90ae7', 'acp', 'main'],
  ['agent:coder:acp:binding:discord:default:9f2c4e1a', 'acp-binding', 'coder'],
  ['agent:main:dashboard:41d0b6a4-6666-4777-8888-9999aaaabbbb', 'dashboard', 'main'],
  ['agent:main:cron:nightly-digest', 'cron', 'main'],
  ['agent:main:cron:nightly-digest:run:20261127', 'cron-run', 'main'],
  ['agent:main:webchat:something', 'other', 'main'],
  // A run's marker starts the rest, as in OpenClaw's isSubagentSessionKey / isCronRunSessionKey
  // (2026.4.2, 2026.4.29): a later `subagent` or `run` segment is a peer's, thread's or job's name
  // (helper-28: the first two were planned by a default prune as finished runs).
  ['agent:main:telegram:direct:subagent:2', 'direct', 'main'],
  ['agent:main:slack:channel:c1:thread:subagent:9', 'channel', 'main'],
  ['agent:main:irc:group:SubAgent:thread:x', 'group', 'main'],
  ['agent:main:cron:run', 'cron', 'main'],
  ['agent:main:cron:run:run:1', 'cron-run', 'main'],
  ['agent:main:cron:nightly:run:1:subagent:x', 'cron', 'main'],
  ['agent:main::subagent:x', 'subagent', 'main'],
  ['global', 'other', null],
  ['main', 'main', null],
];

for (const [key, kind, agentId] of shapes) {
  test(`key ${key} is ${kind}`, () => {
    const parsed = parseSessionKey(key);
    assert.equal(parsed.kind, kind);
    assert.equal(parsed.agentId, agentId);
  });
}

test('keys are read case-insensitively and trimmed, like the gateway stores them', () => {
  assert.deepEqual(parseSessionKey('  Agent:Main:ACP:ABC '), { agentId: 'main', rest: 'acp:abc', kind: 'acp' });
});

test('a peer named "channel" in a direct key does not make it a channel session', () => {
  assert.equal(parseSessionKey('agent:main:discord:direct:channel').kind, 'direct');
});

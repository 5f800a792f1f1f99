/** listRemoteSessions: a sessions.list reply without a sessions array is an error, never "no sessions". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listRemoteSessions } from '../../src/gateway/remote-sessions.js';
import type { GatewayRpc } from '../../src/gateway/rpc-client.js';
import { RpcError } from '../../src/gateway/rpc-error.js';

const replying = (payload: unknown): GatewayRpc => ({ call: async () => payload }) as unknown as GatewayRpc;

test('malformed replies are refused; a real one is read without the tool\'s probe sessions', async () => {
  for (const payload of [42, null, 'x', {}, { sessions: 'nope' }]) {
    await assert.rejects(listRemoteSessions(replying(payload)), (error: unknown) => error instanceof RpcError && error.kind === 'protocol', JSON.stringify(payload));
  }
  const rows = await listRemoteSessions(replying({ sessions: [{ key: 'agent:main:main' }, { key: 'agent:main:openclaw-sessions-probe-1' }, 7, { nokey: true }] }));
  assert.deepEqual(rows.map((row) => row.key), ['agent:main:main']);
  assert.deepEqual(await listRemoteSessions(replying({ sessions: [] })), []);
});

/**
 * Which of root's gateway secrets may go where once a root run acts as the install's owner
 * (gateway/root-secrets.ts); the real-user, real-listener version is integration/root-secrets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Discovery } from '../../src/gateway/discover.js';
import type { GatewayTarget, TargetSource } from '../../src/gateway/target.js';
import { rootSecretsFor } from '../../src/gateway/root-secrets.js';
import { substitutionEnvForOwner, type ConfigFacts, type LoadedConfig } from '../../src/store/config.js';

const config = (facts: ConfigFacts): LoadedConfig => ({ path: '/x/openclaw.json', facts, missingVars: [] });
const env = { OPENCLAW_GATEWAY_TOKEN: 'root-t', OPENCLAW_GATEWAY_PASSWORD: 'root-p', PATH: '/bin' };

function discovery(source: TargetSource, extra: Partial<Discovery> = {}): Discovery {
  const explicit = source === 'flag --url' || source === 'env OPENCLAW_GATEWAY_URL' || source === 'config gateway.remote.url';
  const target: GatewayTarget = { url: 'ws://127.0.0.1:1234', host: '127.0.0.1', port: 1234, tls: false, source, explicit };
  return { target, verified: null, rejected: [], health: { listening: true, healthz: false, readyz: false, websocket: true, silent: false }, answers: true, listener: null, secrets: { ok: true, why: 'test' }, gatewayUid: null, ...extra } as Discovery;
}

test('not acting as another user, or a URL root named: root\'s environment is used as is', () => {
  assert.deepEqual(rootSecretsFor(discovery('config gateway.remote.url'), config({}), env, {}, false), { env, withheld: [] });
  for (const source of ['flag --url', 'env OPENCLAW_GATEWAY_URL'] as const) assert.deepEqual(rootSecretsFor(discovery(source), config({}), env, {}, true).withheld, []);
  // --token/--password win over the environment: nothing of it is sent, nothing to withhold.
  assert.deepEqual(rootSecretsFor(discovery('config gateway.remote.url'), config({}), env, { token: 'flag' }, true).withheld, []);
});

test('the owner\'s gateway.remote.url gets neither of root\'s secrets, unless the config gives it that value itself', () => {
  const remote = rootSecretsFor(discovery('config gateway.remote.url'), config({}), env, {}, true);
  assert.equal(remote.env.OPENCLAW_GATEWAY_TOKEN, undefined);
  assert.equal(remote.env.OPENCLAW_GATEWAY_PASSWORD, undefined);
  assert.equal(remote.env.PATH, '/bin');
  assert.equal(remote.withheld.length, 2);
  assert.match(remote.withheld[0]!.line, /^withheld OPENCLAW_GATEWAY_TOKEN \(root's environment\) from ws:\/\/127\.0\.0\.1:1234: .*--url ws:\/\/127\.0\.0\.1:1234$/);
  const same = rootSecretsFor(discovery('config gateway.remote.url'), config({ gateway: { remote: { token: 'root-t' } } }), env, {}, true);
  assert.deepEqual(same.withheld.map((secret) => secret.name), ['OPENCLAW_GATEWAY_PASSWORD']);
});

test('a proven local gateway gets root\'s value only when its config or its environment holds it; an unproven one is not asked', () => {
  const local = (extra: Partial<Discovery>) => discovery('config gateway.port', extra);
  assert.equal(rootSecretsFor(local({}), config({}), env, {}, true).withheld.length, 2);
  assert.deepEqual(rootSecretsFor(local({}), config({ gateway: { auth: { token: 'root-t', password: 'root-p' } } }), env, {}, true).withheld, []);
  const verified = { pid: 1, environ: { OPENCLAW_GATEWAY_TOKEN: 'root-t' } } as unknown as Discovery['verified'];
  const held = rootSecretsFor(local({ verified }), config({}), env, {}, true);
  assert.equal(held.env.OPENCLAW_GATEWAY_TOKEN, 'root-t');
  assert.equal(held.env.OPENCLAW_GATEWAY_PASSWORD, undefined);
  assert.deepEqual(rootSecretsFor(local({ secrets: { ok: false, why: 'x' } }), config({}), env, {}, true).withheld, []);
});

test('the owner\'s config resolves ${VAR} from OPENCLAW_* but never from root\'s gateway secrets', () => {
  assert.deepEqual(substitutionEnvForOwner({ ...env, OPENCLAW_GATEWAY_PORT: '1', HOME: '/root' }), { OPENCLAW_GATEWAY_PORT: '1' });
});

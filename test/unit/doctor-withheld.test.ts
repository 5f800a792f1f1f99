/**
 * doctor/withheld.ts: where doctor says that a secret of root's was withheld from the gateway
 * (gateway/root-secrets.ts). The refused case, end to end with a real user and listener, is in
 * test/integration/root-secrets.test.ts; these are the cases that test cannot make: an RPC that
 * works without the secret, one not tried (--no-rpc), and nothing withheld.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withheldSecretFindings, withheldSecretFix } from '../../src/doctor/withheld.js';
import type { GatewayStatus } from '../../src/gateway/probe.js';

const secret = { name: 'OPENCLAW_GATEWAY_TOKEN' as const, url: 'ws://127.0.0.1:4100', owner: 'ocgw (uid 998)', line: 'withheld OPENCLAW_GATEWAY_TOKEN (root\'s environment) from the gateway on port 4100: …' };

function status(rpc: GatewayStatus['rpc'], withheld = [secret]): GatewayStatus {
  return { running: true, rpc, withheld } as unknown as GatewayStatus;
}

test('RPC refused: the rpc-unavailable finding carries the line (its why), so no finding of its own; the fix names the gateway or the owner', () => {
  const refused = status({ ok: false, why: `unauthorized; ${secret.line}` });
  assert.deepEqual(withheldSecretFindings(refused), []);
  assert.equal(withheldSecretFix(refused, { stateDir: '/srv/oc' }), "openclaw-sessions doctor --url ws://127.0.0.1:4100 --state-dir /srv/oc (sends the OPENCLAW_GATEWAY_TOKEN set here: only if that gateway should have it), or run as ocgw (uid 998)");
});

test('RPC worked without it, or was not tried: an ok finding with the line; nothing withheld: no finding, no fix', () => {
  const worked = withheldSecretFindings(status({ ok: true, methods: [], scopes: [] }));
  assert.deepEqual(worked.map((f) => [f.id, f.severity, f.fix]), [['secret-withheld', 'ok', null]]);
  assert.match(worked[0]!.message, /^withheld OPENCLAW_GATEWAY_TOKEN .* \(RPC works without it\)$/);
  assert.deepEqual(withheldSecretFindings(status({ ok: false, why: 'not tried' })).map((f) => f.message), [secret.line]);
  assert.deepEqual(withheldSecretFindings(status({ ok: true, methods: [], scopes: [] }, [])), []);
  assert.equal(withheldSecretFix(status({ ok: false, why: 'x' }, []), {}), null);
});

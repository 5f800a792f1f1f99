/**
 * doctor on a root run whose gateway secret (root's OPENCLAW_GATEWAY_TOKEN/PASSWORD) was withheld
 * from another user's gateway (gateway/root-secrets.ts): the finding that says so, and the fix for
 * an RPC refusal that follows from it. "Set OPENCLAW_GATEWAY_TOKEN" would be no help there: it is
 * set, and root-secrets.ts withholds it again. What sends a secret is the operator naming the
 * target (`--url`, root's environment then goes there; `--token` also wins, but shows in `ps`),
 * or a run as the gateway's owner, whose own environment and config are theirs to send.
 */
import type { GatewayStatus } from '../gateway/probe.js';
import { selectionArgs, toolCommand, type SelectionFlags } from '../cli/selection.js';
import type { Finding } from './findings.js';

/** The fix for a failed RPC while a secret was withheld; null when none was. */
export function withheldSecretFix(gateway: GatewayStatus, selection: SelectionFlags): string | null {
  const first = gateway.withheld[0];
  if (!first) return null;
  const names = gateway.withheld.map((secret) => secret.name).join(' and ');
  const command = toolCommand(['doctor', '--url', first.url, ...selectionArgs(selection)]).join(' ');
  // No apostrophe: doctor renders a fix that starts with a command as shell words ('…' quotes).
  return `${command} (sends the ${names} set here: only if that gateway should have it), or run as ${first.owner}`;
}

/**
 * The withheld secrets as findings, when the RPC did not fail (its own finding then carries the
 * lines, in its why): the RPC worked without them, was not tried, or nothing answered.
 */
export function withheldSecretFindings(gateway: GatewayStatus): Finding[] {
  const refused = gateway.running && !gateway.rpc.ok && gateway.rpc.why !== 'not tried';
  if (refused) return [];
  const note = gateway.rpc.ok ? ' (RPC works without it)' : '';
  return gateway.withheld.map((secret) => ({ id: 'secret-withheld', severity: 'ok', message: `${secret.line}${note}`, fix: null }));
}

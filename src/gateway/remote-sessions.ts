/**
 * Sessions of a gateway named by URL (`--url`, remote mode): read with `sessions.list`, pruned
 * with `sessions.delete`. No file of that gateway is read or written here.
 *
 * A `sessions.list` row (2026.4.2 `buildGatewaySessionRow`) carries `key`, `sessionId`,
 * `updatedAt`, `status`, `startedAt`, `endedAt`, `spawnedBy`, … but **not** the `acp` object:
 * over RPC an ACP session's runtime state is unknown. So an ACP session counts as errored (and
 * prunable) only when its last turn failed (`status` failed/killed/timeout); any other ACP row
 * is kept. Transcript locks cannot be checked either, so a "running" claim is never called
 * stale here. Nothing is pruned for lack of data.
 */
import type { SessionView } from '../inventory.js';
import { classifySession, type ClassifyContext } from '../sessions/classify.js';
import { isAcpKind, parseSessionKey } from '../sessions/keys.js';
import { readEntry } from '../store/schema.js';
import { PROBE_KEY_MARK } from '../sessions/keys.js';
import type { GatewayRpc } from './rpc-client.js';
import { RpcError } from './rpc-error.js';

export type RemoteRow = Record<string, unknown> & { key: string };

/** Every session the gateway lists (global and unknown included), without this tool's own probe sessions. */
export async function listRemoteSessions(client: GatewayRpc, timeoutMs = 60_000): Promise<RemoteRow[]> {
  const listing = await client.call<{ sessions?: unknown }>('sessions.list', { includeGlobal: true, includeUnknown: true }, { timeoutMs });
  // A reply without a sessions array is not "no sessions": nothing may be pruned on its word.
  if (typeof listing !== 'object' || listing === null || !Array.isArray(listing.sessions)) {
    throw new RpcError('protocol', `sessions.list answered without a sessions array (${JSON.stringify(listing)?.slice(0, 80)})`);
  }
  const rows: RemoteRow[] = [];
  for (const row of listing.sessions) {
    if (typeof row !== 'object' || row === null) continue;
    const key = (row as { key?: unknown }).key;
    if (typeof key !== 'string' || key.includes(`:${PROBE_KEY_MARK}`)) continue;
    rows.push(row as RemoteRow);
  }
  return rows;
}

const FAILED = new Set(['failed', 'killed', 'timeout']);

/** Classifies one row by the rules in the module comment. `source` stands in for a store path (the URL). */
export function remoteSessionView(row: RemoteRow, source: string, ctx: ClassifyContext): SessionView {
  const { key } = row;
  const { kind, agentId } = parseSessionKey(key);
  const reading = readEntry(row);
  const base = classifySession({ key, reading, hasLiveTranscriptLock: false }, ctx);
  let view: SessionView = { ...base, agentId: agentId ?? 'main', key, storePath: source, entry: reading.ok ? reading.entry : null };
  if (isAcpKind(kind) && reading.ok) {
    const status = typeof row.status === 'string' ? row.status : null;
    view = status && FAILED.has(status)
      ? { ...view, state: 'errored', terminal: true, holdsSlot: true, reason: `last turn ${status} (from sessions.list; the ACP state itself is not exposed over RPC)` }
      : { ...view, state: 'idle', terminal: false, holdsSlot: false, reason: `ACP session${status ? ` (last turn ${status})` : ''}: its runtime state is not exposed over RPC, so it is kept` };
  } else if (view.state === 'stale') {
    view = { ...view, state: 'running', terminal: false, reason: `${view.reason}; transcript locks cannot be checked over RPC, so it is kept` };
  }
  return view;
}

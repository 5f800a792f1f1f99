/**
 * The inventory of a gateway named by URL (`--url`, `OPENCLAW_GATEWAY_URL`, remote mode): its
 * sessions from `sessions.list`, classified by remote-sessions.ts, in the same shape the file
 * inventory has, so list and prune render and plan them alike. No local store is read.
 */
import { ToolError } from '../errors.js';
import type { Inventory, LoadedStore } from '../inventory.js';
import type { Env } from '../env.js';
import { connectRpc, probeGateway, type GatewayStatus } from './probe.js';
import { listRemoteSessions, remoteSessionView } from './remote-sessions.js';

export async function remoteInventory(
  local: Inventory,
  env: Env,
  options: { url?: string; token?: string; password?: string; live: boolean; staleAfterMs: number; warn?: (line: string) => void },
): Promise<{ inventory: Inventory; gateway: GatewayStatus }> {
  const gateway = await probeGateway(local.location, local.config, env, { rpc: true, live: options.live, url: options.url, token: options.token, password: options.password, warn: options.warn });
  if (!gateway.running) throw new ToolError('failed', `nothing answers as an OpenClaw gateway at ${gateway.url}`);
  if (!gateway.rpc.ok) throw new ToolError('failed', `cannot read the sessions of ${gateway.url} over RPC: ${gateway.rpc.why}`);
  const client = await connectRpc(gateway, 15_000);
  try {
    const rows = await listRemoteSessions(client);
    const ctx = { now: local.now, staleAfterMs: options.staleAfterMs };
    const sessions = rows.map((row) => remoteSessionView(row, gateway.url, ctx));
    // One pseudo store named by the URL: the gateway's files are not ours to read.
    const store: LoadedStore = { ref: { agentId: 'main', path: gateway.url, format: 'json', source: 'explicit', shared: true }, document: null, digest: null, sizeBytes: 0, mtimeMs: 0, sqliteUserVersion: null, supersededRows: 0 };
    return { inventory: { ...local, stores: [store], failures: [], missingStores: [], sessions }, gateway };
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError('failed', `cannot read the sessions of ${gateway.url} over RPC: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    client.close();
  }
}

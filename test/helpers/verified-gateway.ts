import type { GatewayStatus } from '../../src/gateway/probe.js';

/**
 * A verified local gateway of `version` that answered `/acp doctor` with `live` handles: the
 * status list, doctor and gateway judge orphans against (no process behind it).
 */
export function verifiedGatewayWith(live: number, version = '2026.7.35'): GatewayStatus {
  return {
    running: true, gateway: { pid: 4242 }, stale: [], remote: false, ready: true, version, url: 'ws://127.0.0.1:1', port: 1,
    rpc: { ok: true, methods: [], scopes: [] }, live: { activeRuntimeSessions: live, report: null, why: null },
    restart: { ok: true, signal: 'SIGUSR1', note: '' }, noRespawn: null, withheld: [], generation: 'locked-json',
    discovery: { health: {}, secrets: { ok: true, why: '' } },
  } as unknown as GatewayStatus;
}

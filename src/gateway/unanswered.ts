/**
 * A gateway that may be there though none answers: the one rule prune, `gateway` and `doctor`
 * share for "a gateway may still hold its ACP runtime handles". Judged from a probe's status
 * (probe.ts); pure.
 */
import type { RecomputeInput } from '../recompute/choose.js';
import type { GatewayStatus } from './probe.js';
import { silentGatewayAdvice } from './silent-gateway.js';

/**
 * Something on the gateway port that may be a hung gateway: it accepts connections and gave
 * /healthz and /readyz no response at all (health.silent), or a verified lock proves the process
 * holding the socket is this config's gateway. A listener that answers HTTP, only not as a
 * gateway, is another program: no gateway can be on that port. Observed on 2026.4.2 and 7.35
 * stopped with SIGSTOP: the port accepts, nothing answers, the handles stay counted.
 */
export function unansweringListenerOf(gateway: GatewayStatus, restart?: string): RecomputeInput['unansweringListener'] {
  const health = gateway.discovery.health;
  if (gateway.running || gateway.remote || !health.listening || (!health.silent && !gateway.gateway)) return null;
  const silent = gateway.discovery.silentGateway;
  return { port: gateway.port, pid: gateway.gateway?.pid ?? null, ...(silent ? { advice: silentGatewayAdvice(silent, restart) } : {}) };
}

/**
 * What holds a port that accepts connections but answers nothing as a gateway, for "port N
 * accepts connections but nothing there answers as a gateway (WHO)": the verified gateway's
 * measured state (silent-gateway.ts), else "a hung gateway, or another program".
 */
export function silentListenerWho(gateway: GatewayStatus): string {
  const silent = gateway.discovery.silentGateway;
  return silent ? silentGatewayAdvice(silent).clause : 'a hung gateway, or another program';
}

/** A lock of this config whose live, proven gateway process does not listen on the probed port. */
export function unreachableGatewayOf(gateway: GatewayStatus): RecomputeInput['unreachableGateway'] {
  for (const finding of gateway.stale) {
    if (!finding.verdict.ok && finding.verdict.why === 'not-listening') return { pid: finding.lock?.pid ?? null, why: finding.verdict.detail };
  }
  return null;
}

/**
 * Why a gateway may hold ACP handles though none answers (a hung one on the port, or a live one
 * holding this config's lock on another port), as one clause; null when nothing suggests one.
 */
export function unansweredGatewayClause(gateway: GatewayStatus): string | null {
  if (gateway.running) return null;
  const listener = unansweringListenerOf(gateway);
  if (listener) return `port ${listener.port} accepts connections but nothing there answers as a gateway`;
  const away = unreachableGatewayOf(gateway);
  if (away) return `nothing answers on the gateway port, but ${away.pid === null ? 'a gateway process' : `gateway pid ${away.pid}`} holds this config's lock`;
  return null;
}

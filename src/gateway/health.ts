/**
 * Does something answer as an OpenClaw gateway on a port? Three probes that send no secret
 * (docs/openclaw.md §7, docs/openclaw-gateway.md): `GET /healthz` (alive), `GET /readyz` (ready), and the
 * WebSocket handshake, whose first frame from a gateway is the `connect.challenge` event.
 */
import WebSocket from 'ws';

export interface HealthProbe {
  healthz: boolean;
  readyz: boolean;
  /** The WebSocket sent `connect.challenge`: it speaks the gateway protocol. */
  websocket: boolean;
}

interface ProbeTarget {
  host: string;
  port: number;
  tls: boolean;
  url?: string;
}

function httpBase(target: ProbeTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.tls ? 'https' : 'http'}://${host}:${target.port}`;
}

async function httpOk(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Resolves true once the server's first frame is `connect.challenge`; false on anything else. */
export function probeWebSocketChallenge(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    let socket: WebSocket;
    const finish = (value: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    try {
      socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    } catch {
      clearTimeout(timer);
      resolve(false);
      return;
    }
    socket.on('message', (data) => {
      try {
        const frame = JSON.parse(String(data)) as { type?: unknown; event?: unknown };
        finish(frame.type === 'event' && frame.event === 'connect.challenge');
      } catch {
        finish(false);
      }
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

export async function probeHealth(target: ProbeTarget, timeoutMs = 2000): Promise<HealthProbe> {
  const base = httpBase(target);
  const wsUrl = target.url ?? `${target.tls ? 'wss' : 'ws'}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const [healthz, readyz, websocket] = await Promise.all([httpOk(`${base}/healthz`, timeoutMs), httpOk(`${base}/readyz`, timeoutMs), probeWebSocketChallenge(wsUrl, timeoutMs)]);
  return { healthz, readyz, websocket };
}

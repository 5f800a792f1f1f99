/**
 * Does something answer as an OpenClaw gateway on a port? Three probes that send no secret
 * (docs/openclaw.md §7, docs/openclaw-gateway.md): `GET /healthz` (alive), `GET /readyz` (ready), and the
 * WebSocket handshake, whose first frame from a gateway is the `connect.challenge` event. The
 * handshake is asked only when neither HTTP probe answered: a gateway logs every WebSocket closed
 * before `connect` as a warning (`[ws] closed before connect … code=1006`, observed on 2026.4.2
 * for each probe), so asking it of a gateway that already answered put one warning in its log
 * per run (from cron, every few minutes).
 */
import { loadWebSocket, type WebSocket } from './ws.js';

export interface HealthProbe {
  /**
   * A TCP connection to the port was accepted. Alone (nothing else answered) it means another
   * program holds the port, or a gateway too hung to answer: never "nothing answers".
   */
  listening: boolean;
  healthz: boolean;
  readyz: boolean;
  /**
   * The WebSocket sent `connect.challenge`: it speaks the gateway protocol. null: not asked,
   * because /healthz or /readyz answered (an RPC connection may still have seen it: probe.ts), or
   * because the listener gave neither any response in time (`silent`).
   */
  websocket: boolean | null;
  /** Listening, but neither HTTP request got any response within the timeout (a hung gateway, or a program that never replies). */
  silent: boolean;
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

/** `ok`: a 2xx; `other`: any other response; `silent`: no response within timeoutMs; `failed`: the request failed (reset, TLS, not HTTP). */
type HttpAnswer = 'ok' | 'other' | 'silent' | 'failed';

async function httpAnswer(url: string, timeoutMs: number): Promise<HttpAnswer> {
  // A timer that keeps the process alive, not AbortSignal.timeout's (unref'd): on Node 20 a fetch
  // whose peer closes without answering never settles, and with nothing else pending the run just
  // ended there, exit 0 and no output (helper-16, a listener that accepts and closes). Such a
  // listener is then `silent` on Node 20 (`failed` on 22, whose fetch rejects).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'manual' });
    await response.body?.cancel();
    return response.ok ? 'ok' : 'other';
  } catch {
    return controller.signal.aborted ? 'silent' : 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves true once the server's first frame is `connect.challenge`; false on anything else. */
export async function probeWebSocketChallenge(url: string, timeoutMs: number): Promise<boolean> {
  const WebSocketClass = await loadWebSocket();
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
      socket = new WebSocketClass(url, { handshakeTimeout: timeoutMs });
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
  // Nothing listening is the common case (no gateway on this host): a refused TCP connect says so
  // without loading fetch's HTTP stack and the WebSocket client (issue 11: start-up).
  if (!(await acceptsConnections(target.host, target.port, timeoutMs))) return { listening: false, healthz: false, readyz: false, websocket: false, silent: false };
  const base = httpBase(target);
  const wsUrl = target.url ?? `${target.tls ? 'wss' : 'ws'}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const [healthz, readyz] = await Promise.all([httpAnswer(`${base}/healthz`, timeoutMs), httpAnswer(`${base}/readyz`, timeoutMs)]);
  // The handshake only for a listener that answered neither (see the top of this file), and not
  // for one that gave neither request any response in timeoutMs: a gateway too hung to answer
  // HTTP (its one event loop serves both) would not answer the handshake either, and asking
  // would make the operator of a stuck gateway wait timeoutMs twice.
  const silent = healthz === 'silent' && readyz === 'silent';
  const websocket = healthz === 'ok' || readyz === 'ok' || silent ? null : await probeWebSocketChallenge(wsUrl, timeoutMs);
  return { listening: true, healthz: healthz === 'ok', readyz: readyz === 'ok', websocket, silent };
}

/** Whether a TCP connection to host:port is accepted within timeoutMs; it is closed at once, nothing is sent. */
export async function acceptsConnections(host: string, port: number, timeoutMs: number): Promise<boolean> {
  // Loaded here, not at the top: a command that never probes a port does not load node:net.
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const finish = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

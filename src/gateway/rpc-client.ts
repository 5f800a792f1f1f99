/**
 * A small client for the gateway's WebSocket RPC (docs/openclaw.md §8): challenge → signed `connect` →
 * `hello-ok`, then `req`/`res` frames matched by id. Every failure is an RpcError with a kind
 * the caller can act on; a closed socket fails every pending call; nothing throws unhandled.
 */
import { randomUUID } from 'node:crypto';
import { loadWebSocket, type WebSocket } from './ws.js';
import { connectSignaturePayload, type DeviceIdentity } from './device.js';
import { RpcError } from './rpc-error.js';

export interface ConnectOptions {
  url: string;
  token?: string;
  password?: string;
  device?: DeviceIdentity;
  clientId?: string;
  clientMode?: string;
  clientVersion?: string;
  scopes?: string[];
  timeoutMs?: number;
  /** Protocol range offered; 4.x speaks 3, 9.x speaks 4. */
  minProtocol?: number;
  maxProtocol?: number;
}

export interface Hello {
  serverVersion: string | null;
  methods: string[];
  scopes: string[];
  protocol: number | null;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  timer: NodeJS.Timeout;
  method: string;
}

/** How long close() waits for the gateway's answer to its close frame before it drops the socket. */
const CLOSE_GRACE_MS = 1_000;

export const OPERATOR_SCOPES = ['operator.admin', 'operator.read', 'operator.write'];

export class GatewayRpc {
  private readonly pending = new Map<string, Pending>();
  private readonly eventListeners = new Set<(event: string, payload: unknown) => void>();
  private closedError: RpcError | null = null;

  private constructor(
    private readonly socket: WebSocket,
    readonly hello: Hello,
  ) {
    socket.on('message', (data) => this.onFrame(String(data)));
    socket.on('close', (code, reason) => this.failAll(new RpcError('closed', `gateway closed the connection (${code}${reason.length ? ` ${reason}` : ''})`)));
    socket.on('error', (error) => this.failAll(new RpcError('closed', `connection error: ${error.message}`)));
  }

  static async connect(options: ConnectOptions): Promise<GatewayRpc> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const WebSocketClass = await loadWebSocket();
    return new Promise((resolve, reject) => {
      let settled = false;
      const socket = new WebSocketClass(options.url, { handshakeTimeout: timeoutMs });
      const connectId = randomUUID();
      const fail = (error: RpcError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('message');
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      const timer = setTimeout(() => fail(new RpcError('timeout', `no connect reply from ${options.url} within ${timeoutMs} ms`)), timeoutMs);
      socket.on('error', (error) => fail(new RpcError('connect', `cannot connect to ${options.url}: ${error.message}`)));
      socket.on('close', (code) => fail(new RpcError(code === 1008 ? 'auth' : 'closed', `gateway closed the connection during the handshake (${code})`)));
      socket.on('message', (data) => {
        let frame: Frame;
        try {
          frame = JSON.parse(String(data)) as Frame;
        } catch {
          return fail(new RpcError('protocol', 'gateway sent a frame that is not JSON'));
        }
        if (frame.type === 'event' && frame.event === 'connect.challenge') {
          const nonce = String((frame.payload as { nonce?: unknown } | undefined)?.nonce ?? '');
          socket.send(JSON.stringify({ type: 'req', id: connectId, method: 'connect', params: connectParams(options, nonce) }));
          return;
        }
        if (frame.type === 'res' && frame.id === connectId) {
          if (!frame.ok) {
            const code = frame.error?.code;
            return fail(new RpcError('auth', `gateway refused the connection: ${frame.error?.message ?? 'no reason given'}`, code));
          }
          settled = true;
          clearTimeout(timer);
          socket.removeAllListeners('message');
          socket.removeAllListeners('error');
          socket.removeAllListeners('close');
          resolve(new GatewayRpc(socket, helloOf(frame.payload)));
        }
      });
    });
  }

  call<T = unknown>(method: string, params: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = randomUUID();
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError('timeout', `${method}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, method });
      try {
        this.socket.send(JSON.stringify({ type: 'req', id, method, params }));
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new RpcError('closed', `${method}: ${(error as Error).message}`));
      }
    });
  }

  /** Gateway events (chat replies, ticks); returns an unsubscribe function. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /**
   * Fails pending calls and closes the connection. A gateway that does not answer the close
   * frame within CLOSE_GRACE_MS has its socket dropped: ws would otherwise wait 30 s, keeping
   * the process alive after its report (observed, helper-17: a 7.35 gateway stopped with SIGSTOP
   * during a prune's delete; the run exited 30 s after it printed everything).
   */
  close(): void {
    this.failAll(new RpcError('closed', 'connection closed by the client'));
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close();
      setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
    }
  }

  /** Whether the socket is closed (nothing of this connection keeps the process alive). */
  isClosed(): boolean {
    return this.socket.readyState === this.socket.CLOSED;
  }

  private onFrame(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return;
    }
    if (frame.type === 'event' && typeof frame.event === 'string') {
      for (const listener of this.eventListeners) listener(frame.event, frame.payload);
      return;
    }
    if (frame.type !== 'res' || typeof frame.id !== 'string') return;
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.payload);
    else pending.reject(new RpcError('method', `${pending.method}: ${frame.error?.message ?? 'failed'}`, frame.error?.code));
  }

  private failAll(error: RpcError): void {
    this.closedError ??= error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new RpcError(error.kind, `${pending.method}: ${error.message}`));
      this.pending.delete(id);
    }
  }
}

interface Frame {
  type?: string;
  id?: string;
  event?: string;
  ok?: boolean;
  payload?: unknown;
  error?: { code?: string; message?: string };
}

function connectParams(options: ConnectOptions, nonce: string): Record<string, unknown> {
  const clientId = options.clientId ?? 'cli';
  const clientMode = options.clientMode ?? 'cli';
  const role = 'operator';
  const scopes = options.scopes ?? OPERATOR_SCOPES;
  const platform = process.platform;
  // Only a token is part of the signed string; password auth signs an empty token field.
  const secret = options.token ?? '';
  const params: Record<string, unknown> = {
    minProtocol: options.minProtocol ?? 3,
    maxProtocol: options.maxProtocol ?? 4,
    client: { id: clientId, version: options.clientVersion ?? '0.0.0', platform, mode: clientMode },
    role,
    scopes,
    auth: options.token !== undefined ? { token: options.token } : options.password !== undefined ? { password: options.password } : {},
  };
  if (options.device) {
    const signedAt = Date.now();
    const payload = connectSignaturePayload({ deviceId: options.device.id, clientId, clientMode, role, scopes, signedAt, token: secret, nonce, platform });
    params.device = { id: options.device.id, publicKey: options.device.publicKey, signature: options.device.sign(payload), signedAt, nonce };
  }
  return params;
}

function helloOf(payload: unknown): Hello {
  const p = (payload ?? {}) as { server?: { version?: unknown }; features?: { methods?: unknown }; auth?: { scopes?: unknown }; protocol?: unknown };
  return {
    serverVersion: typeof p.server?.version === 'string' ? p.server.version : null,
    methods: Array.isArray(p.features?.methods) ? p.features.methods.filter((m): m is string => typeof m === 'string') : [],
    scopes: Array.isArray(p.auth?.scopes) ? p.auth.scopes.filter((s): s is string => typeof s === 'string') : [],
    protocol: typeof p.protocol === 'number' ? p.protocol : null,
  };
}

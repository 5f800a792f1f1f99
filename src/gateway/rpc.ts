/**
 * WebSocket RPC client for an OpenClaw gateway (facts §8; frame shapes checked against
 * openclaw@2026.4.2 dist, see docs/real-gateway-notes.md).
 *
 * Wire protocol, in order:
 *   server → {type:"event", event:"connect.challenge", payload:{nonce, ts}}
 *   client → {type:"req", id, method:"connect", params:{minProtocol, maxProtocol, client, role,
 *             scopes, auth, device}}
 *   server → {type:"res", id, ok:true, payload:{type:"hello-ok", protocol, server, features,
 *             auth?, policy, snapshot}}   or ok:false with error {code, message, details?}
 * then any number of {type:"req"} / {type:"res"} pairs matched by id, and server events.
 *
 * Every failure surfaces as an RpcError whose `kind` says what the caller can do about it.
 * The socket's own errors never escape as unhandled events or rejections.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { deviceAuthPayloadV3, type DeviceIdentity } from './device-identity.js';

export type RpcErrorKind =
  /** The socket is gone (refused, dropped, closed by either side); nothing more will answer. */
  | 'closed'
  /** The gateway refused the `connect` (bad token/password, device signature, pairing). */
  | 'auth'
  /** No answer in time. For a method call the gateway may still carry it out. */
  | 'timeout'
  /** The gateway answered the call with ok:false; see `code` (e.g. UNAVAILABLE). */
  | 'method'
  /** The other end does not speak this protocol (bad frames, version mismatch, not a gateway). */
  | 'protocol';

export class RpcError extends Error {
  readonly kind: RpcErrorKind;
  /** The gateway's error code (INVALID_REQUEST, UNAVAILABLE, NOT_PAIRED, …) when it sent one. */
  readonly code: string | undefined;
  /** The finer reason a refused `connect` carries in `error.details.code` (AUTH_TOKEN_MISMATCH, …). */
  readonly detailCode: string | undefined;
  readonly details: unknown;
  /** The method the error belongs to (`connect` for the handshake). */
  readonly method: string | undefined;
  /** The gateway said retrying may succeed (error.retryable). */
  readonly retryable: boolean;

  constructor(
    kind: RpcErrorKind,
    message: string,
    extra: { code?: string; details?: unknown; method?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'RpcError';
    this.kind = kind;
    this.code = extra.code;
    this.details = extra.details;
    this.method = extra.method;
    this.retryable = extra.retryable === true;
    const details = extra.details as { code?: unknown } | undefined;
    this.detailCode = details && typeof details.code === 'string' ? details.code : undefined;
  }
}

export interface ConnectOptions {
  /** ws:// or wss:// URL of the gateway port. */
  url: string;
  /** Shared secret, `gateway.auth.token`. Also part of what the device signs. */
  token?: string;
  /** Shared secret, `gateway.auth.password`. */
  password?: string;
  /** Without one the gateway admits the shared secret but grants no scopes (facts §10). */
  identity?: DeviceIdentity;
  /** A client id the gateway knows: "cli", "gateway-client", … (it rejects unknown ids). */
  clientId: string;
  /** A client mode the gateway knows: "cli", "backend", "probe", … */
  clientMode: string;
  clientVersion?: string;
  /** Defaults to process.platform. */
  platform?: string;
  deviceFamily?: string;
  /** Defaults to "operator". */
  role?: string;
  scopes: readonly string[];
  /** Bounds the whole handshake: TCP/WebSocket open, challenge, hello. */
  timeoutMs: number;
  /** Protocol range offered: 2026.4.x speaks 3, 2026.9.x speaks 4. */
  minProtocol?: number;
  maxProtocol?: number;
}

export interface HelloInfo {
  protocol: number;
  serverVersion: string | null;
  connId: string | null;
  methods: string[];
  events: string[];
  /**
   * What the gateway granted. It reports them only with a device token (every device
   * connect gets one); without a device it clears every requested scope, so [] is exact.
   */
  scopes: string[];
  role: string | null;
  /** The whole hello-ok payload, for fields this type does not name. */
  raw: Record<string, unknown>;
}

export interface CallOptions {
  timeoutMs?: number;
  /**
   * Some methods (`agent`, two-phase approvals) answer twice under one id: first
   * `{status:"accepted"}`, later the outcome. Set this to wait for the outcome.
   */
  expectFinal?: boolean;
  /** Called with the interim `accepted` payload when `expectFinal` is set. */
  onAccepted?: (payload: unknown) => void;
}

export type EventListener = (event: string, payload: unknown, frame: Record<string, unknown>) => void;

interface Pending {
  method: string;
  expectFinal: boolean;
  onAccepted: ((payload: unknown) => void) | undefined;
  timer: NodeJS.Timeout | null;
  resolve(value: unknown): void;
  reject(error: RpcError): void;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
export const SUPPORTED_PROTOCOLS = { min: 3, max: 4 } as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function describeSocketError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const message = e && typeof e.message === 'string' ? e.message.split('\n')[0]! : '';
  const code = e && typeof e.code === 'string' ? e.code : '';
  // "localhost" tries ::1 and 127.0.0.1; both refusing gives an AggregateError with a code
  // but an empty message.
  if (code && !message) return code;
  if (code && !message.includes(code)) return `${code}: ${message}`;
  return message || String(error);
}

export class GatewayRpcClient {
  private ws: WebSocket | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<EventListener>();
  /** Set once the connection is over; every later call fails with it. */
  private finalError: RpcError | null = null;
  private closedPromise: Promise<void> | null = null;
  private hello: HelloInfo | null = null;
  private connecting = false;

  /** The hello-ok of the current connection, null before connect resolves. */
  get info(): HelloInfo | null {
    return this.hello;
  }

  get isOpen(): boolean {
    return this.hello !== null && this.finalError === null && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Subscribe to server events (chat, sessions.changed, tick, …). Returns the unsubscribe. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(options: ConnectOptions): Promise<HelloInfo> {
    if (this.connecting || this.ws !== null || this.finalError !== null) {
      return Promise.reject(new RpcError('protocol', 'this client already connected once; create a new one', { method: 'connect' }));
    }
    this.connecting = true;
    const url = options.url;

    return new Promise<HelloInfo>((resolve, reject) => {
      let settled = false;
      const fail = (error: RpcError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.shutdown(error);
        reject(error);
      };
      const timer = setTimeout(() => {
        fail(new RpcError('timeout', `no hello from the gateway at ${url} within ${options.timeoutMs} ms`, { method: 'connect' }));
      }, options.timeoutMs);

      let ws: WebSocket;
      try {
        ws = new WebSocket(url, { handshakeTimeout: options.timeoutMs, perMessageDeflate: false });
      } catch (error) {
        fail(new RpcError('protocol', `bad gateway URL ${url}: ${describeSocketError(error)}`, { method: 'connect', cause: error }));
        return;
      }
      this.ws = ws;

      // Listeners first: an 'error' event without a listener would throw out of the emitter.
      ws.on('error', (error) => {
        const closed = new RpcError('closed', `gateway connection ${url} failed: ${describeSocketError(error)}`, { cause: error });
        if (!settled) fail(closed);
        else this.shutdown(closed);
      });
      ws.on('unexpected-response', (_req, res) => {
        // Something answered HTTP but would not upgrade: not a gateway, or a proxy in the way.
        fail(new RpcError('protocol', `${url} answered HTTP ${res.statusCode ?? '?'} instead of a WebSocket upgrade`, { method: 'connect' }));
        res.resume();
      });
      ws.on('close', (code, reasonBuf) => {
        const reason = reasonBuf.toString();
        const text = `gateway closed the connection (code ${code}${reason ? `: ${reason}` : ''})`;
        const error = new RpcError('closed', text, { details: { closeCode: code, reason } });
        if (!settled) fail(error);
        else this.shutdown(error);
      });

      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          this.protocolFailure('gateway sent a binary frame', settled ? undefined : fail);
          return;
        }
        let frame: unknown;
        try {
          frame = JSON.parse(data.toString());
        } catch {
          this.protocolFailure('gateway sent a frame that is not JSON', settled ? undefined : fail);
          return;
        }
        if (!isRecord(frame)) {
          this.protocolFailure('gateway sent a frame that is not an object', settled ? undefined : fail);
          return;
        }
        if (!settled && frame.type === 'event' && frame.event === 'connect.challenge') {
          const payload = frame.payload;
          const nonce = isRecord(payload) && typeof payload.nonce === 'string' ? payload.nonce.trim() : '';
          if (!nonce) {
            fail(new RpcError('protocol', 'gateway challenge carries no nonce', { method: 'connect' }));
            return;
          }
          this.sendConnect(options, nonce).then(
            (hello) => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              this.hello = hello;
              this.connecting = false;
              resolve(hello);
            },
            (error: RpcError) => fail(error),
          );
          return;
        }
        this.dispatch(frame);
      });
    });
  }

  private async sendConnect(options: ConnectOptions, nonce: string): Promise<HelloInfo> {
    const role = options.role ?? 'operator';
    const platform = options.platform ?? process.platform;
    const scopes = [...options.scopes];
    const auth: Record<string, string> = {};
    if (options.token) auth.token = options.token;
    if (options.password) auth.password = options.password;

    let device: Record<string, unknown> | undefined;
    if (options.identity) {
      const signedAt = Date.now();
      const payload = deviceAuthPayloadV3({
        deviceId: options.identity.deviceId,
        clientId: options.clientId,
        clientMode: options.clientMode,
        role,
        scopes,
        signedAtMs: signedAt,
        token: options.token ?? null,
        nonce,
        platform,
        deviceFamily: options.deviceFamily,
      });
      device = {
        id: options.identity.deviceId,
        publicKey: options.identity.publicKey,
        signature: options.identity.sign(payload),
        signedAt,
        nonce,
      };
    }

    const client: Record<string, string> = {
      id: options.clientId,
      version: options.clientVersion ?? '0.0.0',
      platform,
      mode: options.clientMode,
    };
    if (options.deviceFamily) client.deviceFamily = options.deviceFamily;

    const params: Record<string, unknown> = {
      minProtocol: options.minProtocol ?? SUPPORTED_PROTOCOLS.min,
      maxProtocol: options.maxProtocol ?? SUPPORTED_PROTOCOLS.max,
      client,
      role,
      scopes,
    };
    // The gateway's schema rejects unknown and empty-object members strictly enough that
    // absent beats empty: only send what there is.
    if (Object.keys(auth).length > 0) params.auth = auth;
    if (device) params.device = device;

    let payload: unknown;
    try {
      payload = await this.request('connect', params, { timeoutMs: options.timeoutMs });
    } catch (error) {
      const e = error as RpcError;
      if (e.kind !== 'method') throw e;
      // A refused connect: the gateway says why in message + details.code, then closes.
      const kind = /protocol mismatch/i.test(e.message) ? 'protocol' : 'auth';
      throw new RpcError(kind, `gateway refused the connection: ${e.message}`, {
        code: e.code,
        details: e.details,
        method: 'connect',
      });
    }
    if (!isRecord(payload) || payload.type !== 'hello-ok') {
      throw new RpcError('protocol', 'gateway answered connect without hello-ok', { method: 'connect' });
    }
    const server = isRecord(payload.server) ? payload.server : {};
    const features = isRecord(payload.features) ? payload.features : {};
    const grant = isRecord(payload.auth) ? payload.auth : {};
    return {
      protocol: typeof payload.protocol === 'number' ? payload.protocol : 0,
      serverVersion: typeof server.version === 'string' ? server.version : null,
      connId: typeof server.connId === 'string' ? server.connId : null,
      methods: stringArray(features.methods),
      events: stringArray(features.events),
      scopes: stringArray(grant.scopes),
      role: typeof grant.role === 'string' ? grant.role : null,
      raw: payload,
    };
  }

  /** Calls `method` on the connected gateway and resolves with its payload. */
  call<T = unknown>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
    if (this.hello === null && this.finalError === null) {
      return Promise.reject(new RpcError('closed', `cannot call ${method}: not connected`, { method }));
    }
    return this.request(method, params, options) as Promise<T>;
  }

  private request(method: string, params: unknown, options: CallOptions): Promise<unknown> {
    if (this.finalError) {
      const e = this.finalError;
      return Promise.reject(new RpcError(e.kind === 'protocol' ? 'protocol' : 'closed', `cannot call ${method}: ${e.message}`, { method }));
    }
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new RpcError('closed', `cannot call ${method}: the connection is not open`, { method }));
    }
    const id = randomUUID();
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending = {
        method,
        expectFinal: options.expectFinal === true,
        onAccepted: options.onAccepted,
        timer: null,
        resolve,
        reject,
      };
      entry.timer = setTimeout(() => {
        // Forget the id: a late answer is dropped, not delivered to a caller that gave up.
        this.pending.delete(id);
        reject(new RpcError('timeout', `${method}: no answer from the gateway within ${timeoutMs} ms`, { method }));
      }, timeoutMs);
      this.pending.set(id, entry);
      const frame: Record<string, unknown> = { type: 'req', id, method };
      if (params !== undefined) frame.params = params;
      ws.send(JSON.stringify(frame), (error) => {
        if (!error) return;
        // The socket died between the readyState check and the write.
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        if (p.timer) clearTimeout(p.timer);
        p.reject(new RpcError('closed', `${method}: could not send: ${describeSocketError(error)}`, { method, cause: error }));
      });
    });
  }

  private dispatch(frame: Record<string, unknown>): void {
    if (frame.type === 'res') {
      const id = typeof frame.id === 'string' ? frame.id : '';
      const p = this.pending.get(id);
      if (!p) return; // timed out already, or not ours
      if (frame.ok === true) {
        const payload = frame.payload;
        if (p.expectFinal && isRecord(payload) && payload.status === 'accepted') {
          try {
            p.onAccepted?.(payload);
          } catch {
            // a caller's progress hook must not break the connection
          }
          return;
        }
        this.pending.delete(id);
        if (p.timer) clearTimeout(p.timer);
        p.resolve(payload);
        return;
      }
      this.pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      const err = isRecord(frame.error) ? frame.error : {};
      const code = typeof err.code === 'string' ? err.code : undefined;
      const message = typeof err.message === 'string' ? err.message : 'unknown error';
      p.reject(
        new RpcError('method', `${p.method} failed: ${code ? `${code}: ` : ''}${message}`, {
          code,
          details: err.details,
          method: p.method,
          retryable: err.retryable === true,
        }),
      );
      return;
    }
    if (frame.type === 'event' && typeof frame.event === 'string') {
      for (const listener of [...this.listeners]) {
        try {
          listener(frame.event, frame.payload, frame);
        } catch {
          // one bad listener must not starve the others or kill the socket
        }
      }
    }
    // Anything else (requests from the server, unknown types) is not for an operator client.
  }

  private protocolFailure(message: string, failConnect?: (e: RpcError) => void): void {
    const error = new RpcError('protocol', message);
    if (failConnect) failConnect(error);
    else this.shutdown(error);
  }

  /** Ends the connection once: records why, fails every pending call, drops the socket. */
  private shutdown(reason: RpcError): void {
    if (this.finalError === null) this.finalError = reason;
    this.connecting = false;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      const kind = reason.kind === 'protocol' ? 'protocol' : 'closed';
      p.reject(new RpcError(kind, `${p.method}: ${reason.message}`, { method: p.method, details: reason.details }));
    }
    this.closeSocket();
  }

  private closeSocket(): void {
    const ws = this.ws;
    if (!ws || this.closedPromise) return;
    this.closedPromise = new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      // A peer that never completes the closing handshake must not keep us (or the event
      // loop) waiting: terminate after a short grace.
      const force = setTimeout(() => {
        try {
          ws.terminate();
        } catch {
          // already gone
        }
        resolve();
      }, 1_000);
      force.unref();
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      try {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client done');
      } catch {
        resolve();
      }
    });
  }

  /** Closes the connection; pending calls fail with kind `closed`. Safe to call repeatedly. */
  close(): Promise<void> {
    if (this.finalError === null) this.shutdown(new RpcError('closed', 'connection closed by the client'));
    else this.closeSocket();
    return this.closedPromise ?? Promise.resolve();
  }
}

/**
 * How a gateway RPC failed. Apart from the client (rpc-client.ts) so that code which only checks
 * for it loads neither the client nor node:crypto until a connection is made (issue 11).
 */
export type RpcErrorKind = 'connect' | 'closed' | 'auth' | 'timeout' | 'method' | 'protocol';

export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
    /** The gateway's error code for `method`/`auth` errors (e.g. UNAVAILABLE). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

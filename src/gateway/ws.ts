/**
 * The WebSocket client, loaded when a command first connects: `ws` and the http, https, tls and
 * zlib modules it pulls in cost ~20 ms of start-up, which a `list --json` or a `prune` with no
 * gateway running never needs (issue 11, bench/). Bundled into a chunk of its own.
 */
import type WebSocket from 'ws';

export type { WebSocket };

let loaded: Promise<typeof WebSocket> | null = null;

/** The `ws` WebSocket class; the first call loads it. */
export function loadWebSocket(): Promise<typeof WebSocket> {
  loaded ??= import('ws').then((module) => module.default);
  return loaded;
}

/**
 * A local stand-in for the gateway's WebSocket RPC (unit tests): it speaks the handshake
 * (`connect.challenge`, then `hello-ok` or a refusal) and hands every later request to `behave`.
 * The real protocol is exercised against real gateways in test/e2e.
 */
import { after } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';

export type Behaviour = (socket: WebSocket, frame: { id: string; method: string; params: Record<string, unknown> }) => void;

/** A local stand-in speaking the gateway's handshake; `behave` answers requests after connect. */
export async function fakeGateway(behave: Behaviour, options: { refuse?: boolean } = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const seen: Array<Record<string, unknown>> = [];
  server.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n-123', ts: Date.now() } }));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: string; method: string; params: Record<string, unknown> };
      seen.push(frame);
      if (frame.method === 'connect') {
        if (options.refuse) {
          socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: false, error: { code: 'UNAUTHORIZED', message: 'gateway token mismatch' } }));
          socket.close(1008, 'unauthorized');
          return;
        }
        socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: { type: 'hello-ok', protocol: 3, server: { version: '2026.4.2' }, features: { methods: ['sessions.delete', 'sessions.list'] }, auth: { scopes: ['operator.admin', 'operator.read'] } } }));
        return;
      }
      behave(socket, frame);
    });
  });
  after(() => server.close());
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, seen };
}

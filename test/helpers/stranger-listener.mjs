// A WebSocket listener that speaks the first frame of the gateway protocol (connect.challenge)
// and prints every frame it receives, one JSON line each: a stranger on the gateway's port.
// Usage: node stranger-listener.mjs <ws module path> [port]   (prints "listening <port>" first;
// without a port, a free one). A port just given up by a killed process is retried for 20 s.
// LISTENER_TITLE set: the process takes that title (its /proc cmdline), as OpenClaw's gateway
// names itself `openclaw-gateway` — what any user can make a process of theirs look like.
// LISTENER_REFUSE set: `connect` is answered as a real 2026.4.2 gateway answers a wrong or
// missing token (docs/real-gateway-notes.md: INVALID_REQUEST "unauthorized: gateway token
// mismatch", details AUTH_TOKEN_MISMATCH, then close 1008), so a client fails at once.
if (process.env.LISTENER_TITLE) process.title = process.env.LISTENER_TITLE;
const { WebSocketServer } = await import(process.argv[2]);
const port = Number(process.argv[3] ?? 0);
for (let attempt = 0; ; attempt++) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  const error = await new Promise((resolve) => {
    server.once('listening', () => resolve(null));
    server.once('error', resolve);
  });
  if (error) {
    if (error.code !== 'EADDRINUSE' || attempt >= 200) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100));
    continue;
  }
  process.stdout.write(`listening ${server.address().port}\n`);
  server.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'stranger', ts: Date.now() } }));
    socket.on('message', (data) => {
      process.stdout.write(`heard ${String(data)}\n`);
      if (!process.env.LISTENER_REFUSE) return;
      const frame = JSON.parse(String(data));
      if (frame.method !== 'connect') return;
      const message = 'unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)';
      socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: false, error: { code: 'INVALID_REQUEST', message, details: { code: 'AUTH_TOKEN_MISMATCH' } } }));
      socket.close(1008, message);
    });
  });
  break;
}

// A WebSocket listener that speaks the first frame of the gateway protocol (connect.challenge)
// and prints every frame it receives, one JSON line each: a stranger on the gateway's port.
// Usage: node stranger-listener.mjs <ws module path> [port]   (prints "listening <port>" first;
// without a port, a free one). A port just given up by a killed process is retried for 20 s.
// LISTENER_TITLE set: the process takes that title (its /proc cmdline), as OpenClaw's gateway
// names itself `openclaw-gateway` — what any user can make a process of theirs look like.
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
    socket.on('message', (data) => process.stdout.write(`heard ${String(data)}\n`));
  });
  break;
}

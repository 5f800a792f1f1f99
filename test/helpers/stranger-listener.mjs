// A WebSocket listener that speaks the first frame of the gateway protocol (connect.challenge)
// and prints every frame it receives, one JSON line each: a stranger on the gateway's port.
// Usage: node stranger-listener.mjs <ws module path>   (prints "listening <port>" first)
const { WebSocketServer } = await import(process.argv[2]);
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => process.stdout.write(`listening ${server.address().port}\n`));
server.on('connection', (socket) => {
  socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'stranger', ts: Date.now() } }));
  socket.on('message', (data) => process.stdout.write(`heard ${String(data)}\n`));
});

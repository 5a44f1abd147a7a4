/**
 * The baseline of the realtime fan-out benchmark: one process, a bare Socket.IO server (WebSocket
 * only, no auth, no NATS) that emits to a room when told over HTTP. What the platform adds on top
 * of this (JetStream, routing, authorization) is the price of its architecture.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'POST' && url.pathname === '/emit') {
    io.to(url.searchParams.get('room') ?? '').emit('ticket.created', { id: url.searchParams.get('id') });
    response.writeHead(204).end();
    return;
  }
  response.writeHead(404).end();
});
const io = new Server(server, { path: '/socket.io', transports: ['websocket'] });
io.on('connection', (socket) => void socket.join(String(socket.handshake.auth.room)));

server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => void io.close(() => process.exit(0)));

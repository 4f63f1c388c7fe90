// Baseline server: socket.io 4 with Parley's gateway settings (src/realtime/gateway.ts), whose only
// work is to relay each HTTP POST body to every socket in one room. Prints "listening URL".
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    io.to('room').emit('chat message', JSON.parse(Buffer.concat(chunks).toString()));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"RC":0}');
  });
});
const io = new Server(http, {
  path: '/socket.io',
  allowEIO3: true,
  transports: ['polling', 'websocket'],
  pingInterval: 5000,
  pingTimeout: 8000,
  maxHttpBufferSize: 1024 * 1024,
  serveClient: false,
});
io.on('connection', (socket) => socket.join('room'));
http.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${http.address().port}\n`));
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});

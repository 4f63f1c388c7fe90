// A load process of socket.io-client 4 sockets (started by sockets.js): connects `count` sockets
// (with `tokens`, each authenticates as its user the way IMKIT's web SDK does: auth2), prints
// "ready {...}", then counts `chat message` pushes and their latency: the sender puts its send time
// in the text (`t=<epoch ms>`). Answers "reset", "report" and "stop" over IPC; stops by itself after
// `maxSeconds` or when its parent goes away.
import { readFileSync } from 'node:fs';
import { io } from 'socket.io-client';

const options = JSON.parse(readFileSync(process.env.BENCH_SOCKETS_FILE, 'utf8'));
const CONNECTING_AT_ONCE = 50;
const now = () => performance.timeOrigin + performance.now();
const sockets = [];
let count = 0;
let first = null;
let last = null;
let histogram = new Map();
let sample = null;

function onMessage(payload) {
  const at = now();
  count++;
  first ??= at;
  last = at;
  sample ??= payload;
  const sentAt = /t=(\d+(?:\.\d+)?)/.exec(typeof payload?.message === 'string' ? payload.message : '')?.[1];
  if (sentAt === undefined) return;
  const bucket = Math.max(0, Math.floor((at - Number(sentAt)) * 10));
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
}

function connect(index) {
  const token = options.tokens?.[index];
  return new Promise((resolve, reject) => {
    const socket = io(options.url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error(`socket ${index} not ready in 60 s`)), 60_000);
    const done = (error) => {
      clearTimeout(timer);
      if (error) return reject(error);
      socket.on('chat message', onMessage);
      resolve();
    };
    socket.once('connect_error', done);
    socket.once('connect', () => {
      if (token === undefined) return done();
      socket.emit('auth2', token, { CLIENT_KEY: options.clientKey, Authorization: token }, (ack) =>
        done(ack?.RC === 0 ? undefined : new Error(`auth2: ${JSON.stringify(ack).slice(0, 300)}`)),
      );
    });
  });
}

function exit() {
  for (const socket of sockets) socket.close();
  process.exit(0);
}
setTimeout(exit, options.maxSeconds * 1000);
process.on('disconnect', exit);
process.on('message', (message) => {
  if (message === 'stop') exit();
  if (message === 'reset') {
    count = 0;
    first = last = sample = null;
    histogram = new Map();
    process.send('reset');
  }
  if (message === 'report')
    process.send({ report: { count, first, last, histogram: Object.fromEntries(histogram), sample } });
});

let next = 0;
let failed = 0;
let firstError;
const worker = async () => {
  while (next < options.count) {
    await connect(next++).catch((error) => {
      failed++;
      firstError ??= error.message;
    });
  }
};
await Promise.all(Array.from({ length: CONNECTING_AT_ONCE }, worker));
process.stdout.write(`ready ${JSON.stringify({ connected: options.count - failed, failed, firstError })}\n`);

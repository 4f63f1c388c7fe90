// npm run bench:realtime — how long a message takes from `POST /messages` to every member's socket,
// against a bare socket.io server (same version and settings) that only relays an HTTP POST to a
// socket.io room: the baseline is measured in the same run, with the same clients.
// BENCH_SOCKETS (default 200) members, BENCH_MESSAGES (default 100) messages, one at a time.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 200);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);

function startParley() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-rt-bench-'));
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '10000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parley did not start: ${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const port =
        /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? /localhost:(\d+)/.exec(output)?.[1];
      const apiKey = /API key\s+:\s+(\S+)/.exec(output)?.[1];
      const clientKey = /Client key\s+:\s+(\S+)/.exec(output)?.[1];
      if (apiKey && clientKey && /parley listening/.test(output)) {
        clearTimeout(timer);
        const address = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1] ?? `http://127.0.0.1:${port}`;
        resolve({
          url: address,
          apiKey,
          clientKey,
          stop: () => {
            child.kill('SIGTERM');
            rmSync(dir, { recursive: true, force: true });
          },
        });
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
  });
}

/** The baseline: socket.io with Parley's settings, an HTTP POST relayed to one room, nothing else. */
function startBare() {
  const http = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      server.to('room').emit('chat message', JSON.parse(body));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"RC":0}');
    });
  });
  const server = new Server(http, { allowEIO3: true, pingInterval: 5000, pingTimeout: 8000 });
  server.on('connection', (socket) => socket.join('room'));
  return new Promise((resolve) =>
    http.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${http.address().port}`, stop: () => server.close() }),
    ),
  );
}

async function connectAll(url, authFor) {
  const sockets = [];
  for (let i = 0; i < SOCKETS; i++) {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    if (authFor)
      await new Promise((resolve) =>
        socket.emit('auth2', authFor(i), { CLIENT_KEY: authFor.clientKey, Authorization: authFor(i) }, resolve),
      );
    sockets.push(socket);
  }
  return sockets;
}

/** Median and p95 of the time until every socket has the message. */
async function measure(sockets, send) {
  const samples = [];
  for (let n = 0; n < MESSAGES + 5; n++) {
    const tag = `m${n}`;
    const arrived = Promise.all(
      sockets.map(
        (socket) =>
          new Promise((resolve) => {
            const on = (payload) => {
              const text =
                typeof payload === 'string' ? Buffer.from(payload, 'base64').toString() : JSON.stringify(payload);
              if (text.includes(tag)) {
                socket.off('chat message', on);
                resolve();
              }
            };
            socket.on('chat message', on);
          }),
      ),
    );
    const start = performance.now();
    await send(tag);
    await arrived;
    if (n >= 5) samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)], p95: samples[Math.floor(samples.length * 0.95)] };
}

const post = (url, path, headers, body) =>
  fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }).then(async (response) => {
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  });

const bare = await startBare();
const bareSockets = await connectAll(bare.url);
const baseline = await measure(bareSockets, (tag) => post(bare.url, '/', {}, { message: tag }));
for (const socket of bareSockets) socket.close();
bare.stop();

const parley = await startParley();
const admin = { 'im-api-key': parley.apiKey };
const users = Array.from({ length: SOCKETS }, (_, i) => ({ _id: `u${i}`, nickname: `User ${i}` }));
await post(parley.url, '/admin/clients/list', admin, { data: [...users, { _id: 'sender', nickname: 'Sender' }] });
const tokens = [];
for (const user of users)
  tokens.push(
    (await post(parley.url, '/admin/clients', admin, { _id: user._id, issueAccessToken: true })).result.token,
  );
await post(parley.url, '/rooms', admin, { _id: 'bench', members: [...users.map((user) => user._id), 'sender'] });
const authFor = Object.assign((i) => tokens[i], { clientKey: parley.clientKey });
const parleySockets = await connectAll(parley.url, authFor);
const result = await measure(parleySockets, (tag) =>
  post(parley.url, '/messages', admin, { room: 'bench', sender: 'sender', message: tag, messageType: 'text' }),
);
for (const socket of parleySockets) socket.close();
parley.stop();

const ratio = result.p50 / baseline.p50;
console.log(`Delivery to ${SOCKETS} sockets, ${MESSAGES} messages one at a time (median / p95 ms):`);
console.log(`  bare socket.io relay      ${baseline.p50.toFixed(2)} / ${baseline.p95.toFixed(2)}`);
console.log(
  `  Parley POST /messages     ${result.p50.toFixed(2)} / ${result.p95.toFixed(2)}   (${ratio.toFixed(2)}x the baseline; stores, counts unread, checks access)`,
);
writeFileSync(
  join(root, 'bench/results/realtime-latest.json'),
  JSON.stringify({ sockets: SOCKETS, messages: MESSAGES, baseline, parley: result, ratio }, null, 2),
);
process.exit(0);

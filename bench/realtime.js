// npm run bench:realtime — how long a message takes from `POST /messages` to every member's socket,
// against a bare socket.io server (same version and settings) that only relays an HTTP POST to a
// socket.io room: the baseline is measured in the same run, with the same clients.
// BENCH_SOCKETS (default 200) members, BENCH_MESSAGES (default 100) messages, one at a time.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { startBareRelay } from './lib/baselines.js';
import { startParley } from './lib/parley.js';
import { root, tempDir } from './lib/processes.js';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 200);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);

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

const bare = await startBareRelay();
const bareSockets = await connectAll(bare.url);
const baseline = await measure(bareSockets, (tag) => post(bare.url, '/', {}, { message: tag }));
for (const socket of bareSockets) socket.close();
await bare.stop();

const { dir, remove } = tempDir('realtime');
const parley = await startParley({ databaseUrl: `sqlite:${join(dir, 'realtime.db')}` });
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
await parley.stop();
remove();

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

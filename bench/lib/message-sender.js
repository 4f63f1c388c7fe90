// A load process (started by sockets.js) that POSTs messages whose text is their send time
// (`t=<epoch ms>`) for `seconds`: either `window` requests in flight per target, or `rate` messages
// a second spread over the targets. Keep-alive connections. Prints one JSON line.
import http from 'node:http';

const { targets, body, mode, window, rate, seconds } = JSON.parse(process.env.BENCH_SEND);
const now = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let sent = 0;
let ok = 0;
let failed = 0;
let firstError;

function post(target) {
  const payload = JSON.stringify({ ...body, message: `t=${now()}` });
  sent++;
  return new Promise((resolve) => {
    const request = http.request(
      target.url + target.path,
      { method: 'POST', agent, headers: { ...target.headers, 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode === 200) ok++;
          else {
            failed++;
            firstError ??= `${response.statusCode} ${text.slice(0, 300)}`;
          }
          resolve();
        });
      },
    );
    request.on('error', (error) => {
      failed++;
      firstError ??= error.message;
      resolve();
    });
    request.end(payload);
  });
}

const startedAt = now();
const endAt = startedAt + seconds * 1000;
if (mode === 'window') {
  const worker = async (target) => {
    while (now() < endAt) await post(target);
  };
  await Promise.all(targets.flatMap((target) => Array.from({ length: window }, () => worker(target))));
} else {
  const inFlight = new Set();
  const interval = 1000 / rate;
  for (let due = startedAt, index = 0; due < endAt; due += interval, index++) {
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = post(targets[index % targets.length]);
    inFlight.add(request);
    request.then(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);
}
agent.destroy();
console.log(JSON.stringify({ sent, ok, failed, firstError, startedAt, endedAt: now() }));

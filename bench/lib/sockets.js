// Socket load: socket.io-client processes (socket-clients.js) and a message sender
// (message-sender.js), and the measurement of deliveries they make together.
import { histogramPercentile, mergeHistograms } from './rows.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUsersWithTokens, userHeaders } from './parley.js';
import { LOAD_CPU, runNode, sleep, startNode, stopProcess, tempDir } from './processes.js';

/** Splits `items` into `parts` nearly equal slices. */
export const split = (items, parts) =>
  Array.from({ length: parts }, (_, part) =>
    items.slice(Math.floor((part * items.length) / parts), Math.floor(((part + 1) * items.length) / parts)),
  );

/** Client groups for `count` sockets that connect without signing in, over `processes` processes. */
export const anonymousGroups = (url, count, processes) =>
  split(Array(count).fill(0), processes).map((part) => ({ url, count: part.length }));

/** Client groups for `members` ({ token }), each signing in; the i-th of `processes` connects to urls[i % urls.length]. */
export const memberGroups = (urls, members, clientKey, processes) =>
  split(members, processes).map((part, index) => ({
    url: urls[index % urls.length],
    count: part.length,
    tokens: part.map((member) => member.token),
    clientKey,
  }));

function ask(child, message, answered) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket clients did not answer "${message}"`)), 30_000);
    const onMessage = (answer) => {
      if (!answered(answer)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(answer);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/**
 * One client process per group `{ url, count, tokens?, clientKey? }`, on `cpu` (the load CPU
 * unless told; null leaves them unpinned). Resolves once every socket is connected (and signed in).
 */
export async function startSocketClients(groups, { cpu = LOAD_CPU, maxSeconds = 600 } = {}) {
  // Thousands of tokens are too long for the environment: the settings go through a file.
  const { dir, remove } = tempDir('sockets');
  const processes = await Promise.all(
    groups.map((group, index) => {
      const settings = join(dir, `${index}.json`);
      writeFileSync(settings, JSON.stringify({ ...group, maxSeconds }));
      return startNode(['bench/lib/socket-clients.js'], {
        cpu: cpu ?? undefined,
        ipc: true,
        timeoutMs: 180_000,
        env: { BENCH_SOCKETS_FILE: settings },
        ready: (out) => /ready (\{.*\})\n/.exec(out),
      });
    }),
  ).finally(remove);
  const states = processes.map((started) => JSON.parse(started.match[1]));
  const connected = states.reduce((sum, state) => sum + state.connected, 0);
  const children = processes.map((started) => started.child);
  const clients = {
    connected,
    pids: processes.map((started) => started.pid),
    reset: () => Promise.all(children.map((child) => ask(child, 'reset', (answer) => answer === 'reset'))),
    async report() {
      const reports = (
        await Promise.all(children.map((child) => ask(child, 'report', (answer) => answer?.report)))
      ).map((answer) => answer.report);
      const times = (field, pick) => pick(...reports.map((report) => report[field]).filter((at) => at !== null));
      return {
        count: reports.reduce((sum, report) => sum + report.count, 0),
        first: times('first', Math.min),
        last: times('last', Math.max),
        histogram: mergeHistograms(reports.map((report) => report.histogram)),
        sample: reports.find((report) => report.sample)?.sample,
      };
    },
    stop: () => Promise.all(children.map((child) => stopProcess(child, 5000))),
  };
  const failed = states.find((state) => state.failed > 0);
  if (failed) {
    await clients.stop();
    throw new Error(`${failed.failed} sockets failed to connect: ${failed.firstError}`);
  }
  return clients;
}

/** Runs message-sender.js to its end (see there for `mode`, `window`, `rate`). */
export function sendMessages({ targets, body, mode, window, rate, seconds, cpu = LOAD_CPU }) {
  return runNode(['bench/lib/message-sender.js'], {
    cpu: cpu ?? undefined,
    env: { BENCH_SEND: JSON.stringify({ targets, body, mode, window, rate, seconds }) },
    timeoutMs: (seconds + 60) * 1000,
  });
}

/**
 * Sends for `send.seconds`, then waits until every delivery has arrived (or none arrives for 2 s).
 * Deliveries/s run from the first send to the last delivery; latency is send to receipt.
 */
export async function measureDeliveries(clients, send) {
  await clients.reset();
  const sent = await sendMessages(send);
  if (sent.ok === 0) throw new Error(`no message was accepted: ${sent.firstError}`);
  const expected = sent.ok * clients.connected;
  let report = await clients.report();
  for (let still = 0; report.count < expected && still < 8; ) {
    await sleep(250);
    const next = await clients.report();
    still = next.count === report.count ? still + 1 : 0;
    report = next;
  }
  return {
    perSecond: report.count / ((report.last - sent.startedAt) / 1000),
    deliveries: report.count,
    expected,
    messages: sent.ok,
    failedPosts: sent.failed,
    firstError: sent.firstError,
    p50: histogramPercentile(report.histogram, 50),
    p99: histogramPercentile(report.histogram, 99),
    sample: report.sample,
  };
}

/**
 * A Parley room of `sockets` members, each with its own token; member 0 sends (its own socket gets
 * the message too, as the SDKs' do). `target(url)` is where the sender POSTs.
 */
export async function parleyRoom(server, sockets, roomId) {
  const members = await createUsersWithTokens(server.admin, sockets, `${roomId}-`);
  await server.admin.post('/rooms', { _id: roomId, members: members.map((member) => member.userId) });
  /** Every member's socket, over `processes` client processes (see memberGroups); `cpu` as in startSocketClients. */
  const connect = (urls, { processes = 2, cpu } = {}) =>
    startSocketClients(memberGroups(urls, members, server.clientKey, processes), { cpu });
  const target = (url) => ({
    url,
    path: `/rooms/${roomId}/message`,
    headers: userHeaders(server.clientKey, members[0].token),
  });
  return { members, connect, target, body: { messageType: 'text' } };
}

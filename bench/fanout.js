// Rows 3 and 4 of issue 11: one message POSTed by a member of a 1,000-member room, delivered to
// every member's socket, against a bare socket.io relay with the same clients in the same run.
// Throughput: `BENCH_FANOUT_WINDOW` POSTs in flight for BENCH_SECONDS. Latency: the same offered
// load for both, BENCH_FANOUT_LOAD (0.5) of the bare relay's throughput just measured.
import { join } from 'node:path';
import { startBareRelay } from './lib/baselines.js';
import { startParley } from './lib/parley.js';
import { tempDir } from './lib/processes.js';
import { row } from './lib/rows.js';
import { anonymousGroups, measureDeliveries, parleyRoom, startSocketClients } from './lib/sockets.js';
import {
  CLIENT_PROCESSES,
  FANOUT_LATENCY_LOAD,
  FANOUT_SOCKETS,
  FANOUT_WINDOW,
  SECONDS,
  WARMUP_SECONDS,
} from './lib/settings.js';

export async function run() {
  const { dir, remove } = tempDir('fanout');
  const parley = await startParley({ databaseUrl: `sqlite:${join(dir, 'fanout.db')}` });
  const bare = await startBareRelay();
  const stops = [parley.stop, bare.stop];
  try {
    const room = await parleyRoom(parley, FANOUT_SOCKETS, 'fanout');
    const parleyClients = await room.connect([parley.url], { processes: CLIENT_PROCESSES });
    stops.unshift(parleyClients.stop);
    const parleyLoad = { targets: [room.target(parley.url)], body: room.body, mode: 'window', window: FANOUT_WINDOW };
    const warm = await measureDeliveries(parleyClients, { ...parleyLoad, seconds: WARMUP_SECONDS });
    if (!warm.sample) throw new Error(`no delivery from Parley: ${warm.firstError ?? 'no error either'}`);

    // The relay is sent what Parley pushes, so both put the same bytes on the wire.
    const bareClients = await startSocketClients(anonymousGroups(bare.url, FANOUT_SOCKETS, CLIENT_PROCESSES));
    stops.unshift(bareClients.stop);
    const bareLoad = {
      targets: [{ url: bare.url, path: '/', headers: {} }],
      body: warm.sample,
      mode: 'window',
      window: FANOUT_WINDOW,
    };
    await measureDeliveries(bareClients, { ...bareLoad, seconds: WARMUP_SECONDS });

    const bareThroughput = await measureDeliveries(bareClients, { ...bareLoad, seconds: SECONDS });
    const parleyThroughput = await measureDeliveries(parleyClients, { ...parleyLoad, seconds: SECONDS });
    const rate = Math.max(1, Math.round((FANOUT_LATENCY_LOAD * bareThroughput.perSecond) / FANOUT_SOCKETS));
    const paced = { mode: 'rate', rate, seconds: SECONDS };
    const bareLatency = await measureDeliveries(bareClients, { ...bareLoad, ...paced });
    const parleyLatency = await measureDeliveries(parleyClients, { ...parleyLoad, ...paced });

    const lost = (result) =>
      result.deliveries < result.expected ? `; ${result.expected - result.deliveries} deliveries missing` : '';
    return [
      row({
        benchmark: `fan-out to ${FANOUT_SOCKETS} sockets in one room, throughput (deliveries/s)`,
        value: parleyThroughput.perSecond,
        unit: 'deliveries/s',
        baseline: bareThroughput.perSecond,
        target: '>= 0.7x bare socket.io relay',
        pass: (_, ratio) => ratio >= 0.7,
        digits: 0,
        note: `${FANOUT_WINDOW} POSTs in flight, ${parleyThroughput.messages} vs ${bareThroughput.messages} messages${lost(parleyThroughput)}`,
      }),
      row({
        benchmark: `fan-out to ${FANOUT_SOCKETS} sockets, p99 latency (send to receipt)`,
        value: parleyLatency.p99,
        unit: 'ms',
        baseline: bareLatency.p99,
        target: '<= 50 ms and <= 1.1x bare',
        pass: (value, ratio) => value <= 50 && ratio <= 1.1,
        digits: 1,
        note: `both offered ${rate} msg/s (${FANOUT_LATENCY_LOAD} of the bare relay's throughput); p50 ${parleyLatency.p50} vs ${bareLatency.p50} ms${lost(parleyLatency)}`,
      }),
    ];
  } finally {
    for (const stop of stops) await stop();
    remove();
  }
}

// Row 5 of issue 11: two Parley nodes on PostgreSQL + Redis, the room's 1,000 sockets split over
// both and the messages POSTed to both, against one node (the second not running) in the same run.
// Pinning on two CPUs: the single node on CPU 0; of the pair, node A on CPU 0 and node B on CPU 1.
// There is no CPU left for the load, so the socket clients and the sender are left unpinned in
// both halves (alike for both), as are PostgreSQL and Redis: on two cores the pair shares its CPUs
// with everything else, which bounds the ratio this machine can show.
import { POSTGRES_URL, REDIS_URL, postgresProblem, postgresSchema, redisProblem } from './lib/databases.js';
import { startParley } from './lib/parley.js';
import { row, skippedRow } from './lib/rows.js';
import { measureDeliveries, parleyRoom } from './lib/sockets.js';
import { FANOUT_SOCKETS, FANOUT_WINDOW, SECONDS, WARMUP_SECONDS } from './lib/settings.js';

const UNPINNED = null;

/** Deliveries/s with the sockets spread over `nodes` (one client process each) and POSTs to each. */
async function deliveries(room, nodes) {
  const urls = nodes.map((node) => node.url);
  const clients = await room.connect(urls, { processes: Math.max(2, nodes.length), cpu: UNPINNED });
  try {
    const load = {
      targets: urls.map(room.target),
      body: room.body,
      mode: 'window',
      window: FANOUT_WINDOW,
      cpu: UNPINNED,
    };
    await measureDeliveries(clients, { ...load, seconds: WARMUP_SECONDS });
    return await measureDeliveries(clients, { ...load, seconds: SECONDS });
  } finally {
    await clients.stop();
  }
}

export async function run() {
  const benchmark = `two nodes on PostgreSQL + Redis, fan-out to ${FANOUT_SOCKETS} sockets (deliveries/s)`;
  const target = '>= 1.6x one node';
  const problem = (await postgresProblem()) ?? (await redisProblem());
  if (problem) return [skippedRow(benchmark, 'deliveries/s', target, problem)];
  const schema = await postgresSchema('nodes', POSTGRES_URL);
  // A prefix of its own keeps this run's Redis traffic apart from anything else using that Redis.
  const env = { REDIS_URL, REDIS_PREFIX: `${schema.schema}:` };
  const stops = [];
  try {
    const nodeA = await startParley({ databaseUrl: schema.url, env, cpu: 0 });
    stops.push(nodeA.stop);
    const room = await parleyRoom(nodeA, FANOUT_SOCKETS, 'nodes');
    const one = await deliveries(room, [nodeA]);
    const nodeB = await startParley({ databaseUrl: schema.url, env, cpu: 1, credentials: nodeA.credentials });
    stops.push(nodeB.stop);
    const two = await deliveries(room, [nodeA, nodeB]);
    const missing = (result) => result.expected - result.deliveries;
    return [
      row({
        benchmark,
        value: two.perSecond,
        unit: 'deliveries/s',
        baseline: one.perSecond,
        target,
        pass: (_, ratio) => ratio >= 1.6,
        digits: 0,
        note: `node A on CPU 0, B on CPU 1, load unpinned; ${FANOUT_WINDOW} POSTs in flight per node; missing deliveries ${missing(two)} vs ${missing(one)}`,
      }),
    ];
  } finally {
    for (const stop of stops.reverse()) await stop();
    await schema.dispose();
  }
}

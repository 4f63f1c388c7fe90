// Load generator, run as its own process by `httpLoad` (load.js): autocannon with one set of headers
// per connection (each connection a different user), for a bounded time. Prints one JSON line.
import autocannon from 'autocannon';

const options = JSON.parse(process.env.BENCH_LOAD);
const perConnection = options.headersPerConnection ?? [];
let connection = 0;
const result = await autocannon({
  url: options.url,
  method: options.method ?? 'GET',
  connections: options.connections,
  duration: options.seconds,
  headers: options.headers ?? {},
  body: options.body,
  setupClient: (client) => {
    if (perConnection.length === 0) return;
    client.setHeaders({ ...options.headers, ...perConnection[connection++ % perConnection.length] });
  },
});
console.log(
  JSON.stringify({
    perSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
  }),
);

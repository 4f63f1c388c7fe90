// Drives HTTP load from a separate process on the load CPU (see http-load.js).
import { LOAD_CPU, runNode } from './processes.js';

/**
 * `connections` keep-alive connections, each sending its next request when the last is answered,
 * for `seconds`. `headersPerConnection[i]` are added to connection i's requests.
 * Returns { perSecond (2xx answers/s), ok, non2xx, errors, p50, p99, seconds }.
 */
export function httpLoad({ url, method, headers, headersPerConnection, body, connections, seconds, cpu = LOAD_CPU }) {
  const load = { url, method, headers, headersPerConnection, body, connections, seconds };
  return runNode(['bench/lib/http-load.js'], {
    cpu,
    env: { BENCH_LOAD: JSON.stringify(load) },
    timeoutMs: (seconds + 60) * 1000,
  });
}

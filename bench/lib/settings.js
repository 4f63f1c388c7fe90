// Every setting of `npm run bench`, read from the environment (a positive number each).

function setting(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}

/** Length of each measured load phase, and of the warm-up before it. */
export const SECONDS = setting('BENCH_SECONDS', 5);
export const WARMUP_SECONDS = setting('BENCH_WARMUP_SECONDS', 2);
/** Rows 1-2: members POSTing at once, one connection each. */
export const MESSAGE_USERS = setting('BENCH_MESSAGE_USERS', 16);
/** Rows 3-5: members (sockets) of the room, client processes, POSTs in flight per node. */
export const FANOUT_SOCKETS = setting('BENCH_FANOUT_SOCKETS', 1000);
export const CLIENT_PROCESSES = setting('BENCH_CLIENT_PROCESSES', 2);
export const FANOUT_WINDOW = setting('BENCH_FANOUT_WINDOW', 4);
/** Row 4: the offered load of the latency phase, as a share of the bare relay's throughput. */
export const FANOUT_LATENCY_LOAD = setting('BENCH_FANOUT_LOAD', 0.5);
/** Row 6: autocannon connections, and rounds alternating Parley and the baselines. */
export const ADMIN_CONNECTIONS = setting('BENCH_CONNECTIONS', 32);
export const ADMIN_ROUNDS = setting('BENCH_ROUNDS', 2);
/** Row 7: idle signed-in sockets (up to 20,000 on one loopback address). */
export const IDLE_SOCKETS = setting('BENCH_IDLE_SOCKETS', 5000);
/** Row 8: messages loaded, and searches per keyword (at most, or as many as the seconds allow). */
export const SEARCH_MESSAGES = setting('BENCH_SEARCH_MESSAGES', 1_000_000);
export const SEARCH_SAMPLING = {
  repeat: setting('BENCH_SEARCH_REPEAT', 200),
  seconds: setting('BENCH_SEARCH_SECONDS', 4),
};

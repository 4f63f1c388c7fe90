// Row 6 of issue 11: authenticated, rate-limited GET /admin/clients?limit=20 against a bare Fastify
// route answering the same JSON (and the same with Parley's response headers), alternating rounds
// after a warm-up of each. Also the cost of API-key verification, cached and not.
import { join } from 'node:path';
import { startBareFastify } from './lib/baselines.js';
import { httpLoad } from './lib/load.js';
import { startParley } from './lib/parley.js';
import { root, tempDir } from './lib/processes.js';
import { row } from './lib/rows.js';
import { ADMIN_CONNECTIONS, ADMIN_ROUNDS, SECONDS, WARMUP_SECONDS } from './lib/settings.js';

const PATH = '/admin/clients?limit=20';

async function httpBench() {
  const { dir, remove } = tempDir('admin');
  const parley = await startParley({ databaseUrl: `sqlite:${join(dir, 'admin.db')}` });
  const servers = [parley];
  try {
    for (let i = 0; i < 40; i++)
      await parley.admin.post('/admin/clients', {
        _id: `user${String(i).padStart(3, '0')}`,
        nickname: `User ${i}`,
        email: `u${i}@example.com`,
      });
    // A key whose limit the load cannot reach: the limiter still counts every request.
    const created = await parley.admin.post('/admin/keys', { name: 'bench', rateLimitPerMinute: 10_000_000 });
    const headers = { 'IM-API-KEY': created.result.key };
    const body = await (await fetch(parley.url + PATH, { headers })).text();
    // The same server without its request log line (LOG_REQUESTS=false), on the same database.
    const quiet = await startParley({
      databaseUrl: `sqlite:${join(dir, 'admin.db')}`,
      credentials: parley.credentials,
      env: { LOG_REQUESTS: 'false' },
    });
    servers.push(quiet);
    const bare = await startBareFastify(body);
    servers.push(bare);
    const bareHeaders = await startBareFastify(body, true);
    servers.push(bareHeaders);

    const contenders = {
      parley: [parley.url, headers],
      quiet: [quiet.url, headers],
      bare: [bare.url, {}],
      bareHeaders: [bareHeaders.url, {}],
    };
    const load = ([url, headers], seconds) =>
      httpLoad({ url: url + PATH, headers, connections: ADMIN_CONNECTIONS, seconds });
    // Every server warms up first, so that none is measured while its code is still being compiled.
    for (const contender of Object.values(contenders)) await load(contender, WARMUP_SECONDS);
    const runs = { parley: [], quiet: [], bare: [], bareHeaders: [] };
    for (let round = 0; round < ADMIN_ROUNDS; round++)
      for (const [name, contender] of Object.entries(contenders)) runs[name].push(await load(contender, SECONDS));
    const mean = (name, field) => runs[name].reduce((sum, run) => sum + run[field], 0) / runs[name].length;
    return {
      parley: mean('parley', 'perSecond'),
      quiet: mean('quiet', 'perSecond'),
      bare: mean('bare', 'perSecond'),
      bareHeaders: mean('bareHeaders', 'perSecond'),
      parleyP99: mean('parley', 'p99'),
      bareP99: mean('bare', 'p99'),
      failures: runs.parley.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
      bodyBytes: body.length,
    };
  } finally {
    for (const server of servers) await server.stop();
    remove();
  }
}

async function verifyBench() {
  const { createStorage, migrateToLatest } = await import(join(root, 'dist/storage/database.js'));
  const { LocalEventBus } = await import(join(root, 'dist/events/event-bus.js'));
  const { createKeysModule } = await import(join(root, 'dist/modules/keys/index.js'));
  const { createAppsModule } = await import(join(root, 'dist/modules/apps/index.js'));
  const { dir, remove } = tempDir('verify');
  const storage = createStorage(`sqlite:${join(dir, 'verify.db')}`);
  await migrateToLatest(storage);
  const bus = new LocalEventBus();
  const { apps } = createAppsModule({ storage, bus });
  const { app } = await apps.ensureDefault('bench');
  const activity = { flush: async () => {}, usage: async () => [] };
  const { keys, keyVerifier: verifier } = createKeysModule({ storage, bus, defaultRateLimit: 1000, apps, activity });
  for (let i = 0; i < 200; i++) await keys.create(app.id, { name: `k${i}` }, 'bench');
  const { secret } = await keys.create(app.id, { name: 'measured' }, 'bench');

  const microseconds = async (iterations, key, before) => {
    for (let i = 0; i < Math.min(iterations, 1000); i++) {
      before?.();
      await verifier.verify(key);
    }
    const start = performance.now();
    for (let i = 0; i < iterations; i++) {
      before?.();
      await verifier.verify(key);
    }
    return ((performance.now() - start) * 1000) / iterations;
  };
  const cachedUs = await microseconds(200_000, secret);
  const uncachedUs = await microseconds(20_000, secret, () => verifier.forgetAll());
  const mistypedUs = await microseconds(200_000, secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'));
  await storage.close();
  remove();
  return { cachedUs, uncachedUs, mistypedUs };
}

export async function run() {
  const http = await httpBench();
  const verify = await verifyBench();
  return [
    row({
      benchmark: 'GET /admin/clients?limit=20 (API key, rate limit, SQLite)',
      value: http.parley,
      unit: 'req/s',
      baseline: http.bare,
      target: '>= 0.75x bare Fastify, same JSON',
      pass: (_, ratio) => ratio >= 0.75,
      digits: 0,
      note: `p99 ${http.parleyP99} vs ${http.bareP99} ms; ${http.failures} non-2xx/errors; body ${http.bodyBytes} bytes; ${ADMIN_CONNECTIONS} connections x ${ADMIN_ROUNDS} rounds`,
    }),
    row({
      benchmark: 'the same, LOG_REQUESTS=false (no request log line)',
      value: http.quiet,
      unit: 'req/s',
      baseline: http.bare,
      target: 'reported (the row above less the cost of one JSON log line per request)',
      pass: true,
      digits: 0,
    }),
    row({
      benchmark: 'bare Fastify + the same 6 response headers',
      value: http.bareHeaders,
      unit: 'req/s',
      baseline: http.bare,
      target: 'reported (cost of the header contract)',
      pass: true,
      digits: 0,
    }),
    row({
      benchmark: 'API-key verification, cached',
      value: verify.cachedUs,
      unit: 'µs',
      baseline: verify.uncachedUs,
      target: '< 20 µs',
      pass: (value) => value < 20,
      note: 'baseline: uncached (SQLite lookup)',
    }),
    row({
      benchmark: 'mistyped key rejected by checksum, no lookup',
      value: verify.mistypedUs,
      unit: 'µs',
      target: 'reported',
      pass: true,
    }),
  ];
}

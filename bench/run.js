// npm run bench: prints a table and writes bench/results/latest.json.
// Every figure is measured in this run next to its baseline; ratios are what the targets speak of.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_S = 3;

// With two or more CPUs, servers run on CPU 0 and the load generator on CPU 1, so that neither
// steals the other's time and both contenders are measured alike.
const PIN = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu, args) =>
  PIN ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args];

function startProcess(args, env, ready) {
  const [command, argv] = pinned(0, args);
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = ready(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

/** autocannon in its own process, so the load generator does not share the server's event loop. */
async function load(url, headers, seconds = DURATION_S) {
  const args = [
    join(root, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
  ];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  const [command, argv] = pinned(1, args);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  await new Promise((resolve) => child.once('exit', resolve));
  const result = JSON.parse(out);
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function httpBench() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const parley = await startProcess(
    ['dist/server.js'],
    {
      DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    (out) => /API key\s+:\s+(\S+)[\s\S]*"msg":"parley listening"/.exec(out) && out,
  );
  const apiKey = /API key\s+:\s+(\S+)/.exec(parley.match)[1];
  const port = /"address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(parley.match)[1];
  const base = `http://127.0.0.1:${port}`;
  const admin = { 'im-api-key': apiKey, 'content-type': 'application/json' };
  for (let i = 0; i < 40; i++) {
    await fetch(`${base}/admin/clients`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        _id: `user${String(i).padStart(3, '0')}`,
        nickname: `User ${i}`,
        email: `u${i}@example.com`,
      }),
    });
  }
  // A key whose limit the load cannot reach: the limiter still counts every request.
  const created = await (
    await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'bench', rateLimitPerMinute: 10_000_000 }),
    })
  ).json();
  const benchKey = created.result.key;
  const body = await (await fetch(`${base}/admin/clients?limit=20`, { headers: { 'im-api-key': benchKey } })).text();
  const bare = await startProcess(['bench/bare-server.js'], { BARE_BODY: body }, (out) => /listening (\S+)/.exec(out));
  const bareHeaders = await startProcess(['bench/bare-server.js'], { BARE_BODY: body, BARE_HEADERS: '1' }, (out) =>
    /listening (\S+)/.exec(out),
  );

  const parleyRuns = [];
  const bareRuns = [];
  const bareHeaderRuns = [];
  // Warm every server up first, so that no contender is measured while its code is still compiling.
  await load(`${bare.match[1]}/admin/clients?limit=20`, {}, WARMUP_S);
  await load(`${bareHeaders.match[1]}/admin/clients?limit=20`, {}, WARMUP_S);
  await load(`${base}/admin/clients?limit=20`, { 'IM-API-KEY': benchKey }, WARMUP_S);
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await load(`${bare.match[1]}/admin/clients?limit=20`, {}));
    bareHeaderRuns.push(await load(`${bareHeaders.match[1]}/admin/clients?limit=20`, {}));
    parleyRuns.push(await load(`${base}/admin/clients?limit=20`, { 'IM-API-KEY': benchKey }));
  }
  await stop(parley.child);
  await stop(bare.child);
  await stop(bareHeaders.child);
  rmSync(dir, { recursive: true, force: true });
  const mean = (runs, field) => runs.reduce((sum, run) => sum + run[field], 0) / runs.length;
  return {
    parleyRps: mean(parleyRuns, 'rps'),
    bareRps: mean(bareRuns, 'rps'),
    bareHeadersRps: mean(bareHeaderRuns, 'rps'),
    parleyP99: mean(parleyRuns, 'p99'),
    bareP99: mean(bareRuns, 'p99'),
    parleyNon2xx: parleyRuns.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    bodyBytes: body.length,
  };
}

async function verifyBench() {
  const { createStorage, migrateToLatest } = await import('../dist/storage/database.js');
  const { LocalEventBus } = await import('../dist/events/event-bus.js');
  const { createKeysModule } = await import('../dist/modules/keys/index.js');
  const { createAppsModule } = await import('../dist/modules/apps/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const storage = createStorage(`sqlite:${join(dir, 'verify.db')}`);
  await migrateToLatest(storage);
  const bus = new LocalEventBus();
  const { apps } = createAppsModule({ storage, bus });
  const { app } = await apps.ensureDefault('bench');
  const activity = { flush: async () => {}, usage: async () => [] };
  const { keys, keyVerifier: verifier } = createKeysModule({ storage, bus, defaultRateLimit: 1000, apps, activity });
  for (let i = 0; i < 200; i++) await keys.create(app.id, { name: `k${i}` }, 'bench');
  const { secret } = await keys.create(app.id, { name: 'measured' }, 'bench');

  const measure = async (iterations, before) => {
    for (let i = 0; i < Math.min(iterations, 1000); i++) {
      before?.();
      await verifier.verify(secret);
    }
    const start = performance.now();
    for (let i = 0; i < iterations; i++) {
      before?.();
      await verifier.verify(secret);
    }
    return ((performance.now() - start) * 1000) / iterations;
  };
  const cachedUs = await measure(200_000);
  const uncachedUs = await measure(20_000, () => verifier.forgetAll());
  const corrupt = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
  const start = performance.now();
  for (let i = 0; i < 200_000; i++) await verifier.verify(corrupt);
  const mistypedUs = ((performance.now() - start) * 1000) / 200_000;
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
  return { cachedUs, uncachedUs, mistypedUs };
}

const http = await httpBench();
const verify = await verifyBench();
const ratio = http.parleyRps / http.bareRps;
const rows = [
  {
    benchmark: 'GET /admin/clients?limit=20 (auth + rate limit + SQLite), req/s',
    value: Math.round(http.parleyRps),
    baseline: Math.round(http.bareRps),
    ratio: Number(ratio.toFixed(3)),
    target: '>= 0.75x bare Fastify',
    pass: ratio >= 0.75,
  },
  {
    benchmark: 'bare Fastify + the same 6 response headers, req/s',
    value: Math.round(http.bareHeadersRps),
    baseline: Math.round(http.bareRps),
    ratio: Number((http.bareHeadersRps / http.bareRps).toFixed(3)),
    target: 'reported (cost of the header contract)',
    pass: true,
  },
  {
    benchmark: 'API-key verification, cached (µs)',
    value: Number(verify.cachedUs.toFixed(2)),
    baseline: Number(verify.uncachedUs.toFixed(2)),
    ratio: Number((verify.cachedUs / verify.uncachedUs).toFixed(3)),
    target: '< 20 µs',
    pass: verify.cachedUs < 20,
  },
  {
    benchmark: 'API-key verification, uncached: SQLite lookup (µs)',
    value: Number(verify.uncachedUs.toFixed(2)),
    baseline: null,
    ratio: null,
    target: 'reported',
    pass: true,
  },
  {
    benchmark: 'mistyped key rejected by checksum, no lookup (µs)',
    value: Number(verify.mistypedUs.toFixed(2)),
    baseline: null,
    ratio: null,
    target: 'reported',
    pass: true,
  },
];
console.log(
  `\nParley benchmarks — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs${PIN ? ' (server on CPU 0, load on CPU 1)' : ''}, autocannon ${CONNECTIONS} connections x ${DURATION_S}s x ${ROUNDS} rounds`,
);
console.table(rows);
console.log(
  `p99 latency: parley ${http.parleyP99} ms, bare ${http.bareP99} ms; non-2xx/errors during parley load: ${http.parleyNon2xx}; body ${http.bodyBytes} bytes`,
);
writeFileSync(
  join(root, 'bench/results/latest.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      connections: CONNECTIONS,
      seconds: DURATION_S,
      rounds: ROUNDS,
      http,
      verify,
      rows,
    },
    null,
    2,
  ),
);
console.log('written bench/results/latest.json');

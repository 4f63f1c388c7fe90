// npm run bench:chat — search and paging as the message table grows (issue 3: "fast at a million messages").
// Badges are counters kept on every write, so this measures reading them; the send case measures keeping them.
// The baseline is the same query on a small table, measured in the same run: with an index the
// ratio stays near 1; a table scan would grow it with the table (100x from 10k to 1M messages).
// BENCH_MESSAGES (default 1,000,000) sets the large size; BENCH_DATABASE_URL=postgres://… runs on PostgreSQL.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { postgresSchema } from './lib/databases.js';
import { tempDir } from './lib/processes.js';
import { KEYWORDS, ROOMS, createCorpusRooms, messageRow } from './lib/corpus.js';
import { sql } from 'kysely';

const root = fileURLToPath(new URL('..', import.meta.url));
const { loadConfig } = await import(join(root, 'dist/config/config.js'));
const { createLogger } = await import(join(root, 'dist/logger.js'));
const { startRuntime } = await import(join(root, 'dist/runtime.js'));

const LARGE = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const SMALL = 10_000;
const REPEAT = 50;

async function database(label) {
  if (process.env.BENCH_DATABASE_URL) return postgresSchema(label, process.env.BENCH_DATABASE_URL);
  const { dir, remove } = tempDir(label);
  return { url: `sqlite:${join(dir, `${label}.db`)}`, dispose: async () => remove() };
}

/** A server with `count` messages over ROOMS rooms; the reader is in MY_ROOMS of them. */
async function loaded(count, label) {
  const db = await database(label);
  const config = { ...loadConfig({}), databaseUrl: db.url, logLevel: 'warn' };
  const runtime = await startRuntime(config, createLogger('warn'));
  const { storage } = runtime.infra;
  const appId = runtime.firstStart.appId;
  const apiKey = runtime.firstStart.apiKey;
  const inject = (method, url, body, headers = {}) =>
    runtime.app.inject({
      method,
      url,
      payload: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'im-api-key': apiKey, ...headers },
    });
  await createCorpusRooms((path, body) => inject('POST', path, body));
  const start = Date.now() - count * 10;
  for (let offset = 0; offset < count; offset += 20_000) {
    const rows = [];
    for (let index = offset; index < Math.min(count, offset + 20_000); index++)
      rows.push(messageRow(appId, index, start));
    await storage.insertMany('messages', rows);
  }
  if (storage.dialect.name === 'postgres') await sql`analyze messages`.execute(storage.db);
  const asReader = (method, url, body) => inject(method, url, body, { 'im-client-id': 'reader' });
  return { runtime, db, asReader, asAdmin: inject };
}

async function timeIt(run) {
  for (let i = 0; i < 5; i++) await run();
  const samples = [];
  for (let i = 0; i < REPEAT; i++) {
    const begin = performance.now();
    const response = await run();
    samples.push(performance.now() - begin);
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const CASES = {
  'search, rare word (7 letters)': (s) => s.asReader('POST', '/search', { type: ['messages'], keyword: KEYWORDS.rare }),
  'search, common word (limit 50)': (s) =>
    s.asReader('POST', '/search', { type: ['messages'], keyword: KEYWORDS.common }),
  'search, word common in other rooms': (s) =>
    s.asReader('POST', '/search', { type: ['messages'], keyword: KEYWORDS.otherRooms }),
  'search, 2-letter keyword': (s) => s.asReader('POST', '/search', { type: ['messages'], keyword: 'zy' }),
  'messages/v3 first page (20)': (s) => s.asReader('GET', '/rooms/room-3/messages/v3'),
  'messages/v3 page in the middle (100)': (s) =>
    s.asReader(
      'GET',
      `/rooms/room-3/messages/v3?limit=100&afterTime=${Date.now() - LARGE * 5}&timeRangeField=createdAt`,
    ),
  'GET /me/badge (20 rooms)': (s) => s.asReader('GET', '/me/badge'),
  'GET /rooms (20 rooms)': (s) => s.asReader('GET', '/rooms'),
  'POST /messages (send)': (s) =>
    s.asAdmin('POST', '/messages', { room: 'room-3', sender: 'writer', message: 'bench message', messageType: 'text' }),
};

async function measure(count, label) {
  const setupStart = performance.now();
  const server = await loaded(count, label);
  const setupS = (performance.now() - setupStart) / 1000;
  const results = {};
  try {
    for (const [name, run] of Object.entries(CASES)) results[name] = await timeIt(() => run(server));
  } finally {
    await server.runtime.close();
    await server.db.dispose();
  }
  return { results, setupS };
}

const dialect = process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite';
console.log(
  `Chat bench on ${dialect}: ${SMALL.toLocaleString('en')} vs ${LARGE.toLocaleString('en')} messages, ${ROOMS} rooms, median of ${REPEAT}`,
);
const small = await measure(SMALL, 'small');
const large = await measure(LARGE, 'large');
console.log(`(load: ${small.setupS.toFixed(1)} s and ${large.setupS.toFixed(1)} s)\n`);
console.log(`${'case'.padEnd(40)} ${'10k ms'.padStart(9)} ${'large ms'.padStart(9)} ${'ratio'.padStart(7)}`);
const rows = [];
for (const name of Object.keys(CASES)) {
  const ratio = large.results[name] / small.results[name];
  rows.push({ name, smallMs: small.results[name], largeMs: large.results[name], ratio });
  console.log(
    `${name.padEnd(40)} ${small.results[name].toFixed(2).padStart(9)} ${large.results[name].toFixed(2).padStart(9)} ${ratio.toFixed(2).padStart(6)}x`,
  );
}
writeFileSync(
  join(root, 'bench/results/chat-latest.json'),
  JSON.stringify({ dialect, small: SMALL, large: LARGE, rows }, null, 2),
);

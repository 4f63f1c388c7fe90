// npm run bench:chat — search and paging as the message table grows (issue 3: "fast at a million messages").
// Badges are counters kept on every write, so this measures reading them; the send case measures keeping them.
// The baseline is the same query on a small table, measured in the same run: with an index the
// ratio stays near 1; a table scan would grow it with the table (100x from 10k to 1M messages).
// BENCH_MESSAGES (default 1,000,000) sets the large size; BENCH_DATABASE_URL=postgres://… runs on PostgreSQL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';

const root = fileURLToPath(new URL('..', import.meta.url));
const { loadConfig } = await import(join(root, 'dist/config/config.js'));
const { createLogger } = await import(join(root, 'dist/logger.js'));
const { startRuntime } = await import(join(root, 'dist/runtime.js'));
const { objectId } = await import(join(root, 'dist/shared/ids.js'));

const LARGE = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const SMALL = 10_000;
const ROOMS = 200;
const MY_ROOMS = 20;
const REPEAT = 50;
const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango'.split(
    ' ',
  );

async function database(label) {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'parley-chat-bench-'));
    return {
      url: `sqlite:${join(dir, `${label}.db`)}`,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_${label}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: scoped.toString(),
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
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
  for (const id of ['reader', 'writer']) await inject('POST', '/admin/clients', { _id: id, nickname: id });
  for (let room = 0; room < ROOMS; room++) {
    await inject('POST', '/rooms', {
      _id: `room-${room}`,
      members: room < MY_ROOMS ? ['reader', 'writer'] : ['writer'],
    });
  }
  const start = Date.now() - count * 10;
  for (let offset = 0; offset < count; offset += 20_000) {
    const rows = [];
    for (let index = offset; index < Math.min(count, offset + 20_000); index++) {
      const text = `${WORDS[index % WORDS.length]} ${WORDS[(index * 7) % 19]} report ${index}${index % 100_000 === 7 ? ' zyxwvut' : ''}`;
      const at = start + index * 10;
      rows.push({
        app_id: appId,
        id: objectId(at),
        room_id: `room-${index % ROOMS}`,
        sender_id: 'writer',
        message_type: 'text',
        content: JSON.stringify({ message: text }),
        search_text: text,
        pinned: 0,
        batch_id: null,
        created_at: at,
        updated_at: at,
      });
    }
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
  'search, rare word (7 letters)': (s) => s.asReader('POST', '/search', { type: ['messages'], keyword: 'zyxwvut' }),
  'search, common word (limit 50)': (s) => s.asReader('POST', '/search', { type: ['messages'], keyword: 'charlie' }),
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

// node bench/pg-statements.js (after npm run build; BENCH_DATABASE_URL, default the local test
// database): PostgreSQL CPU per query through Kysely, with unnamed statements (Kysely's default),
// with statements kept per connection as Parley runs them (plans per call), and with generic plans
// allowed (PostgreSQL's default plan_cache_mode, for comparison). CPU is read from /proc for the
// pool's own backends, so other load on the machine does not count.
import { readFileSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { withNamedStatements } from '../dist/storage/dialects/postgres-named-statements.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.BENCH_QUERIES ?? 20_000);
const CONCURRENCY = 16;
const schema = `bench_${process.pid}`;

const admin = new pg.Client(url);
await admin.connect();
await admin.query(`create schema ${schema}`);
await admin.query(
  `create table ${schema}.users (app_id text, id text, nickname text, updated_at bigint, primary key (app_id, id))`,
);
await admin.query(
  `insert into ${schema}.users select 'default', 'u' || g, 'User ' || g, g from generate_series(0, 999) g`,
);

const poolFor = (name) =>
  new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}`, application_name: name });
function genericPlans(pool) {
  const named = withNamedStatements(pool);
  const connect = named.connect;
  const seen = new WeakSet();
  named.connect = async () => {
    const client = await connect();
    if (!seen.has(client)) {
      seen.add(client);
      await client.query('set plan_cache_mode = auto', []);
    }
    return client;
  };
  return named;
}
const variants = {
  unnamed: new Kysely({ dialect: new PostgresDialect({ pool: poolFor('bench_unnamed') }) }),
  kept: new Kysely({ dialect: new PostgresDialect({ pool: withNamedStatements(poolFor('bench_kept')) }) }),
  'kept+generic': new Kysely({ dialect: new PostgresDialect({ pool: genericPlans(poolFor('bench_kept+generic')) }) }),
};

const byKey = (db, i) =>
  db
    .selectFrom('users')
    .select(['id', 'nickname'])
    .where('app_id', '=', 'default')
    .where('id', '=', `u${i % 1000}`)
    .executeTakeFirst();
const update = (db, i) =>
  db
    .updateTable('users')
    .set({ updated_at: i })
    .where('app_id', '=', 'default')
    .where('id', '=', `u${i % 1000}`)
    .execute();
const queries = {
  'select by primary key': byKey,
  'update one row': update,
  'transaction: select + update': (db, i) =>
    db.transaction().execute(async (trx) => {
      await byKey(trx, i);
      await update(trx, i);
    }),
};

const cpuMs = (pids) =>
  pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) * 10;
  }, 0);

async function measure(label, db, run) {
  const worker = async (count, offset) => {
    for (let i = 0; i < count; i++) await run(db, offset + i);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => worker(100, c * 1000)));
  const { rows } = await admin.query('select pid from pg_stat_activity where application_name = $1', [
    `bench_${label}`,
  ]);
  const pids = rows.map((row) => row.pid);
  const before = cpuMs(pids);
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => worker(N / CONCURRENCY, c * 1000)));
  return ((cpuMs(pids) - before) * 1000) / N;
}

console.log(`PostgreSQL CPU per query (µs), ${N} queries x ${CONCURRENCY} concurrent, 3 rounds`);
for (const [name, run] of Object.entries(queries)) {
  const results = Object.fromEntries(Object.keys(variants).map((label) => [label, []]));
  for (let round = 0; round < 3; round++)
    for (const [label, db] of Object.entries(variants)) results[label].push(await measure(label, db, run));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const base = mean(results.unnamed);
  console.log(
    name.padEnd(30),
    Object.entries(results)
      .map(([label, values]) => `${label} ${mean(values).toFixed(0)} (${(mean(values) / base).toFixed(2)}x)`)
      .join('  '),
  );
}
for (const db of Object.values(variants)) await db.destroy();
await admin.query(`drop schema ${schema} cascade`);
await admin.end();

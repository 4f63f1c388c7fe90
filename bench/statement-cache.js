// node bench/statement-cache.js (after npm run build): the same queries 100k times through
// better-sqlite3 and Kysely, with and without the statement cache of src/storage/dialects.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { withStatementCache } from '../dist/storage/dialects/sqlite-statement-cache.js';

const N = Number(process.env.BENCH_QUERIES ?? 100_000);
const SQL = 'select "id", "nickname", "email" from "users" where "app_id" = ? and "id" = ?';

function open() {
  const database = new BetterSqlite3(':memory:');
  database.exec(
    'create table users (app_id text, id text, nickname text, email text, updated_at integer, primary key (app_id, id))',
  );
  const insert = database.prepare('insert into users values (?, ?, ?, ?, ?)');
  for (let i = 0; i < 1000; i++) insert.run('default', `u${i}`, `User ${i}`, `u${i}@example.com`, i);
  return database;
}

async function time(label, run) {
  for (let i = 0; i < 5000; i++) await run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await run(i);
  const us = Number(process.hrtime.bigint() - start) / 1000 / N;
  console.log(label.padEnd(44), `${us.toFixed(2)} µs/query`);
}

for (const [name, wrap] of [
  ['uncached', (database) => database],
  ['cached', (database) => withStatementCache(database)],
]) {
  const database = open();
  const wrapped = wrap(database);
  await time(`driver prepare + all (${name})`, (i) => wrapped.prepare(SQL).all(['default', `u${i % 1000}`]));
  const db = new Kysely({ dialect: new SqliteDialect({ database: wrapped }) });
  await time(`Kysely select by primary key (${name})`, (i) =>
    db
      .selectFrom('users')
      .select(['id', 'nickname', 'email'])
      .where('app_id', '=', 'default')
      .where('id', '=', `u${i % 1000}`)
      .executeTakeFirst(),
  );
  await time(`Kysely update one row (${name})`, (i) =>
    db
      .updateTable('users')
      .set({ updated_at: i })
      .where('app_id', '=', 'default')
      .where('id', '=', `u${i % 1000}`)
      .execute(),
  );
  database.close();
}

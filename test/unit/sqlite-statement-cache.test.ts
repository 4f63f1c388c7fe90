import BetterSqlite3 from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CACHED_SQL_LENGTH, withStatementCache } from '../../src/storage/dialects/sqlite-statement-cache.js';

describe('SQLite statement cache', () => {
  let database: BetterSqlite3.Database;

  beforeEach(() => {
    database = new BetterSqlite3(':memory:');
    database.exec('create table t (id integer primary key, name text)');
  });
  afterEach(() => database.close());

  it('hands back the same statement for the same SQL text', () => {
    const cache = withStatementCache(database);
    const first = cache.prepare('select * from t where id = ?');
    expect(cache.prepare('select * from t where id = ?')).toBe(first);
    expect(cache.prepare('select * from t where id > ?')).not.toBe(first);
  });

  it('drops the least recently used statement beyond its capacity', () => {
    const cache = withStatementCache(database, 2);
    const a = cache.prepare('select 1');
    const b = cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 3');
    expect(cache.prepare('select 1')).toBe(a);
    expect(cache.prepare('select 2')).not.toBe(b);
  });

  it('prepares long one-off statements each time', () => {
    const cache = withStatementCache(database);
    const long = `select 1 where 1 = 1${' and 1 = 1'.repeat(MAX_CACHED_SQL_LENGTH / 10)}`;
    expect(cache.prepare(long)).not.toBe(cache.prepare(long));
  });

  it('prepares a fresh statement while the cached one is still iterating', () => {
    const cache = withStatementCache(database);
    database.exec("insert into t (name) values ('a'), ('b')");
    const iterating = cache.prepare('select name from t order by id');
    const rows = iterating.iterate([]);
    rows.next();
    const other = cache.prepare('select name from t order by id');
    expect(other).not.toBe(iterating);
    expect(other.all([])).toEqual([{ name: 'a' }, { name: 'b' }]);
    rows.return?.();
    expect(cache.prepare('select name from t order by id')).toBe(iterating);
  });

  it('runs Kysely queries, transactions and streams through it', async () => {
    const db = new Kysely<{ t: { id: Generated<number>; name: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    });
    for (const name of ['a', 'b', 'c']) await db.insertInto('t').values({ name }).execute();
    const names = () => db.selectFrom('t').select('name').orderBy('id');
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('t').set({ name: 'B' }).where('name', '=', 'b').execute();
      // Left early: the statement is reset, and the same query runs again afterwards.
      for await (const row of trx.selectFrom('t').select('name').orderBy('id').stream()) {
        expect(row.name).toBe('a');
        break;
      }
      expect(await trx.selectFrom('t').select('name').orderBy('id').execute()).toHaveLength(3);
    });
    const streamed: string[] = [];
    for await (const row of names().stream()) streamed.push(row.name);
    expect(streamed).toEqual(['a', 'B', 'c']);
    expect((await names().execute()).map((row) => row.name)).toEqual(['a', 'B', 'c']);
    const count = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(count.rows[0]?.n).toBe(3);
    await db.destroy();
  });
});

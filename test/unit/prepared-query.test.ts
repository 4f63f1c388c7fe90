import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { preparedQuery } from '../../src/storage/prepared-query.js';
import type { Database } from '../../src/storage/schema/tables.js';

const database = new BetterSqlite3(':memory:');
database.exec('create table webhook_settings (app_id text primary key, url text, secret text, updated_at integer)');
// The repositories' schema type; this test touches one table of it.
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
afterAll(() => db.destroy());

describe('preparedQuery', () => {
  it("runs the statement built once with each call's values, keeping the query's own constants", async () => {
    let builds = 0;
    const save = preparedQuery((kysely, values: { appId: string; url: string }) => {
      builds++;
      return kysely
        .insertInto('webhook_settings')
        .values({ app_id: values.appId, url: values.url, secret: 'constant', updated_at: 7 } as never);
    });
    const find = preparedQuery((kysely, values: { appId: string }) =>
      kysely.selectFrom('webhook_settings').selectAll().where('app_id', '=', values.appId),
    );
    await save(db, { appId: 'a', url: 'https://a.example' });
    await save(db, { appId: 'b', url: 'https://b.example' });
    await db.transaction().execute((tx) => save(tx, { appId: 'c', url: 'https://c.example' }));
    expect(builds).toBe(1);
    expect((await find(db, { appId: 'b' })).rows).toStrictEqual([
      { app_id: 'b', url: 'https://b.example', secret: 'constant', updated_at: 7 },
    ]);
    expect((await find(db, { appId: 'missing' })).rows).toStrictEqual([]);
  });

  it('refuses a build that spreads its values or transforms one instead of binding it', async () => {
    const spread = preparedQuery((kysely, values: { appId: string }) =>
      kysely
        .selectFrom('webhook_settings')
        .selectAll()
        .where('app_id', '=', { ...values }.appId),
    );
    await expect(spread(db, { appId: 'a' })).rejects.toThrow(/name each value/);
    const transformed = preparedQuery((kysely, values: { appId: string }) =>
      kysely.selectFrom('webhook_settings').selectAll().where('app_id', '=', values.appId.toUpperCase()),
    );
    await expect(transformed(db, { appId: 'a' })).rejects.toThrow(/bound as it is/);
    const inlined = preparedQuery((kysely, values: { appId: string }) =>
      kysely
        .selectFrom('webhook_settings')
        .selectAll()
        .where(sql.raw(`app_id = '${values.appId}'`) as never),
    );
    await expect(inlined(db, { appId: 'a' })).rejects.toThrow(/bound as it is/);
  });
});

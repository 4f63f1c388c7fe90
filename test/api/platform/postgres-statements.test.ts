import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_NAMED_SQL_LENGTH,
  NAMED_PER_CONNECTION,
  withNamedStatements,
} from '../../../src/storage/dialects/postgres-named-statements.js';
import { freshDatabase, onPostgres, type Storage } from '../../helpers/test-app.js';

interface Tables {
  notes: { id: number; body: string };
}

/** Statements Kysely sends stay prepared on their connection (issue 11); plans stay per call. */
describe.skipIf(!onPostgres)('PostgreSQL statements kept per connection', () => {
  let storage: Storage;
  let pool: pg.Pool;
  let db: Kysely<Tables>;
  const prepared = async () =>
    (
      await sql<{ statement: string }>`select statement from pg_prepared_statements order by prepare_time`.execute(db)
    ).rows.map((row) => row.statement);

  beforeAll(async () => {
    storage = await freshDatabase();
    // One connection: every query below runs on it.
    pool = new pg.Pool({ connectionString: storage.databaseUrl, max: 1 });
    db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) });
    await sql`create table notes (id integer primary key, body text not null)`.execute(db);
    await db.insertInto('notes').values({ id: 1, body: 'one' }).execute();
  });
  afterAll(async () => {
    await db.destroy();
    await storage.dispose();
  });

  it('prepares a repeated query once and plans every call for its parameters', async () => {
    for (const id of [1, 2, 1]) await db.selectFrom('notes').select('body').where('id', '=', id).execute();
    const select = (await prepared()).filter((statement) => statement.startsWith('select "body" from "notes"'));
    expect(select).toHaveLength(1);
    expect((await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(db)).rows[0]?.plan_cache_mode).toBe(
      'force_custom_plan',
    );
  });

  it('keeps neither DDL nor one-off long statements', async () => {
    await sql`create index notes_body on notes (body)`.execute(db);
    const ids = Array.from({ length: MAX_NAMED_SQL_LENGTH / 4 }, (_, index) => index);
    await db.selectFrom('notes').select('id').where('id', 'in', ids).execute();
    const kept = await prepared();
    expect(kept.some((statement) => statement.startsWith('create index'))).toBe(false);
    expect(kept.every((statement) => statement.length <= MAX_NAMED_SQL_LENGTH)).toBe(true);
  });

  it('answers again after the table changed shape under a kept statement', async () => {
    const note = (on: Kysely<Tables> = db) => on.selectFrom('notes').selectAll().where('id', '=', 1).execute();
    const changeShape = async (column: string) => {
      // Another connection (another node's migration) changes the table.
      const other = new pg.Client({ connectionString: storage.databaseUrl });
      await other.connect();
      await other.query(`alter table notes add column ${column} text`);
      await other.end();
    };
    expect(await note()).toEqual([{ id: 1, body: 'one' }]);
    await changeShape('extra');
    // PostgreSQL refuses the kept statement ("cached plan must not change result type"), before it
    // ran: it is prepared anew and run again.
    expect(await note()).toEqual([{ id: 1, body: 'one', extra: null }]);
    // Inside a transaction the refusal aborts it: the caller sees it, and the next call works.
    await changeShape('more');
    await expect(db.transaction().execute((trx) => note(trx))).rejects.toMatchObject({ code: '0A000' });
    expect(await note()).toEqual([{ id: 1, body: 'one', extra: null, more: null }]);
  });

  it('keeps at most its bound of statements on a connection', async () => {
    for (let index = 0; index < NAMED_PER_CONNECTION + 20; index++) {
      await sql`select ${sql.raw(String(index))} as n from notes where id = ${1}`.execute(db);
    }
    expect((await prepared()).length).toBeLessThanOrEqual(NAMED_PER_CONNECTION);
  });
});

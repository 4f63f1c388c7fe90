import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from './schema.js';

/**
 * The few SQL fragments repositories need that Kysely's builder does not spell, written the same
 * for SQLite and PostgreSQL. Only `src/storage/` writes raw SQL.
 */

/** A condition that holds for every row. */
export const alwaysTrue = (): RawBuilder<SqlBool> => sql<SqlBool>`1 = 1`;

/** A condition that holds for no row. */
export const alwaysFalse = (): RawBuilder<SqlBool> => sql<SqlBool>`1 = 0`;

/** Negation that keeps rows where the condition is NULL (absent field, other type), as Mongo's $ne and $nin do. */
export const isNotTrue = (condition: Expression<SqlBool>): RawBuilder<SqlBool> =>
  sql<SqlBool>`(${condition}) is not true`;

/** `table.column + amount`, for an upsert that adds to the stored count. */
export const plus = (table: string, column: string, amount: number): RawBuilder<number> =>
  sql<number>`${sql.ref(`${table}.${column}`)} + ${amount}`;

/** Resolves when the database answers a trivial query. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

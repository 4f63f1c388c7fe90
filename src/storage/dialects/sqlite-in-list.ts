import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { INLINE_LIST_MAX } from './dialect.js';

/** `column IN (values)`: inlined parameters, or one JSON array parameter for a long list. */
export function sqliteInList(column: Expression<unknown>, values: readonly string[]): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<boolean>`(1 = 0)`;
  return values.length <= INLINE_LIST_MAX
    ? sql<boolean>`(${column} in (${sql.join(values.map((value) => sql`${value}`))}))`
    : sql<boolean>`(${column} in (select value from json_each(${JSON.stringify(values)})))`;
}

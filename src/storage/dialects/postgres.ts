import pg from 'pg';
import { type PostgresDialect, sql } from 'kysely';
import { CurrentSchemaPostgresDialect } from './postgres-introspector.js';
import { INLINE_LIST_MAX, RECENT_SEARCH_WINDOW, TRIGRAM, type DialectHelpers, type MessageHit } from './dialect.js';
import { searchRecent } from './recent-search.js';
import { runSearch } from './run-search.js';
import { withNamedStatements } from './postgres-named-statements.js';

// int8 (timestamps in ms, counts) fits a JS number for every value Parley stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** Bounds any single statement, including a costly regular expression from a user filter. */
const STATEMENT_TIMEOUT_MS = 30_000;

export function openPostgres(connectionString: string): { dialect: PostgresDialect; close: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString, max: 10, statement_timeout: STATEMENT_TIMEOUT_MS });
  // A client that loses its connection must not crash the process: an idle one is reported through
  // the pool, one checked out (between the queries of a transaction) through its own 'error'. Its
  // query fails, and the pool discards it when it is released; the health module logs the outage.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { dialect: new CurrentSchemaPostgresDialect({ pool: withNamedStatements(pool) }), close: () => pool.end() };
}

const json = (column: string) => sql`(${sql.ref(column)}::jsonb)`;

export const postgresHelpers: DialectHelpers = {
  name: 'postgres',
  isUniqueViolation: (error) => (error as { code?: unknown } | null)?.code === '23505',
  jsonText: (column, field) =>
    sql`(case when jsonb_typeof(${json(column)} -> ${field}) = 'string' then ${json(column)} ->> ${field} end)`,
  jsonNumber: (column, field) =>
    sql`(case when jsonb_typeof(${json(column)} -> ${field}) = 'number'
      then (${json(column)} ->> ${field})::double precision end)`,
  jsonBool: (column, field) =>
    sql`(case when jsonb_typeof(${json(column)} -> ${field}) = 'boolean'
      then (case when (${json(column)} ->> ${field}) = 'true' then 1 else 0 end) end)`,
  jsonType: (column, field) =>
    sql`(case jsonb_typeof(${json(column)} -> ${field}) when 'boolean' then 'bool'
      else jsonb_typeof(${json(column)} -> ${field}) end)`,
  jsonArrayContains: (column, value) => sql<boolean>`(${json(column)} ? ${value})`,
  inList: (column, values) =>
    values.length === 0
      ? sql<boolean>`(1 = 0)`
      : values.length <= INLINE_LIST_MAX
        ? sql<boolean>`(${sql.ref(column)} in (${sql.join(values.map((value) => sql`${value}`))}))`
        : sql<boolean>`(${sql.ref(column)} = any(${[...values]}::text[]))`,
  regexMatch: (value, pattern, caseInsensitive) =>
    caseInsensitive ? sql<boolean>`(${value} ~* ${pattern})` : sql<boolean>`(${value} ~ ${pattern})`,
  async searchMessages(db, search) {
    if (search.roomIds.length === 0) return [];
    if ([...search.keyword].length < TRIGRAM)
      return searchRecent(db, search, sql<boolean>`search_text ilike ${likePattern(search.keyword)}`);
    return runSearch(
      this.searchStatements(search),
      search.limit,
      async (statement) => (await statement.execute(db)).rows,
    );
  },
  searchStatements({ appId, roomIds, keyword, limit, messageTypes }) {
    const matches = sql`app_id = ${appId} and search_text ilike ${likePattern(keyword)}
      and ${messageTypes ? sql`message_type = any(${[...messageTypes]})` : sql`true`}`;
    return {
      recent: sql<MessageHit>`select id as "id", room_id as "roomId", seq as "seq" from messages
        where ${matches} and room_id = any(${[...roomIds]})
          and seq > (select max(seq) from messages) - ${RECENT_SEARCH_WINDOW}
        order by seq desc limit ${limit}`,
      // Through messages_room_search (migration 012): the rooms and the trigrams are matched in the
      // index. Ordered by an expression no index gives, so that the planner cannot instead walk the
      // table newest first: for a word common in other rooms that walk is the cost avoided here.
      complete: [
        sql<MessageHit>`select id as "id", room_id as "roomId", seq as "seq" from messages
          where ${matches} and array[room_id] && ${[...roomIds]}::text[]
          order by seq + 0 desc limit ${limit}`,
      ],
    };
  },
};

/** `%keyword%` with the keyword's own `%`, `_` and `\` matched literally. */
function likePattern(keyword: string): string {
  return `%${keyword.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

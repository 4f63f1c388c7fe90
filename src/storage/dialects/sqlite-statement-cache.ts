import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct statements kept prepared; the least recently used is dropped beyond this. */
export const CACHED_STATEMENTS = 500;
/**
 * Longer statements are one-offs (multi-row inserts, long `IN` lists): prepared each time, so that
 * what the cache holds stays small.
 */
export const MAX_CACHED_SQL_LENGTH = 4096;

/**
 * The database as Kysely's SQLite driver sees it, except that `prepare` hands back the statement
 * prepared last time for the same SQL text: Kysely prepares every query it runs, and preparing
 * costs more than running a small statement. A cached statement is only reused when idle — one
 * still iterating (a streamed query) is not re-entrant, so a fresh one is prepared for that call.
 */
export function withStatementCache(database: BetterSqlite3.Database, capacity = CACHED_STATEMENTS): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): BetterSqlite3.Statement {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        if (cached.busy) return database.prepare(sql);
        // A Map iterates in insertion order: re-inserting keeps the oldest first, to be evicted.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (sql.length <= MAX_CACHED_SQL_LENGTH) {
        statements.set(sql, statement);
        if (statements.size > capacity) statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
  };
}

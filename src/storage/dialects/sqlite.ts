import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sql, type Dialect } from 'kysely';
import { safeRegexTest } from '../../shared/safe-regex.js';
import { TRIGRAM, type DialectHelpers } from './dialect.js';
import { searchRecent } from './recent-search.js';
import { runSearch } from './run-search.js';
import { sqliteInList } from './sqlite-in-list.js';
import { sqliteSearchStatements } from './sqlite-search.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { groupCommitSqliteDialect } from './sqlite-group-commit.js';

export interface SqliteHandle {
  dialect: Dialect;
  close: () => void;
  /** Inserts rows with one cached prepared statement in one transaction; false when it must wait. */
  insertRows: (table: string, rows: Record<string, unknown>[]) => boolean;
}

export function openSqlite(path: string): SqliteHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  // Savepoints (every grouped transaction is one) journal in memory, not in a temporary file.
  database.pragma('temp_store = MEMORY');
  database.pragma('foreign_keys = ON');
  database.function('parley_regexp', { deterministic: true }, (pattern, flags, value) =>
    typeof value === 'string' && safeRegexTest(String(pattern), String(flags), value) ? 1 : 0,
  );
  // SQLite's lower() folds ASCII only; search matches case-insensitively in every script.
  database.function('parley_contains', { deterministic: true }, (text, keyword) =>
    typeof text === 'string' && typeof keyword === 'string' && text.toLowerCase().includes(keyword.toLowerCase())
      ? 1
      : 0,
  );
  const statements = new Map<string, BetterSqlite3.Statement>();
  const insertRows = (table: string, rows: Record<string, unknown>[]): boolean => {
    // Inside a transaction Kysely holds open, rows written here would share its fate.
    const first = rows[0];
    if (first === undefined || database.inTransaction) return first === undefined;
    const columns = Object.keys(first);
    const id = `${table}(${columns.join(',')})`;
    let statement = statements.get(id);
    if (!statement) {
      const names = columns.map((column) => `"${column}"`).join(', ');
      statement = database.prepare(
        `insert into "${table}" (${names}) values (${columns.map((column) => `@${column}`).join(', ')})`,
      );
      statements.set(id, statement);
    }
    const prepared = statement;
    database.transaction(() => {
      for (const row of rows) prepared.run(row);
    })();
    return true;
  };
  return {
    dialect: groupCommitSqliteDialect(database, withStatementCache(database)),
    close: () => database.close(),
    insertRows,
  };
}

const path = (field: string) => `$."${field.replaceAll('"', '""')}"`;

export const sqliteHelpers: DialectHelpers = {
  name: 'sqlite',
  isUniqueViolation: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  jsonText: (column, field) =>
    sql`(case when json_type(${sql.ref(column)}, ${path(field)}) = 'text'
      then json_extract(${sql.ref(column)}, ${path(field)}) end)`,
  jsonNumber: (column, field) =>
    sql`(case when json_type(${sql.ref(column)}, ${path(field)}) in ('integer', 'real')
      then json_extract(${sql.ref(column)}, ${path(field)}) end)`,
  jsonBool: (column, field) =>
    sql`(case json_type(${sql.ref(column)}, ${path(field)}) when 'true' then 1 when 'false' then 0 end)`,
  jsonType: (column, field) =>
    sql`(case json_type(${sql.ref(column)}, ${path(field)})
      when 'text' then 'string' when 'integer' then 'number' when 'real' then 'number'
      when 'true' then 'bool' when 'false' then 'bool' when 'null' then 'null'
      when 'object' then 'object' when 'array' then 'array' end)`,
  jsonArrayContains: (column, value) =>
    sql<boolean>`exists (select 1 from json_each(${sql.ref(column)}) where json_each.value = ${value})`,
  inList: (column, values) => sqliteInList(sql.ref(column), values),
  regexMatch: (value, pattern, caseInsensitive) =>
    sql<boolean>`parley_regexp(${pattern}, ${caseInsensitive ? 'i' : ''}, ${value}) = 1`,
  async searchMessages(db, search) {
    if (search.roomIds.length === 0) return [];
    if ([...search.keyword].length < TRIGRAM) {
      return searchRecent(db, search, sql<boolean>`parley_contains(search_text, ${search.keyword}) = 1`);
    }
    return runSearch(
      this.searchStatements(search),
      search.limit,
      async (statement) => (await statement.execute(db)).rows,
    );
  },
  searchStatements: sqliteSearchStatements,
};

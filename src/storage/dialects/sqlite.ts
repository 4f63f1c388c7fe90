import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect, sql } from 'kysely';
import { safeRegexTest } from '../../shared/safe-regex.js';
import type { DialectHelpers } from './dialect.js';

export function openSqlite(path: string): { dialect: SqliteDialect; close: () => void } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.function('parley_regexp', { deterministic: true }, (pattern, flags, value) =>
    typeof value === 'string' && safeRegexTest(String(pattern), String(flags), value) ? 1 : 0,
  );
  return { dialect: new SqliteDialect({ database }), close: () => database.close() };
}

const path = (field: string) => `$."${field.replaceAll('"', '""')}"`;

export const sqliteHelpers: DialectHelpers = {
  name: 'sqlite',
  isUniqueViolation: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  jsonText: (column, field) =>
    sql`(case when json_type(${sql.ref(column)}, ${path(field)}) = 'text' then json_extract(${sql.ref(column)}, ${path(field)}) end)`,
  jsonNumber: (column, field) =>
    sql`(case when json_type(${sql.ref(column)}, ${path(field)}) in ('integer', 'real') then json_extract(${sql.ref(column)}, ${path(field)}) end)`,
  jsonBool: (column, field) =>
    sql`(case json_type(${sql.ref(column)}, ${path(field)}) when 'true' then 1 when 'false' then 0 end)`,
  jsonType: (column, field) =>
    sql`(case json_type(${sql.ref(column)}, ${path(field)})
      when 'text' then 'string' when 'integer' then 'number' when 'real' then 'number'
      when 'true' then 'bool' when 'false' then 'bool' when 'null' then 'null'
      when 'object' then 'object' when 'array' then 'array' end)`,
  regexMatch: (value, pattern, caseInsensitive) =>
    sql<boolean>`parley_regexp(${pattern}, ${caseInsensitive ? 'i' : ''}, ${value}) = 1`,
};

import { existsSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

export class BackupError extends Error {}

/**
 * Copies a SQLite database with SQLite's online backup API, page by page, while the server keeps
 * writing: the copy is the database as of one moment (pages changed meanwhile are copied again).
 */
export async function backupSqlite(databasePath: string, file: string): Promise<{ file: string; bytes: number }> {
  if (!existsSync(databasePath)) throw new BackupError(`No SQLite database at ${databasePath}`);
  if (existsSync(file)) throw new BackupError(`${file} exists already; name a new file with --out`);
  const source = new BetterSqlite3(databasePath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(file);
  } finally {
    source.close();
  }
  return { file, bytes: statSync(file).size };
}

/**
 * What to run to back up and restore a PostgreSQL database: `pg_dump` and `pg_restore` with the
 * connection of DATABASE_URL, its password left out (pg_dump reads PGPASSWORD or ~/.pgpass).
 */
export function postgresBackupGuidance(databaseUrl: string, file: string): string {
  const url = new URL(databaseUrl);
  const hadPassword = url.password !== '';
  url.password = '';
  // pg_dump does not understand `options=-c search_path=…`: name the schema with --schema instead.
  const options = url.searchParams.get('options') ?? '';
  const schema = /search_path=([A-Za-z0-9_]+)/.exec(options)?.[1];
  url.searchParams.delete('options');
  const connection = url.toString();
  const schemaFlag = schema ? ` --schema=${schema}` : '';
  return [
    'DATABASE_URL is PostgreSQL: back it up with pg_dump (a consistent snapshot while Parley runs):',
    '',
    `  pg_dump --format=custom${schemaFlag} --file=${file} '${connection}'`,
    '',
    'Restore into an empty database (with Parley stopped):',
    '',
    `  pg_restore --no-owner --exit-on-error --dbname='${connection}' ${file}`,
    '',
    hadPassword
      ? 'The password is left out here: give it in PGPASSWORD or ~/.pgpass.'
      : 'pg_dump and pg_restore take the password, if any, from PGPASSWORD or ~/.pgpass.',
    'See docs/backups.md.',
  ].join('\n');
}

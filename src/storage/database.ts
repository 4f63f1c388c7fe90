import { Kysely, Migrator } from 'kysely';
import type { Database } from './schema.js';
import type { DialectHelpers } from './dialects/dialect.js';
import { openSqlite, sqliteHelpers } from './dialects/sqlite.js';
import { openPostgres, postgresHelpers } from './dialects/postgres.js';
import { migrationProvider } from './migrations/index.js';

export interface Storage {
  db: Kysely<Database>;
  dialect: DialectHelpers;
  close(): Promise<void>;
}

/** Opens SQLite (`sqlite:PATH`) or PostgreSQL (`postgres://…`) behind the same Kysely interface. */
export function createStorage(databaseUrl: string): Storage {
  if (databaseUrl.startsWith('sqlite:')) {
    const { dialect, close } = openSqlite(databaseUrl.slice('sqlite:'.length));
    const db = new Kysely<Database>({ dialect });
    return {
      db,
      dialect: sqliteHelpers,
      async close() {
        await db.destroy().catch(() => undefined);
        close();
      },
    };
  }
  const { dialect } = openPostgres(databaseUrl);
  const db = new Kysely<Database>({ dialect });
  return { db, dialect: postgresHelpers, close: () => db.destroy() };
}

export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const migrator = new Migrator({ db: storage.db, provider: migrationProvider(storage.dialect.name) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

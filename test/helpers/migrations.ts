import { Migrator, sql } from 'kysely';
import type { Storage } from '../../src/storage/database.js';
import { migrationProvider } from '../../src/storage/migrations/index.js';

/** Migrates up to and including `last`, as a database of that release would be. */
export async function migrateUpTo(storage: Storage, last: string): Promise<void> {
  const all = migrationProvider(storage.dialect.name);
  const schema =
    storage.dialect.name === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(storage.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: storage.db,
    provider: {
      async getMigrations() {
        const migrations = await all.getMigrations();
        return Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= last));
      },
    },
    migrationTableSchema: schema,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

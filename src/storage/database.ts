import { Kysely, Migrator, sql, type Insertable } from 'kysely';
import type { Database } from './schema/tables.js';
import type { DialectHelpers } from './dialects/dialect.js';
import { openSqlite, sqliteHelpers } from './dialects/sqlite.js';
import { openPostgres, postgresHelpers } from './dialects/postgres.js';
import { migrationProvider } from './migrations/index.js';

export interface Storage {
  db: Kysely<Database>;
  dialect: DialectHelpers;
  /** Appends many rows fast (audit trail); column names and values as in the table. */
  insertMany<T extends keyof Database & string>(table: T, rows: Insertable<Database[T]>[]): Promise<void>;
  close(): Promise<void>;
}

const CHUNK_ROWS = 200;

async function insertInChunks<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    await db
      .insertInto(table)
      .values(rows.slice(start, start + CHUNK_ROWS) as never)
      .execute();
  }
}

/** Opens SQLite (`sqlite:PATH`) or PostgreSQL (`postgres://…`) behind the same Kysely interface. */
export function createStorage(databaseUrl: string): Storage {
  if (databaseUrl.startsWith('sqlite:')) {
    const { dialect, close, insertRows } = openSqlite(databaseUrl.slice('sqlite:'.length));
    const db = new Kysely<Database>({ dialect });
    return {
      db,
      dialect: sqliteHelpers,
      async insertMany(table, rows) {
        if (!insertRows(table, rows as Record<string, unknown>[])) await insertInChunks(db, table, rows);
      },
      async close() {
        await db.destroy().catch(() => undefined);
        close();
      },
    };
  }
  const { dialect } = openPostgres(databaseUrl);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    dialect: postgresHelpers,
    insertMany: (table, rows) => insertInChunks(db, table, rows),
    close: () => db.destroy(),
  };
}

/**
 * Applies the migrations not yet applied, in order; with `last`, only up to and including that one
 * (as a database of that release would be). Answers the names applied.
 */
export async function migrateToLatest(storage: Storage, last?: string): Promise<string[]> {
  const migrationTableSchema = await migrationSchema(storage);
  const all = migrationProvider(storage.dialect.name);
  const provider =
    last === undefined
      ? all
      : {
          async getMigrations() {
            const migrations = await all.getMigrations();
            return Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= last));
          },
        };
  const migrator = new Migrator({ db: storage.db, provider, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Kysely looks for its bookkeeping tables in every schema unless told which one is ours. */
async function migrationSchema(storage: Storage): Promise<string | undefined> {
  if (storage.dialect.name !== 'postgres') return undefined;
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(storage.db)).rows[0]?.schema;
}

/**
 * How the database's migrations compare with this release's (`parley doctor`): those not applied
 * yet, and those applied that this release does not know (a database of a newer release).
 */
export async function migrationStatus(storage: Storage): Promise<{ pending: string[]; unknown: string[] }> {
  const provider = migrationProvider(storage.dialect.name);
  const known = new Set(Object.keys(await provider.getMigrations()));
  const schema = await migrationSchema(storage);
  const migrator = new Migrator({ db: storage.db, provider, migrationTableSchema: schema });
  const pending = (await migrator.getMigrations()).filter((info) => info.executedAt === undefined);
  const table = schema === undefined ? sql.table('kysely_migration') : sql.table(`${schema}.kysely_migration`);
  const applied = await sql<{ name: string }>`select name from ${table}`
    .execute(storage.db)
    .then((result) => result.rows.map((row) => row.name))
    .catch(() => [] as string[]);
  return { pending: pending.map((info) => info.name), unknown: applied.filter((name) => !known.has(name)) };
}

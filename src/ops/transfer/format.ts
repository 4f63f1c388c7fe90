import { type Kysely, sql } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { DialectName } from '../../storage/dialects/dialect.js';
import type { FORMAT, FORMAT_VERSION, TableName } from './tables.js';

/** The first line of an export file. */
export interface ExportHeader {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  /** The database the file was read from. */
  source: DialectName;
  appId: string;
  exportedAt: string;
  /** The newest migration applied to the source: an import needs a target at least as new. */
  schema: string;
  /** Every table, in import order, with the rows it had when the export began. */
  tables: { name: TableName; rows: number }[];
  /** Per table numbered by a sequence: the range exported and the first row's identifying columns. */
  serials: Partial<Record<TableName, SerialRange>>;
}

export interface SerialRange {
  min: number;
  max: number;
  first: Record<string, unknown>;
}

/** One line after the header. */
export interface RowLine {
  table: TableName;
  row: Record<string, unknown>;
}

/** Rows per table written (export) or written and skipped (import). */
export type TableCounts = Record<string, number>;

/** Kysely over tables named at run time: the transfer reads and writes whatever columns a row has. */
export type AnyTables = Record<string, Record<string, unknown>>;

export const looseDb = (storage: Storage): Kysely<AnyTables> => storage.db as unknown as Kysely<AnyTables>;

export async function latestMigration(db: Kysely<AnyTables>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(db);
  return rows[0]?.name ?? '';
}

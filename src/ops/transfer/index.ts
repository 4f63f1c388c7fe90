/** Exports an application's rows to NDJSON and imports them again, into SQLite or PostgreSQL. */
import type { Storage } from '../../storage/database.js';

export { ExportError, type ExportOptions, exportApp } from './exporter.js';
export type { ExportHeader, TableCounts } from './format.js';
export { ImportError, type ImportOptions, type ImportSummary, importApp } from './importer.js';
export { TRANSFER_TABLES, type TransferTable } from './tables.js';

/** The application commands act on when none is named. */
export async function defaultAppId(storage: Storage): Promise<string | undefined> {
  const app = await storage.db.selectFrom('apps').select('id').where('is_default', '=', 1).executeTakeFirst();
  return app?.id;
}

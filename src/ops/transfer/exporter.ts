import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import type { Storage } from '../../storage/database.js';
import {
  type AnyTables,
  type ExportHeader,
  type SerialRange,
  type TableCounts,
  latestMigration,
  looseDb,
} from './format.js';
import { FORMAT, FORMAT_VERSION, TRANSFER_TABLES, type TransferTable, appColumn } from './tables.js';

const PAGE_ROWS = 500;

export interface ExportOptions {
  appId: string;
  out: Writable;
  /** Called after each page with the rows written so far (of `header.tables`' total). */
  onProgress?: (written: number, table: string) => void;
  /** Called once the header is known (before any row), e.g. to size a progress bar. */
  onHeader?: (header: ExportHeader) => void;
}

export class ExportError extends Error {}

/**
 * Writes one application as NDJSON: a header line, then `{"table", "row"}` per row, table by table,
 * page by page (keyset pagination), waiting for `out` to drain. It reads while the server may write:
 * rows are not a single snapshot (export a backup, or stop the server, for one).
 */
export async function exportApp(storage: Storage, options: ExportOptions): Promise<TableCounts> {
  const db = looseDb(storage);
  const { appId, out } = options;
  const app = await db.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
  if (!app) throw new ExportError(`No application "${appId}"`);

  const header: ExportHeader = {
    format: FORMAT,
    version: FORMAT_VERSION,
    source: storage.dialect.name,
    appId,
    exportedAt: new Date().toISOString(),
    schema: await latestMigration(db),
    tables: [],
    serials: {},
  };
  for (const table of TRANSFER_TABLES) {
    const count = await db
      .selectFrom(table.name)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(appColumn(table.name), '=', appId)
      .executeTakeFirst();
    header.tables.push({ name: table.name, rows: Number(count?.n ?? 0) });
    if (table.serial) {
      const range = await serialRange(db, table, appId);
      if (range) header.serials[table.name] = range;
    }
  }
  options.onHeader?.(header);
  await writeLine(out, header);

  const counts: TableCounts = {};
  let written = 0;
  for (const table of TRANSFER_TABLES) {
    let tableRows = 0;
    counts[table.name] = 0;
    const ceiling = header.serials[table.name]?.max;
    for await (const page of pages(db, table, appId, ceiling)) {
      for (const row of page) await writeLine(out, { table: table.name, row: encodeRow(table, row) });
      tableRows += page.length;
      counts[table.name] = tableRows;
      written += page.length;
      options.onProgress?.(written, table.name);
    }
  }
  return counts;
}

/** The pages of one table's rows of `appId`, in key order; a serial table stops at `ceiling`. */
async function* pages(
  db: Kysely<AnyTables>,
  table: TransferTable,
  appId: string,
  ceiling: number | undefined,
): AsyncGenerator<Record<string, unknown>[]> {
  const size = table.pageRows ?? PAGE_ROWS;
  let after: unknown[] | undefined;
  for (;;) {
    let query = db.selectFrom(table.name).selectAll().where(appColumn(table.name), '=', appId);
    if (table.serial) {
      if (ceiling === undefined) return;
      query = query.where(table.serial.column, '<=', ceiling);
    }
    if (after) {
      const last = after;
      const columns = sql.join(table.key.map((column) => sql.ref(column)));
      query = query.where(sql<boolean>`(${columns}) > (${sql.join(last)})`);
    }
    for (const column of table.key) query = query.orderBy(column);
    const rows = await query.limit(size).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    const lastRow = rows[rows.length - 1] as Record<string, unknown>;
    after = table.key.map((column) => lastRow[column]);
  }
}

async function serialRange(
  db: Kysely<AnyTables>,
  table: TransferTable,
  appId: string,
): Promise<SerialRange | undefined> {
  const serial = table.serial;
  if (!serial) return undefined;
  const first = await db
    .selectFrom(table.name)
    .selectAll()
    .where(appColumn(table.name), '=', appId)
    .orderBy(serial.column)
    .limit(1)
    .executeTakeFirst();
  const last = await db
    .selectFrom(table.name)
    .select(serial.column)
    .where(appColumn(table.name), '=', appId)
    .orderBy(serial.column, 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!first || !last) return undefined;
  return {
    min: Number(first[serial.column]),
    max: Number(last[serial.column]),
    first: Object.fromEntries(serial.probe.map((column) => [column, first[column]])),
  };
}

function encodeRow(table: TransferTable, row: Record<string, unknown>): Record<string, unknown> {
  if (!table.bytes) return row;
  const encoded = { ...row };
  for (const column of table.bytes) {
    const value = row[column];
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) encoded[column] = Buffer.from(value).toString('base64');
  }
  return encoded;
}

async function writeLine(out: Writable, value: unknown): Promise<void> {
  if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
}

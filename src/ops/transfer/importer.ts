import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import { APP_ID, generateClientKey } from '../../modules/apps/index.js';
import type { Storage } from '../../storage/database.js';
import {
  type AnyTables,
  type ExportHeader,
  type RowLine,
  type TableCounts,
  latestMigration,
  looseDb,
} from './format.js';
import { FORMAT, FORMAT_VERSION, TRANSFER_TABLES, type TableName, type TransferTable, appColumn } from './tables.js';

const BATCH_ROWS = 200;
/** A batch is written early once its lines reach this size (files carry their bytes). */
const BATCH_BYTES = 4 * 1024 * 1024;

export interface ImportOptions {
  input: Readable;
  /** Import under this application id instead of the file's. */
  appId?: string;
  batchRows?: number;
  onHeader?: (header: ExportHeader) => void;
  /** Called after each batch with the rows read so far. */
  onProgress?: (read: number, table: string) => void;
}

export interface ImportSummary {
  appId: string;
  /** Rows inserted (the application's row: inserted or updated), per table. */
  written: TableCounts;
  /**
   * Rows left out because the target has them already (an earlier import), or because their key is
   * another application's there (copying an application inside one database: API keys, tokens, outboxes).
   */
  skipped: TableCounts;
  /** Things the operator must know (a new client key, a default application kept). */
  notes: string[];
}

export class ImportError extends Error {}

const TABLES = new Map<string, TransferTable>(TRANSFER_TABLES.map((table) => [table.name, table]));

/**
 * Reads an export (see exporter.ts) line by line (readline pauses the input while a batch is written)
 * and inserts the rows missing from the target, batch by batch, each batch in one transaction:
 * importing a file twice leaves the same rows. Numbers a sequence gives (`messages.seq`,
 * `audit_log.id`) are kept when free in the target, else shifted past its rows together with every
 * position that refers to them.
 */
export async function importApp(storage: Storage, options: ImportOptions): Promise<ImportSummary> {
  const db = looseDb(storage);
  const lines = createInterface({ input: options.input, crlfDelay: Number.POSITIVE_INFINITY });
  const batchRows = options.batchRows ?? BATCH_ROWS;
  let lineNumber = 0;
  let header: ExportHeader | undefined;
  let state: ImportState | undefined;
  let batch: { table: TransferTable; rows: Record<string, unknown>[]; bytes: number } | undefined;
  let read = 0;

  const flush = async () => {
    if (!batch || !state || batch.rows.length === 0) return;
    const { table, rows } = batch;
    const written = await insertMissing(db, table, rows);
    state.summary.written[table.name] = (state.summary.written[table.name] ?? 0) + written;
    state.summary.skipped[table.name] = (state.summary.skipped[table.name] ?? 0) + rows.length - written;
    read += rows.length;
    options.onProgress?.(read, table.name);
    batch = undefined;
  };

  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const parsed = parseLine(line, lineNumber);
    if (!header || !state) {
      header = checkHeader(parsed, lineNumber);
      state = await prepare(db, header, options.appId, storage.dialect.name);
      options.onHeader?.(header);
      continue;
    }
    const { table, row } = checkRow(parsed, lineNumber);
    if (batch && (batch.table !== table || batch.rows.length >= batchRows || batch.bytes >= BATCH_BYTES)) await flush();
    batch ??= { table, rows: [], bytes: 0 };
    batch.rows.push(await targetRow(db, state, table, row));
    batch.bytes += line.length;
  }
  await flush();
  if (!state) throw new ImportError('The file is empty: no export header');
  await advanceSequences(db, storage.dialect.name, state);
  return state.summary;
}

interface ImportState {
  header: ExportHeader;
  target: string;
  /** What each serial table's numbers move by, and the highest number (or position) written. */
  shifts: Map<TableName, { offset: number; highest: number }>;
  summary: ImportSummary;
}

function parseLine(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ImportError(`Line ${lineNumber} is not JSON`);
  }
}

function checkHeader(value: unknown, lineNumber: number): ExportHeader {
  const header = value as Partial<ExportHeader> | null;
  if (header?.format !== FORMAT || lineNumber !== 1)
    throw new ImportError('Not a Parley export: the first line must be its header');
  if (header.version !== FORMAT_VERSION)
    throw new ImportError(
      `Export format version ${header.version} is not supported (this release reads ${FORMAT_VERSION})`,
    );
  if (typeof header.appId !== 'string' || typeof header.schema !== 'string' || !Array.isArray(header.tables))
    throw new ImportError('The export header is incomplete');
  return { ...header, serials: header.serials ?? {} } as ExportHeader;
}

function checkRow(value: unknown, lineNumber: number): { table: TransferTable; row: Record<string, unknown> } {
  const line = value as Partial<RowLine> | null;
  const table = typeof line?.table === 'string' ? TABLES.get(line.table) : undefined;
  if (!table) throw new ImportError(`Line ${lineNumber}: unknown table ${JSON.stringify(line?.table)}`);
  if (typeof line?.row !== 'object' || line.row === null || Array.isArray(line.row))
    throw new ImportError(`Line ${lineNumber}: "row" must be an object`);
  return { table, row: line.row };
}

async function prepare(
  db: Kysely<AnyTables>,
  header: ExportHeader,
  appId: string | undefined,
  dialect: Storage['dialect']['name'],
): Promise<ImportState> {
  const target = appId ?? header.appId;
  if (!APP_ID.test(target))
    throw new ImportError('An application id is 1 to 64 letters, digits, "-" or "_", starting with a letter or digit');
  const schema = await latestMigration(db);
  if (header.schema > schema)
    throw new ImportError(`The file comes from a newer release (migration ${header.schema}); upgrade Parley first`);
  const shifts = new Map<TableName, { offset: number; highest: number }>();
  for (const table of TRANSFER_TABLES) {
    const range = table.serial && header.serials[table.name];
    if (!table.serial || !range) continue;
    const offset = await db.transaction().execute(async (tx) => {
      // Rows the running server writes meanwhile must not take the numbers this import is about to use:
      // the table is locked while they are chosen, and its sequence moved past them before any is written.
      if (dialect === 'postgres')
        await sql`lock table ${sql.table(table.name)} in share row exclusive mode`.execute(tx);
      const chosen = await serialOffset(tx, table, range, target);
      await reserveSerial(tx, dialect, table, range.max + chosen);
      return chosen;
    });
    shifts.set(table.name, { offset, highest: 0 });
  }
  // Every table of the file, in its order, even when it holds no rows: the summary lists them all.
  const zeros = () => Object.fromEntries(header.tables.map((table) => [table.name, 0]));
  return { header, target, shifts, summary: { appId: target, written: zeros(), skipped: zeros(), notes: [] } };
}

/**
 * 0 when the file's numbers are free in the target; the shift an earlier import of this file used
 * (its first row is found again); else a shift past the target's highest number.
 */
async function serialOffset(
  db: Kysely<AnyTables>,
  table: TransferTable,
  range: { min: number; max: number; first: Record<string, unknown> },
  target: string,
): Promise<number> {
  const column = (table.serial as NonNullable<TransferTable['serial']>).column;
  let again = db.selectFrom(table.name).select(column).where('app_id', '=', target);
  for (const [name, value] of Object.entries(range.first)) again = again.where(name, '=', value);
  const earlier = await again.executeTakeFirst();
  if (earlier) return Number(earlier[column]) - range.min;
  const taken = await db
    .selectFrom(table.name)
    .select(column)
    .where(column, '>=', range.min)
    .where(column, '<=', range.max)
    .limit(1)
    .executeTakeFirst();
  if (!taken) return 0;
  const highest = await db
    .selectFrom(table.name)
    .select((eb) => eb.fn.max<number>(column).as('n'))
    .executeTakeFirst();
  return Number(highest?.n ?? 0) - range.min + 1;
}

async function targetRow(
  db: Kysely<AnyTables>,
  state: ImportState,
  table: TransferTable,
  source: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const row = { ...source, [appColumn(table.name)]: state.target };
  for (const column of table.bytes ?? []) {
    if (typeof row[column] === 'string') row[column] = Buffer.from(row[column] as string, 'base64');
  }
  if (table.serial) shift(state, table.name, row, table.serial.column);
  for (const column of table.seqPositions ?? []) shift(state, 'messages', row, column);
  if (table.name === 'apps') await adoptApp(db, state, row);
  return row;
}

/** Moves a sequence number (or a position among them; 0 and null mean none) by its table's shift. */
function shift(state: ImportState, serialTable: TableName, row: Record<string, unknown>, column: string): void {
  const value = row[column];
  if (typeof value !== 'number' || value <= 0) return;
  const moves = state.shifts.get(serialTable);
  const moved = value + (moves?.offset ?? 0);
  row[column] = moved;
  if (moves) moves.highest = Math.max(moves.highest, moved);
}

/** The target may hold other applications: their client key and their default flag stay theirs. */
async function adoptApp(db: Kysely<AnyTables>, state: ImportState, row: Record<string, unknown>): Promise<void> {
  const clash = await db
    .selectFrom('apps')
    .select('id')
    .where('client_key', '=', row.client_key as string)
    .where('id', '!=', state.target)
    .executeTakeFirst();
  if (clash) {
    row.client_key = generateClientKey();
    row.client_key_created_at = Date.now();
    state.summary.notes.push(
      `Application "${clash.id}" already uses the file's client key: "${state.target}" got a new one (see \`parley keys client-key --app ${state.target}\`).`,
    );
  }
  if (row.is_default) {
    const other = await db
      .selectFrom('apps')
      .select('id')
      .where('is_default', '=', 1)
      .where('id', '!=', state.target)
      .executeTakeFirst();
    if (other) {
      row.is_default = 0;
      state.summary.notes.push(`"${other.id}" stays the default application.`);
    }
  }
}

/**
 * Inserts the rows that are not there yet; answers how many. A row already present (same key, or any
 * unique value taken: an API key's hash is unique in the whole database) is left as it is, so a
 * second import, or one resumed after a failure, changes nothing, and rows the server changed since
 * the first import keep their newer state. The application's own row is the exception: it takes the
 * file's name, keys and settings (the database may hold one made by a first start).
 */
async function insertMissing(
  db: Kysely<AnyTables>,
  table: TransferTable,
  rows: Record<string, unknown>[],
): Promise<number> {
  const columns = Object.keys(rows[0] ?? {}).filter((column) => column !== 'id');
  const result = await db.transaction().execute((trx) =>
    trx
      .insertInto(table.name)
      .values(rows)
      .onConflict((onConflict) =>
        table.name === 'apps'
          ? onConflict
              .column('id')
              .doUpdateSet(Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)])))
          : onConflict.doNothing(),
      )
      .executeTakeFirst(),
  );
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Moves a serial table's sequence to `top` at least: the numbers up to it are the import's. */
async function reserveSerial(
  db: Kysely<AnyTables>,
  dialect: Storage['dialect']['name'],
  table: TransferTable,
  top: number,
): Promise<void> {
  const column = (table.serial as NonNullable<TransferTable['serial']>).column;
  if (dialect === 'postgres') {
    const sequence = sql`pg_get_serial_sequence(${table.name}, ${column})`;
    await sql`select setval(${sequence}, greatest(coalesce(pg_sequence_last_value(${sequence}::regclass), 1),
      (select coalesce(max(${sql.ref(column)}), 1) from ${sql.table(table.name)}), ${top}::bigint))`.execute(db);
  } else {
    await sql`update sqlite_sequence set seq = max(seq, ${top}) where name = ${table.name}`.execute(db);
  }
}

/**
 * Lets the target's sequences continue past every number (and position) imported: positions may
 * point past the numbers reserved at the start. Never moves a sequence back (a running server may
 * hold a number it has not written yet).
 */
async function advanceSequences(
  db: Kysely<AnyTables>,
  dialect: Storage['dialect']['name'],
  state: ImportState,
): Promise<void> {
  for (const table of TRANSFER_TABLES) {
    const moves = state.shifts.get(table.name);
    if (!table.serial || !moves || moves.highest === 0) continue;
    await reserveSerial(db, dialect, table, moves.highest);
  }
}

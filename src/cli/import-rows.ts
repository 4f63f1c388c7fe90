import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

export type ImportFormat = 'csv' | 'ndjson';

/** One record of the file: `row` counts records (1 = the first after a CSV's header), `line` where it ends. */
export interface ImportRow {
  row: number;
  line: number;
  /** The record as an object, or (`error`) why it is not one. */
  value?: Record<string, unknown>;
  error?: string;
  /** Bytes of the file read so far (for the progress bar). */
  bytesRead: number;
}

/** CSV cells are text: these columns hold booleans (`true`/`false`, `1`/`0`) as the API takes them. */
const BOOLEAN_COLUMNS = new Set(['isRobot', 'notificationEnabled']);
const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };

/** By the file's extension; otherwise a first non-blank `{` means NDJSON. */
export async function detectFormat(file: string): Promise<ImportFormat> {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{')
      ? 'ndjson'
      : 'csv';
  } finally {
    await handle.close();
  }
}

export function readRows(file: string, format: ImportFormat): AsyncGenerator<ImportRow> {
  return format === 'csv' ? csvRows(file) : ndjsonRows(file);
}

/** One JSON object per line; blank lines are skipped (and not counted as rows). */
async function* ndjsonRows(file: string): AsyncGenerator<ImportRow> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let row = 0;
  let bytesRead = 0;
  for await (const text of lines) {
    line += 1;
    bytesRead += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    row += 1;
    yield { row, line, ...parseObject(text.replace(/^\uFEFF/, '')), bytesRead };
  }
}

function parseObject(text: string): Pick<ImportRow, 'value' | 'error'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  return { value: value as Record<string, unknown> };
}

/** A header row names the fields; an empty cell leaves its field out. A broken quote ends the import. */
async function* csvRows(file: string): AsyncGenerator<ImportRow> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, skip_empty_lines: true, info: true, relax_column_count: true }),
  );
  let header: string[] | undefined;
  let row = 0;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number; bytes: number };
  }>) {
    if (header === undefined) {
      header = record.map((name) => name.trim());
      continue;
    }
    row += 1;
    const parsed =
      record.length === header.length
        ? { value: csvObject(header, record) }
        : { error: `has ${record.length} fields; the header has ${header.length}` };
    yield { row, line: info.lines, ...parsed, bytesRead: info.bytes };
  }
}

function csvObject(header: string[], record: string[]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  header.forEach((name, index) => {
    const cell = record[index] ?? '';
    if (cell === '' || name === '') return;
    value[name] = BOOLEAN_COLUMNS.has(name) ? (BOOLEANS[cell.trim().toLowerCase()] ?? cell) : cell;
  });
  return value;
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { AppError } from '../http/errors.js';
import { type UserInput, UserInputSchema } from '../modules/users/index.js';
import { findInputProblem, inputProblemError } from '../shared/input-guard.js';
import { progressBar } from './progress.js';
import type { CliContext } from './context.js';
import { detectFormat, type ImportRow, readRows } from './import-rows.js';

/** `POST /admin/clients/list` takes at most this many users at once; so does a batch here. */
export const MAX_BATCH = 1000;
export const DEFAULT_BATCH = 500;
/** Row errors kept for the summary and the state file; all of them are printed as they happen. */
const MAX_KEPT_ERRORS = 1000;

export interface ImportOptions {
  app?: string;
  resume?: boolean;
  batchSize: number;
}

export interface RowError {
  row: number;
  line: number;
  error: string;
}

export interface ImportSummary {
  file: string;
  format: string;
  appId: string;
  /** Rows written in this run. */
  imported: number;
  /** Rows skipped because an earlier, interrupted run had committed them (`--resume`). */
  skipped: number;
  /** Rows that failed, in this run and in the run resumed. */
  failed: number;
  errors: RowError[];
}

/**
 * What `--resume` reads: every row up to `rowsDone` is settled (written, or reported as failed).
 * Written after each batch commits; a run stopped between the commit and this write imports that
 * batch again on resume, which is harmless (an upsert of the same values).
 */
interface ImportState {
  version: 1;
  sha256: string;
  appId: string;
  rowsDone: number;
  imported: number;
  errors: RowError[];
  failed: number;
}

export const stateFileOf = (file: string): string => `${file}.parley-import.json`;

interface Pending {
  row: ImportRow;
  input: UserInput;
}

/**
 * `parley users import FILE`: each row through the same schema as `POST /admin/clients/list` and the
 * users service's batch upsert, in batches; a row the service refuses is reported and left out, the
 * rest of its batch is written.
 */
export async function importUsers(context: CliContext, file: string, options: ImportOptions): Promise<ImportSummary> {
  const size = (await stat(file)).size;
  const format = await detectFormat(file);
  const app = await context.app(options.app);
  const { users } = (await context.services()).modules.users;
  const sha256 = await fileHash(file);
  const state = await startingState(context, file, { sha256, appId: app.id }, options.resume === true);
  const skipped = state.rowsDone;
  let imported = 0;
  const progress = context.io.stderrIsTty ? progressBar(context.io, size, 'bytes') : undefined;

  const report = (row: ImportRow, error: string) => {
    state.failed += 1;
    if (state.errors.length < MAX_KEPT_ERRORS) state.errors.push({ row: row.row, line: row.line, error });
    // Over the bar's line (it is drawn again on its next update).
    context.note(`${progress ? '\r\x1b[2K' : ''}row ${row.row} (line ${row.line}): ${error}`);
  };

  const commit = async (batch: Pending[], lastRow: number) => {
    const remaining = batch;
    while (remaining.length > 0) {
      const items = remaining.map((pending) => pending.input);
      const request = {
        method: 'POST',
        route: '/admin/clients/list',
        url: '/admin/clients/list',
        targetIds: items.map((item) => item._id),
      } as const;
      try {
        await context.audited(app.id, request, () => users.upsertMany(app.id, items));
        imported += remaining.length;
        state.imported += remaining.length;
        break;
      } catch (error) {
        const refused = refusedItem(error, remaining.length);
        if (refused === undefined) throw error;
        const [failed] = remaining.splice(refused.index, 1);
        if (failed) report(failed.row, refused.message);
      }
    }
    state.rowsDone = lastRow;
    await saveState(file, state);
  };

  let batch: Pending[] = [];
  let lastRow = state.rowsDone;
  for await (const row of readRows(file, format)) {
    progress?.update(row.bytesRead, `${state.failed} failed`);
    if (row.row <= state.rowsDone) continue;
    lastRow = row.row;
    const checked = checkRow(row);
    if (typeof checked === 'string') report(row, checked);
    else batch.push({ row, input: checked });
    if (batch.length >= options.batchSize) {
      await commit(batch, lastRow);
      batch = [];
    }
  }
  if (batch.length > 0 || lastRow > state.rowsDone) await commit(batch, lastRow);
  progress?.update(size, `${state.failed} failed`);
  progress?.stop();
  return { file, format, appId: app.id, imported, skipped, failed: state.failed, errors: state.errors };
}

/** The API's own schema for a batch item (`POST /admin/clients/list`): the same messages, by field. */
function checkRow({ value, error }: ImportRow): UserInput | string {
  if (value === undefined) return error ?? 'not a user';
  // The HTTP input guard's check comes first there too.
  const hostile = findInputProblem(value);
  if (hostile !== undefined) return inputProblemError(hostile, 'the row').message;
  const problem = Value.Errors(UserInputSchema, value).First();
  if (problem) return `${problem.path.slice(1) || 'row'}: ${problem.message}`;
  return value as UserInput;
}

/** The batch item the users service refused (`data[i]: …`), or undefined for any other failure. */
function refusedItem(error: unknown, count: number): { index: number; message: string } | undefined {
  if (!(error instanceof AppError) || error.code !== 'INVALID_REQUEST') return undefined;
  const match = /^data\[(\d+)\]: ([\s\S]*)$/.exec(error.message);
  if (match) return { index: Number(match[1]), message: match[2] ?? error.message };
  // A refusal that names no item can only be told apart in a batch of one.
  return count === 1 ? { index: 0, message: error.message } : undefined;
}

async function startingState(
  context: CliContext,
  file: string,
  identity: { sha256: string; appId: string },
  resume: boolean,
): Promise<ImportState> {
  const fresh: ImportState = { version: 1, ...identity, rowsDone: 0, imported: 0, errors: [], failed: 0 };
  if (!resume) return fresh;
  const saved = await readFile(stateFileOf(file), 'utf8').then(
    (text) => JSON.parse(text) as ImportState,
    () => undefined,
  );
  if (saved === undefined) {
    context.note(`parley: no earlier import of ${file} to resume; importing every row`);
    return fresh;
  }
  if (saved.version !== 1 || saved.sha256 !== identity.sha256)
    throw new AppError(
      'INVALID_REQUEST',
      `${file} changed since the import to resume; import it again without --resume`,
    );
  if (saved.appId !== identity.appId)
    throw new AppError(
      'INVALID_REQUEST',
      `the import to resume went to application ${saved.appId}; pass --app ${saved.appId}`,
    );
  return saved;
}

async function saveState(file: string, state: ImportState): Promise<void> {
  const path = stateFileOf(file);
  await writeFile(`${path}.tmp`, JSON.stringify(state));
  await rename(`${path}.tmp`, path);
}

async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

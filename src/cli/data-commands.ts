import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { backupSqlite, postgresBackupGuidance } from '../ops/backup.js';
import { defaultAppId, exportApp, importApp, type TableCounts } from '../ops/transfer/index.js';
import { createStorage, migrateToLatest, type Storage } from '../storage/database.js';
import type { CliContext } from './context.js';
import { type CliIo, UsageError } from './output.js';
import { type Progress, progressBar } from './progress.js';

const stamp = () =>
  new Date()
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * `parley backup`, `parley export` and `parley import`. Each opens the database alone — no
 * migration, no default application, so that an import into an empty database creates none — and
 * closes it when done. Output: what was done on stdout (`--json` for one JSON object), progress on
 * stderr when it is a terminal.
 */
export function registerDataCommands(program: Command, context: CliContext): void {
  const withDatabase = async <T>(
    run: (opened: { storage: Storage; databaseUrl: string }) => Promise<T>,
  ): Promise<T> => {
    const { databaseUrl } = context.config();
    const storage = createStorage(databaseUrl);
    try {
      return await run({ storage, databaseUrl });
    } finally {
      await storage.close();
    }
  };

  program
    .command('backup')
    .description(
      'copy the SQLite database while the server runs (online backup); on PostgreSQL, print the pg_dump command',
    )
    .option('--out <file>', 'the backup file (default: parley-backup-<time>.db, or .dump for pg_dump)')
    .action((options: { out?: string }) =>
      withDatabase(async ({ databaseUrl }) => {
        if (!databaseUrl.startsWith('sqlite:')) {
          // Not an error: the operator asked how to back up, and this is the answer (exit 0).
          const guidance = postgresBackupGuidance(databaseUrl, options.out ?? `parley-backup-${stamp()}.dump`);
          context.emit({ database: 'postgres', guidance }, () => guidance);
          return;
        }
        const path = databaseUrl.slice('sqlite:'.length);
        if (path === ':memory:') throw new UsageError('An in-memory database has nothing to back up');
        const result = await backupSqlite(path, options.out ?? `parley-backup-${stamp()}.db`);
        context.emit(
          { database: 'sqlite', ...result },
          () => `Backup written: ${result.file} (${formatBytes(result.bytes)})`,
        );
      }),
    );

  program
    .command('export')
    .description("write every row of an application (files' bytes included) as NDJSON")
    .option('--app <id>', 'the application (default: the default application)')
    .option('--out <file>', 'the file to write, or - for stdout (default: parley-export-<app>-<time>.ndjson)')
    .action((options: { app?: string; out?: string }) =>
      withDatabase(async ({ storage }) => {
        const appId = options.app ?? (await defaultAppId(storage));
        if (!appId) throw new UsageError('No default application: name one with --app');
        const file = options.out ?? `parley-export-${appId}-${stamp()}.ndjson`;
        if (file !== '-' && existsSync(file)) throw new UsageError(`${file} exists already; name a new file`);
        const out: Writable = file === '-' ? process.stdout : createWriteStream(file, { flags: 'wx' });
        const progress = rowsProgress(context.io);
        const counts = await exportApp(storage, {
          appId,
          out,
          onHeader: progress.onHeader,
          onProgress: progress.onProgress,
        }).finally(progress.stop);
        if (out !== process.stdout) {
          out.end();
          await finished(out);
        }
        const summary = { appId, file, rows: counts };
        const text = () => `Exported application ${appId} to ${file === '-' ? 'stdout' : file}\n${countsTable(counts)}`;
        // With the export on stdout, the summary goes to stderr.
        if (file === '-') context.note(context.json ? JSON.stringify(summary) : text());
        else context.emit(summary, text);
      }),
    );

  program
    .command('import')
    .description('upsert the rows of an export into this database (importing twice changes nothing)')
    .argument('<file>', 'an export file, or - for stdin')
    .option('--app <id>', "import under this application id instead of the file's")
    .action((file: string, options: { app?: string }) =>
      withDatabase(async ({ storage }) => {
        if (file !== '-' && !existsSync(file)) throw new UsageError(`No file ${file}`);
        await migrateToLatest(storage);
        const input: Readable = file === '-' ? process.stdin : createReadStream(file);
        const progress = rowsProgress(context.io);
        const summary = await importApp(storage, {
          input,
          appId: options.app,
          onHeader: progress.onHeader,
          onProgress: progress.onProgress,
        }).finally(progress.stop);
        const skipped = Object.values(summary.skipped).reduce((sum, rows) => sum + rows, 0);
        context.emit(summary, () => [
          `Imported into application ${summary.appId}`,
          countsTable(summary.written),
          ...(skipped > 0
            ? [
                'Already there, left as they are (an earlier import, or a key of another application here):',
                countsTable(summary.skipped, true),
              ]
            : []),
          ...summary.notes,
        ]);
      }),
    );
}

/** A bar over every row an export's header announces, drawn once the header is read (export and import alike). */
function rowsProgress(io: CliIo) {
  let bar: Progress | undefined;
  return {
    onHeader: (header: { tables: Array<{ rows: number }> }) => {
      bar = progressBar(
        io,
        header.tables.reduce((sum, table) => sum + table.rows, 0),
        'rows',
      );
    },
    onProgress: (done: number, table: string) => bar?.update(done, table),
    stop: () => bar?.stop(),
  };
}

function countsTable(counts: TableCounts, nonZeroOnly = false): string {
  const rows = Object.entries(counts).filter(([, count]) => !nonZeroOnly || count > 0);
  const width = Math.max(...rows.map(([table]) => table.length), 5);
  const total = rows.reduce((sum, [, count]) => sum + count, 0);
  return [...rows, ['total', total] as const]
    .map(([table, count]) => `  ${table.padEnd(width)}  ${String(count).padStart(8)}`)
    .join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

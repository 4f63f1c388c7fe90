import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { backupSqlite, postgresBackupGuidance } from '../ops/backup.js';
import { defaultAppId, exportApp, importApp, type TableCounts } from '../ops/transfer/index.js';
import { migrateToLatest, type Storage } from '../storage/database.js';
import { type Progress, progressBar } from './progress.js';

export interface DataCommandsContext {
  storage: Storage;
  config: Config;
  close(): Promise<void>;
}

/** Raised for a mistake in the command line (exit code 2), as opposed to a failure (1). */
export class DataUsageError extends Error {}

const stamp = () =>
  new Date()
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * `parley backup`, `parley export` and `parley import`. Each opens the database through `open` and
 * closes it when done. Output: what was done on stdout (`--json` for one JSON object), progress on
 * stderr when it is a terminal.
 */
export function registerDataCommands(program: Command, open: () => Promise<DataCommandsContext>): void {
  const withDatabase = async <T>(run: (context: DataCommandsContext) => Promise<T>): Promise<T> => {
    const context = await open();
    try {
      return await run(context);
    } finally {
      await context.close();
    }
  };

  program
    .command('backup')
    .description(
      'copy the SQLite database while the server runs (online backup); on PostgreSQL, print the pg_dump command',
    )
    .option('--out <file>', 'the backup file (default: parley-backup-<time>.db, or .dump for pg_dump)')
    .option('--json', 'print the result as JSON')
    .action((options: { out?: string; json?: boolean }) =>
      withDatabase(async ({ config }) => {
        if (!config.databaseUrl.startsWith('sqlite:')) {
          // Not an error: the operator asked how to back up, and this is the answer (exit 0).
          const guidance = postgresBackupGuidance(config.databaseUrl, options.out ?? `parley-backup-${stamp()}.dump`);
          print(options.json ? JSON.stringify({ database: 'postgres', guidance }) : guidance);
          return;
        }
        const path = config.databaseUrl.slice('sqlite:'.length);
        if (path === ':memory:') throw new DataUsageError('An in-memory database has nothing to back up');
        const result = await backupSqlite(path, options.out ?? `parley-backup-${stamp()}.db`);
        print(
          options.json
            ? JSON.stringify({ database: 'sqlite', ...result })
            : `Backup written: ${result.file} (${formatBytes(result.bytes)})`,
        );
      }),
    );

  program
    .command('export')
    .description("write every row of an application (files' bytes included) as NDJSON")
    .option('--app <id>', 'the application (default: the default application)')
    .option('--out <file>', 'the file to write, or - for stdout (default: parley-export-<app>-<time>.ndjson)')
    .option('--json', 'print the summary as JSON')
    .action((options: { app?: string; out?: string; json?: boolean }) =>
      withDatabase(async ({ storage }) => {
        const appId = options.app ?? (await defaultAppId(storage));
        if (!appId) throw new DataUsageError('No default application: name one with --app');
        const file = options.out ?? `parley-export-${appId}-${stamp()}.ndjson`;
        if (file !== '-' && existsSync(file)) throw new DataUsageError(`${file} exists already; name a new file`);
        const out: Writable = file === '-' ? process.stdout : createWriteStream(file, { flags: 'wx' });
        let bar: Progress | undefined;
        const counts = await exportApp(storage, {
          appId,
          out,
          onHeader: (header) => {
            bar = progressBar(
              header.tables.reduce((sum, table) => sum + table.rows, 0),
              'rows',
            );
          },
          onProgress: (written, table) => bar?.update(written, table),
        }).finally(() => bar?.stop());
        if (out !== process.stdout) {
          out.end();
          await finished(out);
        }
        // With the export on stdout, the summary goes to stderr.
        const report = file === '-' ? (text: string) => process.stderr.write(`${text}\n`) : print;
        report(
          options.json
            ? JSON.stringify({ appId, file, rows: counts })
            : `Exported application ${appId} to ${file === '-' ? 'stdout' : file}\n${countsTable(counts)}`,
        );
      }),
    );

  program
    .command('import')
    .description('upsert the rows of an export into this database (importing twice changes nothing)')
    .argument('<file>', 'an export file, or - for stdin')
    .option('--app <id>', "import under this application id instead of the file's")
    .option('--json', 'print the summary as JSON')
    .action((file: string, options: { app?: string; json?: boolean }) =>
      withDatabase(async ({ storage }) => {
        if (file !== '-' && !existsSync(file)) throw new DataUsageError(`No file ${file}`);
        await migrateToLatest(storage);
        const input: Readable = file === '-' ? process.stdin : createReadStream(file);
        let bar: Progress | undefined;
        const summary = await importApp(storage, {
          input,
          appId: options.app,
          onHeader: (header) => {
            bar = progressBar(
              header.tables.reduce((sum, table) => sum + table.rows, 0),
              'rows',
            );
          },
          onProgress: (read, table) => bar?.update(read, table),
        }).finally(() => bar?.stop());
        if (options.json) {
          print(JSON.stringify(summary));
          return;
        }
        const skipped = Object.values(summary.skipped).reduce((sum, rows) => sum + rows, 0);
        print(`Imported into application ${summary.appId}\n${countsTable(summary.written)}`);
        if (skipped > 0)
          print(
            'Already there, left as they are (an earlier import, or a key of another application here):\n' +
              countsTable(summary.skipped, true),
          );
        for (const note of summary.notes) print(note);
      }),
    );
}

const print = (text: string) => process.stdout.write(`${text}\n`);

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

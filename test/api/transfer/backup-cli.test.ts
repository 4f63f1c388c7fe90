import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupSqlite } from '../../../src/ops/backup.js';
import { TRANSFER_TABLES } from '../../../src/ops/transfer/index.js';
import { createGroup, createNamedUsers, createRoom, sendMessage } from '../../helpers/factories.js';
import { buildTestApp, onPostgres, type TestApp } from '../../helpers/test-app.js';
import { cliInProcess, cliProcess } from '../../helpers/cli.js';

/**
 * `parley backup`, `parley export` and `parley import` as an operator runs them: a separate process
 * beside a running server (in-process here, on the same database file) for the backup and the exit
 * codes of the CLI; the commands' program in-process for the rest (a process costs seconds).
 */

const CLI_TIMEOUT_MS = 15_000;

const cli = (args: string[], databaseUrl: string) => cliProcess({ DATABASE_URL: databaseUrl }, args, CLI_TIMEOUT_MS);

/** The command run in this process; answers what it printed on stdout, or throws what it wrote on stderr. */
async function run(args: string[], databaseUrl: string): Promise<string> {
  const result = await cliInProcess({ DATABASE_URL: databaseUrl }, args);
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return result.stdout;
}

const countRows = (database: BetterSqlite3.Database, table: string, where = '') =>
  (database.prepare(`select count(*) as n from ${table} ${where}`).get() as { n: number }).n;

describe.skipIf(onPostgres)('on SQLite', () => {
  let t: TestApp;
  let dir: string;
  let databasePath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-data-'));
    t = await buildTestApp();
    databasePath = t.config.databaseUrl.slice('sqlite:'.length);
    await createNamedUsers(t, ['ann', 'ben', 'cy']);
    await createGroup(t, { _id: 'crew', nickname: 'Crew', members: ['cy'] });
    await createRoom(t, { _id: 'busy', members: ['ann', 'ben', 'crew'] });
    for (let i = 0; i < 5; i += 1) await sendMessage(t, 'busy', 'ann', `before ${i}`);
  });

  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up the database while a writer writes: a sound copy of one moment', async () => {
    const live = new BetterSqlite3(databasePath, { readonly: true });
    const before = countRows(live, 'messages');
    let stop = false;
    let written = 0;
    const writer = (async () => {
      for (let i = 0; !stop && i < 3000; i += 1) {
        await sendMessage(t, 'busy', i % 2 ? 'ann' : 'ben', `during ${i}`);
        written += 1;
        // A steady writer, not a busy loop: the CLI process needs the CPU to start.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const out = join(dir, 'backup.db');
    const result = await cli(['backup', '--out', out, '--json'], t.config.databaseUrl);
    const writtenDuringBackup = written;
    stop = true;
    await writer;
    const after = countRows(live, 'messages');
    live.close();

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ database: 'sqlite', file: out, bytes: expect.any(Number) });
    // The writer went on while the CLI started and copied.
    expect(writtenDuringBackup).toBeGreaterThan(0);

    const copy = new BetterSqlite3(out, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('foreign_key_check')).toStrictEqual([]);
      const copied = countRows(copy, 'messages');
      expect(copied).toBeGreaterThanOrEqual(before);
      expect(copied).toBeLessThanOrEqual(after);
      // One moment: the room's counter was written with each message, in the same transaction.
      const room = copy.prepare("select messages_written as n from rooms where id = 'busy'").get() as { n: number };
      expect(room.n).toBe(countRows(copy, 'messages', "where room_id = 'busy'"));
      const source = new BetterSqlite3(databasePath, { readonly: true });
      for (const table of ['users', 'rooms', 'room_members', 'api_keys', 'apps'])
        expect(countRows(copy, table), table).toBe(countRows(source, table));
      source.close();
    } finally {
      copy.close();
    }
    // Never over an existing file.
    await expect(backupSqlite(databasePath, out)).rejects.toThrow(`${out} exists already`);
  });

  it('exports with the CLI and imports under another application id into another database', async () => {
    await t.services.audit.flush();
    const file = join(dir, 'export.ndjson');
    const exported = await run(['export', '--app', t.appId, '--out', file, '--json'], t.config.databaseUrl);
    const { rows } = JSON.parse(exported) as { rows: Record<string, number> };
    expect(rows.messages).toBeGreaterThan(5);

    const other = `sqlite:${join(dir, 'other.db')}`;
    const summary = JSON.parse(await run(['import', file, '--app', 'moved', '--json'], other));
    expect(summary).toMatchObject({ appId: 'moved', written: rows, notes: [] });
    const text = await run(['import', file, '--app', 'moved'], other);
    expect(text).toContain('Imported into application moved');
    expect(text).toMatch(new RegExp(`Already there[^]*messages +${rows.messages}\n`));

    const database = new BetterSqlite3(join(dir, 'other.db'), { readonly: true });
    try {
      for (const table of TRANSFER_TABLES) {
        const column = table.name === 'apps' ? 'id' : 'app_id';
        expect(countRows(database, table.name, `where ${column} = 'moved'`), table.name).toBe(rows[table.name]);
        expect(countRows(database, table.name), table.name).toBe(rows[table.name]);
      }
      // The search index of the new database holds the imported messages.
      const hits = database
        .prepare("select count(*) as n from messages_room_fts where messages_room_fts match 'during'")
        .get() as { n: number };
      expect(hits.n).toBe(countRows(database, 'messages', "where search_text like 'during%'"));
    } finally {
      database.close();
    }
  });

  it('refuses a missing file as a usage error (exit 2)', async () => {
    const result = await cliInProcess({ DATABASE_URL: t.config.databaseUrl }, ['import', join(dir, 'nothing.ndjson')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No file');
  });
});

describe.skipIf(!onPostgres)('on PostgreSQL', () => {
  it('prints the pg_dump command for DATABASE_URL, without its password', async () => {
    const url = 'postgres://parley:s3cret-pass@db.internal:5433/chat?options=-c%20search_path%3Dtenant1';
    const result = await cli(['backup', '--out', 'nightly.dump'], url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "pg_dump --format=custom --schema=tenant1 --file=nightly.dump 'postgres://parley@db.internal:5433/chat'",
    );
    expect(result.stdout).toContain(
      "pg_restore --no-owner --exit-on-error --dbname='postgres://parley@db.internal:5433/chat'",
    );
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });
});

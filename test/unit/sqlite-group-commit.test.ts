import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Generated, Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommitSqliteDialect } from '../../src/storage/dialects/sqlite-group-commit.js';
import { withStatementCache } from '../../src/storage/dialects/sqlite-statement-cache.js';

interface Schema {
  notes: { id: Generated<number>; body: string };
}

let dir: string;
let path: string;
let database: BetterSqlite3.Database;
let db: Kysely<Schema>;
/** Every statement `exec` ran (begin, savepoints, commit…), and a way to make one fail. */
let executed: string[];
let failOn: string | undefined;
let closed: boolean;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-group-commit-'));
  path = join(dir, 'group.db');
  database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.exec('create table notes (id integer primary key, body text not null unique)');
  executed = [];
  failOn = undefined;
  closed = false;
  const exec = database.exec.bind(database);
  database.exec = (text: string) => {
    executed.push(text);
    if (failOn !== undefined && text === failOn) throw new Error(`injected failure of ${text}`);
    return exec(text);
  };
  db = new Kysely<Schema>({ dialect: groupCommitSqliteDialect(database, withStatementCache(database)) });
});

afterEach(async () => {
  if (!closed) await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** What another connection (another process, a restart) sees on disk. */
function committedBodies(): string[] {
  const reader = new BetterSqlite3(path, { readonly: true });
  try {
    return reader.prepare('select body from notes order by body').pluck().all() as string[];
  } finally {
    reader.close();
  }
}

const insert = (executor: Kysely<Schema>, body: string) => executor.insertInto('notes').values({ body }).execute();
const commits = () => executed.filter((text) => text === 'commit').length;

describe('SQLite group commit', () => {
  it('commits transactions that run together once, and each caller resumes only after that commit', async () => {
    const seenOnDisk: string[][] = [];
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((body) =>
        db
          .transaction()
          .execute((tx) => insert(tx, body))
          .then(() => seenOnDisk.push(committedBodies())),
      ),
    );
    expect(commits()).toBe(1);
    for (const seen of seenOnDisk) expect(seen).toStrictEqual(['a', 'b', 'c', 'd']);
  });

  it("undoes only the failing caller's writes; the others commit", async () => {
    const results = await Promise.allSettled([
      db.transaction().execute((tx) => insert(tx, 'kept-1')),
      db.transaction().execute(async (tx) => {
        await insert(tx, 'undone');
        throw new Error('the caller gave up');
      }),
      db.transaction().execute(async (tx) => {
        await insert(tx, 'kept-2');
        await insert(tx, 'kept-1'); // a unique violation: this caller fails, its first insert too
      }),
      db.transaction().execute((tx) => insert(tx, 'kept-3')),
    ]);
    expect(results.map((result) => result.status)).toStrictEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(committedBodies()).toStrictEqual(['kept-1', 'kept-3']);
  });

  it('fails every caller of a group whose commit fails, and keeps working afterwards', async () => {
    failOn = 'commit';
    const results = await Promise.allSettled([
      db.transaction().execute((tx) => insert(tx, 'lost-1')),
      db.transaction().execute((tx) => insert(tx, 'lost-2')),
    ]);
    expect(results.map((result) => result.status)).toStrictEqual(['rejected', 'rejected']);
    expect(committedBodies()).toStrictEqual([]);
    failOn = undefined;
    await db.transaction().execute((tx) => insert(tx, 'after'));
    expect(committedBodies()).toStrictEqual(['after']);
  });

  it('resolves a write outside any transaction after the open group commits', async () => {
    let outside: Promise<unknown> | undefined;
    await db.transaction().execute(async (tx) => {
      await insert(tx, 'in-group');
      // Queued behind the transaction: it runs inside the still-open group.
      outside = insert(db, 'outside').then(() => committedBodies());
    });
    expect(await outside).toStrictEqual(['in-group', 'outside']);
    expect(commits()).toBe(1);
  });

  it("keeps a caller's own savepoints working inside its transaction (as migrations use them)", async () => {
    await db.transaction().execute(async (tx) => {
      await insert(tx, 'outer');
      await sql`savepoint inner_step`.execute(tx);
      await insert(tx, 'inner');
      await sql`rollback to savepoint inner_step`.execute(tx);
      await sql`release savepoint inner_step`.execute(tx);
      await insert(tx, 'after-inner');
    });
    expect(committedBodies()).toStrictEqual(['after-inner', 'outer']);
  });

  it('commits an open group when the database is closed', async () => {
    const pending = db.transaction().execute((tx) => insert(tx, 'at-close'));
    await sql`select 1`.execute(db); // the transaction has run; its group is still open
    await db.destroy();
    await pending;
    expect(committedBodies()).toStrictEqual(['at-close']);
    closed = true;
  });
});

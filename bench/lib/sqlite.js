// A better-sqlite3 connection set up as Parley sets up its own (src/storage/dialects/sqlite.ts), for
// baselines that talk to the engine directly.
import BetterSqlite3 from 'better-sqlite3';

export function openLikeParley(path, options = {}) {
  const database = new BetterSqlite3(path, options);
  if (!options.readonly) database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return database;
}

/** A prepared INSERT of rows shaped like `sample` (named parameters, one per column). */
export function prepareInsert(database, table, sample) {
  const columns = Object.keys(sample);
  return database.prepare(
    `insert into "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map((column) => `@${column}`).join(', ')})`,
  );
}

/**
 * The FTS5 tables indexing `messages` (their content is `messages` or a view of it, so that
 * 'rebuild' fills them), and the insert triggers on `messages` that keep them.
 */
export function messageFullText(database) {
  const tables = database
    .prepare("select name from sqlite_master where type = 'table' and sql like '%using fts5%content=''messages%'")
    .pluck()
    .all();
  const insertTriggers = database
    .prepare(
      "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'messages' and sql like '%after insert%'",
    )
    .all()
    .filter((trigger) => tables.some((table) => trigger.sql.includes(table)));
  return { tables, insertTriggers };
}

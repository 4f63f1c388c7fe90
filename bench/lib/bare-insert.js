// Baseline process for the message write: INSERTs of the last row Parley wrote to `messages` (new
// id and times each), straight through the driver, for `seconds` after `warmupSeconds`. SQLite:
// better-sqlite3 with Parley's pragmas, one autocommit statement per row. PostgreSQL: a pg pool
// of `concurrency` connections, each inserting its next row when the last is done, one prepared
// statement. Prints { perSecond, rows } (SQLite: and withoutFullTextPerSecond, the same once
// the full-text trigger is dropped; PostgreSQL: and hotRowPerSecond, the same writers each
// updating the message's room row instead, autocommitted: what one write of that row per message
// allows at most).
import { join } from 'node:path';
import pg from 'pg';
import { root } from './processes.js';
import { messageFullText, openLikeParley, prepareInsert } from './sqlite.js';

const { objectId } = await import(join(root, 'dist/shared/ids.js'));
const { dialect, path, url, concurrency, seconds, warmupSeconds } = JSON.parse(process.env.BENCH_INSERT);

const fresh = (template) => {
  const at = Date.now();
  return { ...template, id: objectId(at), created_at: at, updated_at: at };
};

async function timed(insertFor) {
  await insertFor(warmupSeconds);
  const started = performance.now();
  const rows = await insertFor(seconds);
  return { perSecond: rows / ((performance.now() - started) / 1000), rows };
}

async function sqlite() {
  const database = openLikeParley(path);
  const { seq: _seq, ...template } = database.prepare('select * from messages order by seq desc limit 1').get();
  const insert = prepareInsert(database, 'messages', template);
  const insertFor = (duration) => {
    const end = performance.now() + duration * 1000;
    let rows = 0;
    for (; performance.now() < end; rows++) insert.run(fresh(template));
    return rows;
  };
  const result = await timed(insertFor);
  // For the record: what the full-text index costs of that (the baseline keeps it, as Parley does).
  for (const trigger of messageFullText(database).insertTriggers) database.exec(`drop trigger "${trigger.name}"`);
  const withoutFullText = await timed(insertFor);
  database.close();
  return { ...result, withoutFullTextPerSecond: withoutFullText.perSecond };
}

async function postgres() {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  const { seq: _seq, ...template } = (await pool.query('select * from messages order by seq desc limit 1')).rows[0];
  const columns = Object.keys(template);
  const text = `insert into messages (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map((_, index) => `$${index + 1}`).join(', ')})`;
  const result = await timed(async (duration) => {
    const end = performance.now() + duration * 1000;
    let rows = 0;
    const worker = async () => {
      for (; performance.now() < end; rows++) {
        const row = fresh(template);
        await pool.query({ name: 'bench-insert', text, values: columns.map((column) => row[column]) });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return rows;
  });
  const hotRow = await timed(async (duration) => {
    const end = performance.now() + duration * 1000;
    let rows = 0;
    const worker = async () => {
      for (; performance.now() < end; rows++)
        await pool.query({
          name: 'bench-room-row',
          text: 'update rooms set messages_written = messages_written + 1 where app_id = $1 and id = $2',
          values: [template.app_id, template.room_id],
        });
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return rows;
  });
  await pool.end();
  return { ...result, hotRowPerSecond: hotRow.perSecond };
}

console.log(JSON.stringify(dialect === 'sqlite' ? await sqlite() : await postgres()));

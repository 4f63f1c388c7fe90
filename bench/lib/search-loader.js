// Loads BENCH_LOAD_COUNT corpus messages straight into the SQLite database at BENCH_LOAD_PATH (Parley
// stopped), in large transactions through one prepared INSERT. The table's indexes, and the
// full-text indexes kept by insert triggers, are built once at the end instead of row by row (a
// trigger's is ~30x slower); they hold the same afterwards. Prints { rows, seconds: { phase: s } }.
import { messageRow } from './corpus.js';
import { messageFullText, openLikeParley, prepareInsert } from './sqlite.js';

const started = performance.now();
const seconds = {};
const mark = (phase) => (seconds[phase] = Number(((performance.now() - started) / 1000).toFixed(1)));
const count = Number(process.env.BENCH_LOAD_COUNT);
const database = openLikeParley(process.env.BENCH_LOAD_PATH);
// Room to sort in while building the indexes.
database.pragma('cache_size = -524288');

const { tables: ftsTables, insertTriggers: ftsTriggers } = messageFullText(database);
for (const trigger of ftsTriggers) database.exec(`drop trigger "${trigger.name}"`);
// Indexes too are built once from the loaded rows (sorted), not grown row by row.
const indexes = database
  .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'messages' and sql is not null")
  .all();
for (const index of indexes) database.exec(`drop index "${index.name}"`);

const appId = database.prepare('select id from apps limit 1').pluck().get();
const startMs = Date.now() - count * 10;
const insert = prepareInsert(database, 'messages', messageRow(appId, 0, startMs));
const CHUNK = 50_000;
for (let offset = 0; offset < count; offset += CHUNK) {
  database.transaction(() => {
    for (let index = offset; index < Math.min(count, offset + CHUNK); index++)
      insert.run(messageRow(appId, index, startMs));
  })();
}
mark('inserted');
for (const index of indexes) database.exec(index.sql);
mark('indexed');
for (const table of ftsTables) database.exec(`insert into "${table}"("${table}") values ('rebuild')`);
mark('fullTextRebuilt');
for (const trigger of ftsTriggers) database.exec(trigger.sql);
database.pragma('wal_checkpoint(TRUNCATE)');
database.exec('analyze');
database.close();
mark('done');
console.log(JSON.stringify({ rows: count, seconds }));

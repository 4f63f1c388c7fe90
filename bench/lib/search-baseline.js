// Baseline process for search: the full-text statement Parley's SQLite dialect builds for the
// reader's search (sqliteHelpers.searchQuery), run alone through better-sqlite3 on the loaded
// database (Parley stopped), sampled per keyword as the searches were. Prints { keyword: { p50, p99, samples } }.
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { root } from './processes.js';
import { latencies } from './rows.js';
import { openLikeParley } from './sqlite.js';

const { sqliteHelpers } = await import(join(root, 'dist/storage/dialects/sqlite.js'));
const { path, keywords, reader, limit, sampling } = JSON.parse(process.env.BENCH_SEARCH);

const database = openLikeParley(path, { readonly: true });
const appId = database.prepare('select id from apps limit 1').pluck().get();
const roomIds = database
  .prepare('select room_id from room_members where app_id = ? and user_id = ?')
  .pluck()
  .all(appId, reader);
// Kysely only compiles here; the statement runs on the driver.
const compiler = new Kysely({ dialect: new SqliteDialect({ database }) });

const result = {};
for (const keyword of keywords) {
  const { sql, parameters } = sqliteHelpers.searchQuery({ appId, roomIds, keyword, limit }).compile(compiler);
  const statement = database.prepare(sql);
  result[keyword] = await latencies(() => statement.all(...parameters), sampling);
}
database.close();
console.log(JSON.stringify(result));

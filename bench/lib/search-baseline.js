// Baseline process for search: the full-text statements Parley's SQLite dialect builds for the
// reader's search (sqliteHelpers.searchStatements), run alone through better-sqlite3 on the loaded
// database (Parley stopped) in the order Parley runs them (runSearch), sampled per keyword as the
// searches were. Prints { keyword: { p50, p99, samples } }.
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { root } from './processes.js';
import { latencies } from './rows.js';
import { openLikeParley } from './sqlite.js';

const { sqliteHelpers } = await import(join(root, 'dist/storage/dialects/sqlite.js'));
const { runSearch } = await import(join(root, 'dist/storage/dialects/run-search.js'));
const { path, keywords, reader, limit, sampling } = JSON.parse(process.env.BENCH_SEARCH);

const database = openLikeParley(path, { readonly: true });
const appId = database.prepare('select id from apps limit 1').pluck().get();
const roomIds = database
  .prepare('select room_id from room_members where app_id = ? and user_id = ?')
  .pluck()
  .all(appId, reader);
// Kysely only compiles here; the statements run on the driver, each prepared once.
const compiler = new Kysely({ dialect: new SqliteDialect({ database }) });
const prepared = new Map();
const execute = async (statement) => {
  const { sql, parameters } = statement.compile(compiler);
  if (!prepared.has(sql)) prepared.set(sql, database.prepare(sql));
  return prepared.get(sql).all(...parameters);
};

const result = {};
for (const keyword of keywords) {
  const statements = sqliteHelpers.searchStatements({ appId, roomIds, keyword, limit });
  result[keyword] = await latencies(() => runSearch(statements, limit, execute), sampling);
}
database.close();
console.log(JSON.stringify(result));

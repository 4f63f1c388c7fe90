// Rows 1 and 2 of issue 11: POST /rooms/:id/message by 16 members of one room (each connection a
// different user, with the client key and token headers the SDKs send), against a bare INSERT of
// the same row through the same driver, in a separate process pinned like the server.
import { join } from 'node:path';
import { httpLoad } from './lib/load.js';
import { createUsersWithTokens, startParley, userHeaders } from './lib/parley.js';
import { POSTGRES_URL, postgresProblem, postgresSchema } from './lib/databases.js';
import { SERVER_CPU, runNode, tempDir } from './lib/processes.js';
import { row, skippedRow } from './lib/rows.js';
import { MESSAGE_USERS, SECONDS, WARMUP_SECONDS } from './lib/settings.js';

/** Parley's msg/s, then the bare INSERT's on the same database once Parley has stopped. */
async function measure(databaseUrl, bareInsert) {
  const parley = await startParley({ databaseUrl });
  let sent;
  try {
    const users = await createUsersWithTokens(parley.admin, MESSAGE_USERS, 'writer-');
    await parley.admin.post('/rooms', { _id: 'bench', members: users.map((user) => user.userId) });
    const load = {
      url: `${parley.url}/rooms/bench/message`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      headersPerConnection: users.map((user) => userHeaders(parley.clientKey, user.token)),
      body: JSON.stringify({
        message: 'A benchmark message of ordinary length, sent by a member.',
        messageType: 'text',
      }),
      connections: MESSAGE_USERS,
    };
    await httpLoad({ ...load, seconds: WARMUP_SECONDS });
    sent = await httpLoad({ ...load, seconds: SECONDS });
  } finally {
    await parley.stop();
  }
  const bare = await runNode(['bench/lib/bare-insert.js'], {
    cpu: SERVER_CPU,
    env: {
      BENCH_INSERT: JSON.stringify({
        ...bareInsert,
        concurrency: MESSAGE_USERS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
      }),
    },
  });
  return { sent, bare };
}

const note = ({ sent, bare }) =>
  [
    `p99 ${sent.p99} ms`,
    sent.non2xx + sent.errors > 0 ? `${sent.non2xx} non-2xx, ${sent.errors} errors` : '',
    bare.withoutFullTextPerSecond
      ? `bare INSERT without the FTS trigger ${Math.round(bare.withoutFullTextPerSecond)}/s`
      : '',
  ]
    .filter(Boolean)
    .join('; ');

async function sqlite() {
  const { dir, remove } = tempDir('messages');
  try {
    const path = join(dir, 'messages.db');
    const result = await measure(`sqlite:${path}`, { dialect: 'sqlite', path });
    return row({
      benchmark: `POST /rooms/:id/message, ${MESSAGE_USERS} users, SQLite`,
      value: result.sent.perSecond,
      unit: 'msg/s',
      baseline: result.bare.perSecond,
      target: '>= 5,000 msg/s and >= 0.5x bare INSERT (better-sqlite3, WAL)',
      pass: (value, ratio) => value >= 5000 && ratio >= 0.5,
      digits: 0,
      note: note(result),
    });
  } finally {
    remove();
  }
}

async function postgres() {
  const benchmark = `POST /rooms/:id/message, ${MESSAGE_USERS} users, PostgreSQL`;
  const target = `>= 0.5x bare INSERT (pg pool of ${MESSAGE_USERS})`;
  const problem = await postgresProblem();
  if (problem) return skippedRow(benchmark, 'msg/s', target, problem);
  const schema = await postgresSchema('messages', POSTGRES_URL);
  try {
    const result = await measure(schema.url, { dialect: 'postgres', url: schema.url });
    return [
      row({
        benchmark,
        value: result.sent.perSecond,
        unit: 'msg/s',
        baseline: result.bare.perSecond,
        target,
        pass: (_, ratio) => ratio >= 0.5,
        digits: 0,
        note: note(result),
      }),
      row({
        benchmark: `the room's row alone, updated by ${MESSAGE_USERS} autocommitted writers (PostgreSQL)`,
        value: result.bare.hotRowPerSecond,
        unit: 'updates/s',
        baseline: result.bare.perSecond,
        target: 'reported (the most one write of the room row per message allows)',
        pass: true,
        digits: 0,
      }),
    ];
  } finally {
    await schema.dispose();
  }
}

export async function run() {
  return [await sqlite(), ...[await postgres()].flat()];
}

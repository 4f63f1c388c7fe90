// PostgreSQL and Redis for the benchmarks: a PostgreSQL schema of their own per run, dropped afterwards.
import { connect } from 'node:net';
import pg from 'pg';

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why PostgreSQL at `url` cannot be used, or undefined when it answers. */
export async function postgresProblem(url = POSTGRES_URL) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL not reachable at ${url.replace(/\/\/[^@]*@/, '//')}: ${error.message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema; `url` reaches it (search_path), `dispose` drops it with everything in it. */
export async function postgresSchema(label, url = POSTGRES_URL) {
  const schema = `bench_${label}_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: scoped.toString(),
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** Why Redis at `url` cannot be used, or undefined when it answers PING. */
export function redisProblem(url = REDIS_URL) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const fail = (reason) => {
      socket.destroy();
      resolve(`Redis not reachable at ${hostname}:${port || 6379}: ${reason}`);
    };
    socket.setTimeout(3000, () => fail('timed out'));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG') ? undefined : `Redis answered ${data.toString().trim()}`);
    });
  });
}

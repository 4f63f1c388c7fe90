import type pg from 'pg';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/** Statements kept prepared on each connection; later ones are parsed each time. */
export const NAMED_PER_CONNECTION = 200;
/** Longer statements are one-offs (multi-row inserts, long `IN` lists): never kept. */
export const MAX_NAMED_SQL_LENGTH = 4096;
/** Only queries are kept: DDL (migrations) and transaction control gain nothing from it. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** PostgreSQL's refusal to run a kept statement whose tables changed shape (a migration by another node). */
const CACHED_PLAN_CHANGED = '0A000';
/** How Kysely opens and ends a transaction (`rollback to` a savepoint ends none). */
const OPENS_TRANSACTION = /^(begin|start transaction)\b/i;
const ENDS_TRANSACTION = /^(commit|rollback(?!\s+to\b))\b/i;

/**
 * A pool whose connections keep the statements Kysely sends prepared under a name, so that the
 * server parses and analyses each SQL text once per connection instead of on every query. Plans
 * stay per call: connections run with `plan_cache_mode = force_custom_plan`, so a kept statement
 * is planned for its actual parameters exactly as an unnamed one would be (no generic plan).
 */
export function withNamedStatements(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let named = clients.get(client);
      if (named === undefined) {
        named = namingClient(client, await plansPerCall(client));
        clients.set(client, named);
      }
      return named;
    },
    end: () => pool.end(),
  };
}

/** False when the server cannot be told to plan per call (before PostgreSQL 12): nothing is kept then. */
async function plansPerCall(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('set plan_cache_mode = force_custom_plan');
    return true;
  } catch {
    return false;
  }
}

function namingClient(client: pg.PoolClient, keep: boolean): PostgresPoolClient {
  const names = new Map<string, string>();
  let given = keep ? 0 : NAMED_PER_CONNECTION;
  let inTransaction = false;
  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    if (name !== undefined || given >= NAMED_PER_CONNECTION) return name;
    if (text.length > MAX_NAMED_SQL_LENGTH || !PREPARABLE.test(text)) return undefined;
    given += 1;
    const fresh = `parley_${given}`;
    names.set(text, fresh);
    return fresh;
  };
  const run = <R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> => {
    if (text.length < 40) {
      if (OPENS_TRANSACTION.test(text)) inTransaction = true;
      else if (ENDS_TRANSACTION.test(text)) inTransaction = false;
    }
    const name = nameOf(text);
    if (name === undefined) return client.query(text, values) as unknown as Promise<PostgresQueryResult<R>>;
    const result = client.query({ name, text, values }) as unknown as Promise<PostgresQueryResult<R>>;
    return result.catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code !== CACHED_PLAN_CHANGED || names.get(text) !== name) throw error;
      // Refused before it ran: prepared anew under another name, and run again unless a transaction
      // it belonged to is now aborted.
      names.delete(text);
      if (inTransaction) throw error;
      return run<R>(text, values);
    });
  };
  function query<R>(text: string, values: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    textOrCursor: string | PostgresCursor<R>,
    values?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never) as PostgresCursor<R>;
    return run<R>(textOrCursor, (values ?? []) as unknown[]);
  }
  return { query, release: (discard?: boolean) => client.release(discard) } as PostgresPoolClient;
}

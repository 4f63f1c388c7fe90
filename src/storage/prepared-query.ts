import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely';
import type { Database } from './schema/tables.js';
import type { Db } from './transaction.js';

/** Stands for a value in the query built once; never a value a caller could pass (it holds a NUL). */
const PLACEHOLDER = '\u0000parley-value:';

interface Compiled {
  query: CompiledQuery;
  /** Each parameter of `query`: the caller's value of that name, or a constant of the query. */
  slots: Array<{ name: string } | { constant: unknown }>;
}

/**
 * A query of the hot path built and compiled once per dialect, then run with each call's values.
 * Building and compiling a Kysely query costs more than running a small statement; the SQL text
 * stays the same, so the driver's prepared statement is reused too. `build` receives stand-ins for
 * the values: each must be read by name and bound as a parameter (not spread, not a list, not a
 * choice that changes the statement's shape).
 */
export function preparedQuery<Values extends Record<string, unknown>, Row>(
  build: (db: Kysely<Database>, values: Values) => Compilable<Row> | RawBuilder<Row>,
): (db: Db, values: Values) => Promise<QueryResult<Row>> {
  const byDialect = new Map<unknown, Compiled>();
  return async (db, values) => {
    const executor = db.getExecutor();
    let compiled = byDialect.get(executor.adapter.constructor);
    if (!compiled) {
      compiled = compile(db, build);
      byDialect.set(executor.adapter.constructor, compiled);
    }
    const parameters = compiled.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.constant));
    return db.executeQuery<Row>({ ...compiled.query, parameters } as CompiledQuery<Row>);
  };
}

function compile<Values extends Record<string, unknown>, Row>(
  db: Db,
  build: (db: Kysely<Database>, values: Values) => Compilable<Row> | RawBuilder<Row>,
): Compiled {
  const standIns = new Proxy({} as Values, {
    get: (_, name) => PLACEHOLDER + String(name),
    ownKeys: () => {
      throw new Error('preparedQuery: name each value; a spread would see none');
    },
  });
  const built = build(db, standIns);
  const query = 'isRawBuilder' in built ? built.compile(db) : built.compile();
  const slots = query.parameters.map((parameter) =>
    typeof parameter === 'string' && parameter.startsWith(PLACEHOLDER)
      ? { name: parameter.slice(PLACEHOLDER.length) }
      : { constant: parameter },
  );
  // Any trace of a stand-in (its NUL survives most transformations) outside a parameter of its own.
  const misused = (text: unknown) => typeof text === 'string' && text.includes('\u0000');
  if (misused(query.sql) || slots.some((slot) => 'constant' in slot && misused(slot.constant)))
    throw new Error('preparedQuery: a value was transformed or inlined instead of bound as it is');
  return { query, slots };
}

import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

/** Tables of work shared by the nodes: rows `pending` until done, taken one at a time through `locked_until`. */
export type LeasedTable = 'message_batches' | 'webhook_deliveries' | 'push_notifications';

/**
 * Takes a pending row's lease if nobody took it since it was read (`seen`): exactly one node wins.
 * The three tables share these columns, so one statement serves them all.
 */
export async function claimLease(
  db: Kysely<Database>,
  table: LeasedTable,
  id: string,
  seen: number,
  until: number,
): Promise<boolean> {
  const result = await db
    .updateTable(table as 'webhook_deliveries')
    .set({ locked_until: until })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('locked_until', '=', seen)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Pending rows whose time has come and whose lease has run out, oldest due first. */
export async function dueRows<T extends 'webhook_deliveries' | 'push_notifications'>(
  db: Kysely<Database>,
  table: T,
  now: number,
  limit: number,
): Promise<Selectable<Database[T]>[]> {
  const rows = await db
    .selectFrom(table as 'webhook_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where('locked_until', '<', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows as unknown as Selectable<Database[T]>[];
}

/** A page of an application's rows of an outbox table (deliveries, pushes), newest first, of one status if given. */
export async function pageOfRows<T extends 'webhook_deliveries' | 'push_notifications'>(
  db: Kysely<Database>,
  table: T,
  appId: string,
  options: { status?: string; skip: number; limit: number },
): Promise<{ totalCount: number; rows: Selectable<Database[T]>[] }> {
  let query = db.selectFrom(table as 'webhook_deliveries').where('app_id', '=', appId);
  if (options.status) query = query.where('status', '=', options.status);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    query
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset(options.skip)
      .limit(options.limit)
      .execute(),
  ]);
  return { totalCount: Number(count.count), rows: rows as unknown as Selectable<Database[T]>[] };
}

/** Rows of an outbox table by status (of one application, or all), for monitoring. */
export async function countByStatus(
  db: Kysely<Database>,
  table: 'webhook_deliveries' | 'push_notifications',
  appId?: string,
): Promise<Record<string, number>> {
  let query = db
    .selectFrom(table as 'webhook_deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('status');
  if (appId) query = query.where('app_id', '=', appId);
  const rows = await query.execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

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

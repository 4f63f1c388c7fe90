import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import { claimLease } from '../../storage/leases.js';
import type { MessageBatchesTable } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';

export interface BatchFailure {
  index: number;
  code: string;
  message: string;
}

export interface Batch {
  id: string;
  appId: string;
  request: BatchRequest;
  total: number;
  nextIndex: number;
  sent: number;
  failures: BatchFailure[];
  status: 'pending' | 'done';
  lockedUntil: number;
  createdAt: number;
  updatedAt: number;
}

/** A batch as accepted: the shared message and one entry per recipient (spec 5.3). */
export interface BatchRequest {
  sender: string;
  messageType: string;
  content: Record<string, unknown>;
  push: boolean;
  skipTotalBadge: boolean;
  paras: Array<Record<string, unknown>>;
}

const toBatch = (row: Selectable<MessageBatchesTable>): Batch => ({
  id: row.id,
  appId: row.app_id,
  request: JSON.parse(row.request) as BatchRequest,
  total: row.total,
  nextIndex: row.next_index,
  sent: row.sent,
  failures: JSON.parse(row.failures) as BatchFailure[],
  status: row.status === 'done' ? 'done' : 'pending',
  lockedUntil: Number(row.locked_until),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class BatchRepository {
  constructor(private readonly storage: Storage) {}

  async insert(id: string, appId: string, request: BatchRequest, now: number): Promise<void> {
    await this.storage.db
      .insertInto('message_batches')
      .values({
        id,
        app_id: appId,
        request: JSON.stringify(request),
        total: request.paras.length,
        next_index: 0,
        sent: 0,
        failures: '[]',
        status: 'pending',
        locked_until: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async find(appId: string, id: string, db: Db = this.storage.db): Promise<Batch | undefined> {
    const row = await db
      .selectFrom('message_batches')
      .selectAll()
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toBatch(row);
  }

  /** Pending batches nobody holds: new ones, and those of a node that stopped or crashed mid-way. */
  async claimable(now: number, limit: number): Promise<Array<{ id: string; appId: string; lockedUntil: number }>> {
    const rows = await this.storage.db
      .selectFrom('message_batches')
      .select(['id', 'app_id', 'locked_until'])
      .where('status', '=', 'pending')
      .where('locked_until', '<', now)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, appId: row.app_id, lockedUntil: Number(row.locked_until) }));
  }

  /** Takes the lease if nobody took it since `seen`: exactly one node wins. */
  claim(id: string, seen: number, until: number): Promise<boolean> {
    return claimLease(this.storage.db, 'message_batches', id, seen, until);
  }

  /** Records one processed entry in the same transaction as its message: a restart resumes after it. */
  async advance(
    id: string,
    progress: { nextIndex: number; sent: number; failures: BatchFailure[]; lockedUntil: number; done: boolean },
    db: Db,
  ): Promise<void> {
    await db
      .updateTable('message_batches')
      .set({
        next_index: progress.nextIndex,
        sent: progress.sent,
        failures: JSON.stringify(progress.failures),
        locked_until: progress.done ? 0 : progress.lockedUntil,
        status: progress.done ? 'done' : 'pending',
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }
}

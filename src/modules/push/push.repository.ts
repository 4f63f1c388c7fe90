import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import { claimLease, countByStatus, dueRows, pageOfRows } from '../../storage/leases.js';
import type { PushNotificationsTable } from '../../storage/schema/tables.js';

export interface PushRecord {
  id: string;
  appId: string;
  kind: 'custom' | 'message';
  users: string[];
  /** `POST /push/push2tokens`: these tokens of one device type instead of the users' devices. */
  tokens: { type: string; tokens: string[] } | null;
  payload: Record<string, unknown>;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  devices: number;
  nextAttemptAt: number;
  lockedUntil: number;
  provider: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

const toRecord = (row: Selectable<PushNotificationsTable>): PushRecord => ({
  id: row.id,
  appId: row.app_id,
  kind: row.kind as PushRecord['kind'],
  users: JSON.parse(row.users) as string[],
  tokens: row.tokens === null ? null : (JSON.parse(row.tokens) as PushRecord['tokens']),
  payload: JSON.parse(row.payload) as Record<string, unknown>,
  status: row.status as PushRecord['status'],
  attempts: row.attempts,
  devices: row.devices,
  nextAttemptAt: Number(row.next_attempt_at),
  lockedUntil: Number(row.locked_until),
  provider: row.provider,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class PushRepository {
  constructor(private readonly storage: Storage) {}

  async record(
    push: Pick<PushRecord, 'id' | 'appId' | 'kind' | 'users' | 'payload'> & Partial<Pick<PushRecord, 'tokens'>>,
    now = Date.now(),
  ): Promise<void> {
    await this.storage.db
      .insertInto('push_notifications')
      .values({
        id: push.id,
        app_id: push.appId,
        kind: push.kind,
        users: JSON.stringify(push.users),
        tokens: push.tokens ? JSON.stringify(push.tokens) : null,
        payload: JSON.stringify(push.payload),
        status: 'pending',
        attempts: 0,
        devices: 0,
        next_attempt_at: now,
        locked_until: 0,
        provider: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async due(now: number, limit: number): Promise<PushRecord[]> {
    return (await dueRows(this.storage.db, 'push_notifications', now, limit)).map(toRecord);
  }

  claim(id: string, seenLock: number, until: number): Promise<boolean> {
    return claimLease(this.storage.db, 'push_notifications', id, seenLock, until);
  }

  async finish(
    id: string,
    outcome: Pick<PushRecord, 'status' | 'attempts' | 'devices' | 'nextAttemptAt' | 'provider' | 'lastError'>,
    now = Date.now(),
  ): Promise<void> {
    await this.storage.db
      .updateTable('push_notifications')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        devices: outcome.devices,
        next_attempt_at: outcome.nextAttemptAt,
        locked_until: 0,
        provider: outcome.provider,
        last_error: outcome.lastError,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async list(
    appId: string,
    options: { status?: string; skip: number; limit: number },
  ): Promise<{ totalCount: number; data: PushRecord[] }> {
    const page = await pageOfRows(this.storage.db, 'push_notifications', appId, options);
    return { totalCount: page.totalCount, data: page.rows.map(toRecord) };
  }

  counts(): Promise<Record<string, number>> {
    return countByStatus(this.storage.db, 'push_notifications');
  }
}

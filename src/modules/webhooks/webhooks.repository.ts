import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import { claimLease, countByStatus, dueRows, pageOfRows } from '../../storage/leases.js';
import type { WebhookDeliveriesTable, WebhookSettingsTable } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';
import { preparedQuery } from '../../storage/prepared-query.js';

export interface WebhookSettings {
  appId: string;
  url: string | null;
  baseUrl: string | null;
  secret: string;
  previousSecret: string | null;
  previousUntil: number | null;
}

export interface Delivery {
  id: string;
  appId: string;
  roomId: string | null;
  event: string;
  url: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lockedUntil: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

const toSettings = (row: Selectable<WebhookSettingsTable>): WebhookSettings => ({
  appId: row.app_id,
  url: row.url,
  baseUrl: row.base_url,
  secret: row.secret,
  previousSecret: row.previous_secret,
  previousUntil: row.previous_until === null ? null : Number(row.previous_until),
});

const toDelivery = (row: Selectable<WebhookDeliveriesTable>): Delivery => ({
  id: row.id,
  appId: row.app_id,
  roomId: row.room_id,
  event: row.event,
  url: row.url,
  payload: row.payload,
  status: row.status as Delivery['status'],
  attempts: row.attempts,
  nextAttemptAt: Number(row.next_attempt_at),
  lockedUntil: Number(row.locked_until),
  lastStatus: row.last_status,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Read for every message written (is anyone listening?): built once (see preparedQuery). */
const findSettings = preparedQuery((db, values: { appId: string }) =>
  db.selectFrom('webhook_settings').selectAll().where('app_id', '=', values.appId),
);

export class WebhooksRepository {
  constructor(private readonly storage: Storage) {}

  async settings(appId: string, db: Db = this.storage.db): Promise<WebhookSettings | undefined> {
    const { rows } = await findSettings(db, { appId });
    return rows[0] && toSettings(rows[0]);
  }

  async saveSettings(settings: WebhookSettings, now = Date.now()): Promise<void> {
    const values = {
      url: settings.url,
      base_url: settings.baseUrl,
      secret: settings.secret,
      previous_secret: settings.previousSecret,
      previous_until: settings.previousUntil,
      updated_at: now,
    };
    await this.storage.db
      .insertInto('webhook_settings')
      .values({ app_id: settings.appId, ...values })
      .onConflict((oc) => oc.column('app_id').doUpdateSet(values))
      .execute();
  }

  async enqueue(
    delivery: Pick<Delivery, 'id' | 'appId' | 'roomId' | 'event' | 'url' | 'payload'>,
    now: number,
    db: Db,
  ): Promise<void> {
    await db
      .insertInto('webhook_deliveries')
      .values({
        id: delivery.id,
        app_id: delivery.appId,
        room_id: delivery.roomId,
        event: delivery.event,
        url: delivery.url,
        payload: delivery.payload,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        locked_until: 0,
        last_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async due(now: number, limit: number): Promise<Delivery[]> {
    return (await dueRows(this.storage.db, 'webhook_deliveries', now, limit)).map(toDelivery);
  }

  /** Takes a delivery for one attempt if nobody took it since it was read: exactly one node sends it. */
  claim(id: string, seenLock: number, until: number): Promise<boolean> {
    return claimLease(this.storage.db, 'webhook_deliveries', id, seenLock, until);
  }

  async record(
    id: string,
    outcome: {
      status: Delivery['status'];
      attempts: number;
      nextAttemptAt: number;
      lastStatus: number | null;
      lastError: string | null;
    },
    now = Date.now(),
  ): Promise<void> {
    await this.storage.db
      .updateTable('webhook_deliveries')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        locked_until: 0,
        last_status: outcome.lastStatus,
        last_error: outcome.lastError,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async find(appId: string, id: string): Promise<Delivery | undefined> {
    const row = await this.storage.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toDelivery(row);
  }

  async list(
    appId: string,
    options: { status?: string; skip: number; limit: number },
  ): Promise<{ totalCount: number; data: Delivery[] }> {
    const page = await pageOfRows(this.storage.db, 'webhook_deliveries', appId, options);
    return { totalCount: page.totalCount, data: page.rows.map(toDelivery) };
  }

  /** Queue depth and dead letters, for monitoring. */
  counts(appId?: string): Promise<Record<string, number>> {
    return countByStatus(this.storage.db, 'webhook_deliveries', appId);
  }
}

import type { Storage } from '../../storage/database.js';

export type DeliveryStatus = 'sent' | 'dead' | 'retry' | 'failed';

export interface DeliveryRecord {
  pushId: string;
  /** sha256 of the target (see targetKey) */
  target: string;
  appId: string;
  provider: string;
  userId: string | null;
  deviceType: string | null;
  tokenTail: string | null;
  status: DeliveryStatus;
  attempts: number;
  detail: string | null;
  updatedAt: number;
}

/** Each notification's delivery to each device or external service: what the platform answered. */
export class PushDeliveriesRepository {
  constructor(private readonly storage: Storage) {}

  async record(delivery: Omit<DeliveryRecord, 'updatedAt'>, now = Date.now()): Promise<void> {
    const values = {
      status: delivery.status,
      attempts: delivery.attempts,
      detail: delivery.detail,
      user_id: delivery.userId,
      updated_at: now,
    };
    await this.storage.db
      .insertInto('push_deliveries')
      .values({
        push_id: delivery.pushId,
        target: delivery.target,
        app_id: delivery.appId,
        provider: delivery.provider,
        device_type: delivery.deviceType,
        token_tail: delivery.tokenTail,
        created_at: now,
        ...values,
      })
      .onConflict((oc) => oc.columns(['push_id', 'target']).doUpdateSet(values))
      .execute();
  }

  async of(pushIds: readonly string[]): Promise<DeliveryRecord[]> {
    if (pushIds.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('push_deliveries')
      .selectAll()
      .where(this.storage.dialect.inList('push_id', pushIds))
      .orderBy('created_at')
      .orderBy('target')
      .execute();
    return rows.map((row) => ({
      pushId: row.push_id,
      target: row.target,
      appId: row.app_id,
      provider: row.provider,
      userId: row.user_id,
      deviceType: row.device_type,
      tokenTail: row.token_tail,
      status: row.status as DeliveryStatus,
      attempts: row.attempts,
      detail: row.detail,
      updatedAt: Number(row.updated_at),
    }));
  }
}

import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { PushDevicesTable } from '../../storage/schema/tables.js';

export interface PushDevice {
  type: string;
  token: string;
  userId: string;
  deviceId: string | null;
  createdAt: number;
  updatedAt: number;
}

const toDevice = (row: Selectable<PushDevicesTable>): PushDevice => ({
  type: row.type,
  token: row.token,
  userId: row.user_id,
  deviceId: row.device_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Push device registrations: where a user's notifications go (spec 10.2, 12 item 69). */
export class DevicesRepository {
  constructor(private readonly storage: Storage) {}

  /**
   * Registers a device token for a user; a token registered before by someone else moves to them, and
   * the user's earlier token of this type on this device ID is replaced ([hist] 3.3: push tokens rotate).
   */
  async subscribe(
    appId: string,
    userId: string,
    device: { type: string; token: string; deviceId: string | null },
    now = Date.now(),
  ): Promise<void> {
    await this.storage.db.transaction().execute(async (tx) => {
      if (device.deviceId !== null)
        await tx
          .deleteFrom('push_devices')
          .where('app_id', '=', appId)
          .where('user_id', '=', userId)
          .where('type', '=', device.type)
          .where('device_id', '=', device.deviceId)
          .where('token', '!=', device.token)
          .execute();
      await tx
        .insertInto('push_devices')
        .values({
          app_id: appId,
          type: device.type,
          token: device.token,
          user_id: userId,
          device_id: device.deviceId,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['app_id', 'type', 'token'])
            .doUpdateSet({ user_id: userId, device_id: device.deviceId, updated_at: now }),
        )
        .execute();
    });
  }

  /** Removes a user's registrations of a type, by device id, else by token (all of that type when neither is given). */
  async unsubscribe(
    appId: string,
    userId: string,
    filter: { type: string; token?: string; deviceId?: string },
  ): Promise<number> {
    let query = this.storage.db
      .deleteFrom('push_devices')
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('type', '=', filter.type);
    // [hist] 3.3: by device ID, else by token.
    if (filter.deviceId !== undefined) query = query.where('device_id', '=', filter.deviceId);
    else if (filter.token !== undefined) query = query.where('token', '=', filter.token);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  /** Removes a user's registrations bound to `deviceId`, or (`others`) all but those. */
  async forgetDevices(appId: string, userId: string, deviceId: string, which: 'this' | 'others'): Promise<number> {
    let query = this.storage.db.deleteFrom('push_devices').where('app_id', '=', appId).where('user_id', '=', userId);
    query =
      which === 'this'
        ? query.where('device_id', '=', deviceId)
        : query.where((eb) => eb.or([eb('device_id', 'is', null), eb('device_id', '!=', deviceId)]));
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async anyDevice(appId: string): Promise<boolean> {
    const row = await this.storage.db
      .selectFrom('push_devices')
      .select('user_id')
      .where('app_id', '=', appId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Which of these users have a device registered: one lookup of the (app, user) index. */
  async usersWithDevices(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.storage.db
      .selectFrom('push_devices')
      .select('user_id')
      .distinct()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('user_id', userIds))
      .execute();
    return new Set(rows.map((row) => row.user_id));
  }

  async forUsers(appId: string, userIds: readonly string[]): Promise<PushDevice[]> {
    if (userIds.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('push_devices')
      .selectAll()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('user_id', userIds))
      .execute();
    return rows.map(toDevice);
  }

  /** The registrations of these tokens of one type (`POST /push/push2tokens`: whose they are). */
  async forTokens(appId: string, type: string, tokens: readonly string[]): Promise<PushDevice[]> {
    if (tokens.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('push_devices')
      .selectAll()
      .where('app_id', '=', appId)
      .where('type', '=', type)
      .where(this.storage.dialect.inList('token', tokens))
      .execute();
    return rows.map(toDevice);
  }

  /** Removes a registration the platform says is gone. */
  async forgetToken(appId: string, type: string, token: string): Promise<number> {
    const result = await this.storage.db
      .deleteFrom('push_devices')
      .where('app_id', '=', appId)
      .where('type', '=', type)
      .where('token', '=', token)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

import type { Storage } from '../../storage/database.js';

export interface UserPref {
  key: string;
  data: unknown;
}

/** Personal preferences of a user (`/me/pref`), one JSON value per key. */
export class PrefsRepository {
  constructor(private readonly storage: Storage) {}

  async list(appId: string, userId: string): Promise<UserPref[]> {
    const rows = await this.storage.db
      .selectFrom('user_prefs')
      .select(['key', 'data'])
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .orderBy('key')
      .execute();
    return rows.map((row) => ({ key: row.key, data: JSON.parse(row.data) as unknown }));
  }

  async find(appId: string, userId: string, key: string): Promise<UserPref | undefined> {
    const row = await this.storage.db
      .selectFrom('user_prefs')
      .select(['key', 'data'])
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && { key: row.key, data: JSON.parse(row.data) as unknown };
  }

  async set(appId: string, userId: string, key: string, data: unknown, now = Date.now()): Promise<void> {
    const text = JSON.stringify(data);
    await this.storage.db
      .insertInto('user_prefs')
      .values({ app_id: appId, user_id: userId, key, data: text, updated_at: now })
      .onConflict((oc) => oc.columns(['app_id', 'user_id', 'key']).doUpdateSet({ data: text, updated_at: now }))
      .execute();
  }

  async delete(appId: string, userId: string, key: string): Promise<boolean> {
    const result = await this.storage.db
      .deleteFrom('user_prefs')
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

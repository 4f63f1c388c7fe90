import type { Storage } from '../../storage/database.js';

/** The runtime configuration of each application: one row per top-level key, its value as JSON text. */
export class ConfigRepository {
  constructor(private readonly storage: Storage) {}

  /** Every key of the app's configuration with its parsed value, by key. */
  async load(appId: string): Promise<Record<string, unknown>> {
    const rows = await this.storage.db
      .selectFrom('app_config')
      .select(['key', 'value'])
      .where('app_id', '=', appId)
      .orderBy('key')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  /** Replaces each key given (all or none). */
  async set(appId: string, entries: [string, unknown][], now: number): Promise<void> {
    await this.storage.db.transaction().execute(async (tx) => {
      for (const [key, value] of entries) {
        const text = JSON.stringify(value ?? null);
        await tx
          .insertInto('app_config')
          .values({ app_id: appId, key, value: text, updated_at: now })
          .onConflict((oc) => oc.columns(['app_id', 'key']).doUpdateSet({ value: text, updated_at: now }))
          .execute();
      }
    });
  }

  async remove(appId: string, key: string): Promise<'removed' | 'missing'> {
    const result = await this.storage.db
      .deleteFrom('app_config')
      .where('app_id', '=', appId)
      .where('key', '=', key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 0 ? 'missing' : 'removed';
  }
}

import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { AppsTable } from '../../storage/schema/tables.js';
import type { App, AppSettings } from '../../core/principal.js';

export const DEFAULT_APP_SETTINGS: AppSettings = {
  singleTokenPerUser: false,
  defaultGroupOpening: 1,
  defaultHistoryVisibility: 'shared',
  defaultInvitationRequired: false,
};

const toApp = (row: Selectable<AppsTable>): App => ({
  id: row.id,
  name: row.name,
  clientKey: row.client_key,
  clientKeyCreatedAt: row.client_key_created_at,
  tokenSecret: row.token_secret,
  settings: { ...DEFAULT_APP_SETTINGS, ...(JSON.parse(row.settings) as Partial<AppSettings>) },
  isDefault: row.is_default === 1,
  createdAt: row.created_at,
});

export class AppsRepository {
  constructor(private readonly storage: Storage) {}

  async insert(app: App): Promise<void> {
    await this.storage.db
      .insertInto('apps')
      .values({
        id: app.id,
        name: app.name,
        client_key: app.clientKey,
        client_key_created_at: app.clientKeyCreatedAt,
        token_secret: app.tokenSecret,
        settings: JSON.stringify(app.settings),
        is_default: app.isDefault ? 1 : 0,
        created_at: app.createdAt,
      })
      .execute();
  }

  async findById(id: string): Promise<App | undefined> {
    const row = await this.storage.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApp(row);
  }

  async findByClientKey(clientKey: string): Promise<App | undefined> {
    const row = await this.storage.db
      .selectFrom('apps')
      .selectAll()
      .where('client_key', '=', clientKey)
      .executeTakeFirst();
    return row && toApp(row);
  }

  async findDefault(): Promise<App | undefined> {
    const row = await this.storage.db
      .selectFrom('apps')
      .selectAll()
      .orderBy('is_default', 'desc')
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return row && toApp(row);
  }

  async list(): Promise<App[]> {
    const rows = await this.storage.db.selectFrom('apps').selectAll().orderBy('created_at').execute();
    return rows.map(toApp);
  }

  async update(
    id: string,
    patch: Partial<Pick<App, 'name' | 'clientKey' | 'clientKeyCreatedAt' | 'settings'>>,
  ): Promise<void> {
    const values: Partial<AppsTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.clientKey !== undefined) values.client_key = patch.clientKey;
    if (patch.clientKeyCreatedAt !== undefined) values.client_key_created_at = patch.clientKeyCreatedAt;
    if (patch.settings !== undefined) values.settings = JSON.stringify(patch.settings);
    if (Object.keys(values).length === 0) return;
    await this.storage.db.updateTable('apps').set(values).where('id', '=', id).execute();
  }
}

import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { ApiKeysTable } from '../../storage/schema.js';
import type { ApiKey } from '../../core/principal.js';

export interface NewApiKey extends Omit<ApiKey, 'lastUsedAt' | 'lastUsedIp' | 'rolledTo' | 'revokedAt'> {
  keyHash: string;
}

export type ApiKeyPatch = Partial<
  Pick<ApiKey, 'name' | 'scopes' | 'allowedIps' | 'rateLimit' | 'expiresAt' | 'revokedAt' | 'rolledTo'>
>;

const toApiKey = (row: Selectable<ApiKeysTable>): ApiKey => ({
  id: row.id,
  appId: row.app_id,
  name: row.name,
  last4: row.last4,
  scopes: JSON.parse(row.scopes) as string[],
  allowedIps: row.allowed_ips === null ? null : (JSON.parse(row.allowed_ips) as string[]),
  rateLimit: row.rate_limit,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  createdAt: row.created_at,
  createdBy: row.created_by,
  lastUsedAt: row.last_used_at,
  lastUsedIp: row.last_used_ip,
  rolledFrom: row.rolled_from,
  rolledTo: row.rolled_to,
  origin: row.origin === 'imported' ? 'imported' : 'generated',
});

export class KeysRepository {
  constructor(private readonly storage: Storage) {}

  async insert(key: NewApiKey): Promise<ApiKey> {
    await this.storage.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        app_id: key.appId,
        name: key.name,
        key_hash: key.keyHash,
        last4: key.last4,
        scopes: JSON.stringify(key.scopes),
        allowed_ips: key.allowedIps === null ? null : JSON.stringify(key.allowedIps),
        rate_limit: key.rateLimit,
        expires_at: key.expiresAt,
        revoked_at: null,
        created_at: key.createdAt,
        created_by: key.createdBy,
        last_used_at: null,
        last_used_ip: null,
        rolled_from: key.rolledFrom,
        rolled_to: null,
        origin: key.origin,
      })
      .execute();
    return { ...key, lastUsedAt: null, lastUsedIp: null, rolledTo: null, revokedAt: null };
  }

  async findByHash(keyHash: string): Promise<ApiKey | undefined> {
    const row = await this.storage.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  async findById(appId: string, id: string): Promise<ApiKey | undefined> {
    const row = await this.inApp(appId).where('id', '=', id).executeTakeFirst();
    return row && toApiKey(row);
  }

  /** A key by id in whichever application holds it (operator tools only). */
  async findByIdInAnyApp(id: string): Promise<ApiKey | undefined> {
    const row = await this.storage.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApiKey(row);
  }

  async list(appId: string, options: { includeRevoked: boolean }): Promise<ApiKey[]> {
    let query = this.inApp(appId);
    if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toApiKey);
  }

  /** The app's keys. */
  private inApp(appId: string) {
    return this.storage.db.selectFrom('api_keys').selectAll().where('app_id', '=', appId);
  }

  async update(appId: string, id: string, patch: ApiKeyPatch): Promise<void> {
    const values: Partial<ApiKeysTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
    if (patch.allowedIps !== undefined)
      values.allowed_ips = patch.allowedIps === null ? null : JSON.stringify(patch.allowedIps);
    if (patch.rateLimit !== undefined) values.rate_limit = patch.rateLimit;
    if (patch.expiresAt !== undefined) values.expires_at = patch.expiresAt;
    if (patch.revokedAt !== undefined) values.revoked_at = patch.revokedAt;
    if (patch.rolledTo !== undefined) values.rolled_to = patch.rolledTo;
    if (Object.keys(values).length === 0) return;
    await this.storage.db
      .updateTable('api_keys')
      .set(values)
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async recordUse(id: string, at: number, ip: string): Promise<void> {
    await this.storage.db
      .updateTable('api_keys')
      .set({ last_used_at: at, last_used_ip: ip })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
      .execute();
  }
}

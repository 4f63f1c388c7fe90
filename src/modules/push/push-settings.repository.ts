import type { Storage } from '../../storage/database.js';

export type PlatformName = 'fcm' | 'apns' | 'webpush';

export interface StoredCredential {
  provider: PlatformName;
  /** As stored: sealed or marked plain (SecretBox). */
  secret: string;
  summary: Record<string, unknown>;
  updatedAt: number;
}

export interface PushSettings {
  constantBadge: number | null;
  soundAndroid: string | null;
  soundIos: string | null;
  externalPushUrl: string | null;
  genericPushUrl: string | null;
}

export const DEFAULT_PUSH_SETTINGS: PushSettings = {
  constantBadge: null,
  soundAndroid: null,
  soundIos: null,
  externalPushUrl: null,
  genericPushUrl: null,
};

/** An application's push platform credentials and push settings. */
export class PushSettingsRepository {
  constructor(private readonly storage: Storage) {}

  async credentials(appId: string): Promise<StoredCredential[]> {
    const rows = await this.storage.db.selectFrom('push_credentials').selectAll().where('app_id', '=', appId).execute();
    return rows.map((row) => ({
      provider: row.provider as PlatformName,
      secret: row.secret,
      summary: JSON.parse(row.summary) as Record<string, unknown>,
      updatedAt: Number(row.updated_at),
    }));
  }

  async saveCredential(
    appId: string,
    credential: Omit<StoredCredential, 'updatedAt'>,
    now = Date.now(),
  ): Promise<void> {
    const values = { secret: credential.secret, summary: JSON.stringify(credential.summary), updated_at: now };
    await this.storage.db
      .insertInto('push_credentials')
      .values({ app_id: appId, provider: credential.provider, created_at: now, ...values })
      .onConflict((oc) => oc.columns(['app_id', 'provider']).doUpdateSet(values))
      .execute();
  }

  async removeCredential(appId: string, provider: PlatformName): Promise<boolean> {
    const result = await this.storage.db
      .deleteFrom('push_credentials')
      .where('app_id', '=', appId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async settings(appId: string): Promise<PushSettings> {
    const row = await this.storage.db
      .selectFrom('push_settings')
      .selectAll()
      .where('app_id', '=', appId)
      .executeTakeFirst();
    if (!row) return DEFAULT_PUSH_SETTINGS;
    return {
      constantBadge: row.constant_badge,
      soundAndroid: row.sound_android,
      soundIos: row.sound_ios,
      externalPushUrl: row.external_push_url,
      genericPushUrl: row.generic_push_url,
    };
  }

  async saveSettings(appId: string, settings: PushSettings, now = Date.now()): Promise<void> {
    const values = {
      constant_badge: settings.constantBadge,
      sound_android: settings.soundAndroid,
      sound_ios: settings.soundIos,
      external_push_url: settings.externalPushUrl,
      generic_push_url: settings.genericPushUrl,
      updated_at: now,
    };
    await this.storage.db
      .insertInto('push_settings')
      .values({ app_id: appId, ...values })
      .onConflict((oc) => oc.column('app_id').doUpdateSet(values))
      .execute();
  }
}

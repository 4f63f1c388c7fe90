import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import { BlockedDestination, checkDestination } from '../../outbound/index.js';
import { PerAppCache } from '../../events/per-app-cache.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { PlatformName, PushSettings, PushSettingsRepository } from './push-settings.repository.js';

/** How one platform's credentials are checked and shown. */
export interface PlatformCredentialKind {
  /** Checks what an operator sent; throws an Error whose message (never holding a secret) is the 400's. */
  parse(input: unknown): unknown;
  /** What may be shown of parsed credentials: ids, never a key. */
  summary(credentials: unknown): Record<string, unknown>;
}

/** An app's credentials, opened, with when each last changed (a sender is rebuilt when it does). */
export interface OpenedCredential {
  value: unknown;
  updatedAt: number;
}

export interface DeliverySetup {
  settings: PushSettings;
  credentials: Partial<Record<PlatformName, OpenedCredential>>;
  /** Credentials that could not be opened (sealed with another SECRETS_KEY): why. */
  unusable: Partial<Record<PlatformName, string>>;
}

const MAX_SOUND = 64;

/**
 * An application's push platforms (FCM, APNs, Web Push) and how its pushes are shaped (issue 15,
 * history 11.4-11.5). Credentials are sealed before they are stored and never shown again.
 */
export class PushSettingsService {
  private readonly setups: PerAppCache<DeliverySetup>;

  constructor(
    private readonly deps: {
      repository: PushSettingsRepository;
      box: SecretBox;
      bus: EventBus;
      platforms: Record<PlatformName, PlatformCredentialKind>;
      /** Whether external push services may be on private addresses (PARLEY_WEBHOOK_ALLOW_PRIVATE). */
      allowPrivate: boolean;
    },
  ) {
    this.setups = new PerAppCache(deps.bus, ['push.settingsChanged']);
  }

  /** What an operator sees: per platform its summary (or null), and the settings. */
  async view(appId: string) {
    const stored = await this.deps.repository.credentials(appId);
    const platforms = Object.fromEntries(
      (['fcm', 'apns', 'webpush'] as const).map((name) => {
        const credential = stored.find((entry) => entry.provider === name);
        return [
          name,
          credential ? { ...credential.summary, updatedAt: new Date(credential.updatedAt).toISOString() } : null,
        ];
      }),
    ) as Record<PlatformName, Record<string, unknown> | null>;
    return { ...platforms, settings: await this.deps.repository.settings(appId), sealed: this.deps.box.sealing };
  }

  async setCredential(appId: string, provider: PlatformName, input: unknown): Promise<Record<string, unknown>> {
    const kind = this.deps.platforms[provider];
    let parsed: unknown;
    try {
      parsed = kind.parse(input);
    } catch (error) {
      throw new AppError('INVALID_REQUEST', `${provider} credentials: ${(error as Error).message}`);
    }
    const summary = kind.summary(parsed);
    await this.deps.repository.saveCredential(appId, {
      provider,
      secret: this.deps.box.seal(JSON.stringify(parsed)),
      summary,
    });
    this.deps.bus.publish('push.settingsChanged', { appId });
    return summary;
  }

  async removeCredential(appId: string, provider: PlatformName): Promise<void> {
    if (!(await this.deps.repository.removeCredential(appId, provider)))
      throw new AppError('NOT_FOUND', `No ${provider} credentials are set`);
    this.deps.bus.publish('push.settingsChanged', { appId });
  }

  async updateSettings(appId: string, patch: Partial<PushSettings>): Promise<PushSettings> {
    const settings = { ...(await this.deps.repository.settings(appId)), ...patch };
    const { constantBadge, soundAndroid, soundIos, externalPushUrl, genericPushUrl } = settings;
    if (constantBadge !== null && !(Number.isInteger(constantBadge) && constantBadge >= 0 && constantBadge <= 99_999))
      throw new AppError('INVALID_REQUEST', 'constantBadge must be a whole number from 0 to 99999, or null');
    for (const sound of [soundAndroid, soundIos])
      if (sound !== null && !/^[\w.-]{1,64}$/.test(sound))
        throw new AppError(
          'INVALID_REQUEST',
          `A sound must be a file name of 1 to ${MAX_SOUND} letters, digits, "_", "-" or "."`,
        );
    for (const [name, url] of [
      ['externalPushUrl', externalPushUrl],
      ['genericPushUrl', genericPushUrl],
    ] as const)
      if (url !== null) await this.checkUrl(name, url);
    await this.deps.repository.saveSettings(appId, settings);
    this.deps.bus.publish('push.settingsChanged', { appId });
    return settings;
  }

  /** An external push service's URL: http(s), and not an internal address unless they are allowed (as webhooks). */
  private async checkUrl(name: string, url: string): Promise<void> {
    if (url.length > 2048) throw new AppError('INVALID_REQUEST', `${name} is longer than 2048 characters`);
    try {
      await checkDestination(url, this.deps.allowPrivate);
    } catch (error) {
      if (error instanceof BlockedDestination) throw new AppError('INVALID_REQUEST', `${name}: ${error.message}`);
      throw error;
    }
  }

  /** What the dispatcher needs, opened, kept per app until it changes on any node. */
  forDelivery(appId: string): Promise<DeliverySetup> {
    return this.setups.get(appId, async () => {
      const setup: DeliverySetup = {
        settings: await this.deps.repository.settings(appId),
        credentials: {},
        unusable: {},
      };
      for (const credential of await this.deps.repository.credentials(appId)) {
        try {
          setup.credentials[credential.provider] = {
            value: JSON.parse(this.deps.box.open(credential.secret)),
            updatedAt: credential.updatedAt,
          };
        } catch (error) {
          setup.unusable[credential.provider] = (error as Error).message;
        }
      }
      return setup;
    });
  }
}

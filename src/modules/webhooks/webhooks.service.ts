import type { WebhookConfig } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import { BlockedDestination, checkDestination, newWebhookSecret } from '../../outbound/index.js';
import type { EventBus } from '../../events/event-bus.js';
import type { Delivery, WebhookSettings, WebhooksRepository } from './webhooks.repository.js';

const DEFAULT_GRACE_S = 24 * 3600;

/** An application's settings as an admin sees them: the secret's last characters, and the queue. */
export interface SettingsOverview {
  settings: WebhookSettings;
  previousUntil: number | null;
  deliveries: Record<string, number>;
}

/**
 * Webhook settings (spec 11.1), the signing secret and its rotation, the delivery log and
 * redelivery (issue 5). The outbox writes deliveries and the dispatcher sends them.
 */
export class WebhooksService {
  private readonly repository: WebhooksRepository;
  private readonly config: WebhookConfig;
  private readonly bus: EventBus;

  constructor(deps: { repository: WebhooksRepository; config: WebhookConfig; bus: EventBus }) {
    this.repository = deps.repository;
    this.config = deps.config;
    this.bus = deps.bus;
  }

  /** Every write of the settings goes through here: nodes that cached them drop them. */
  private async save(settings: WebhookSettings): Promise<void> {
    await this.repository.saveSettings(settings);
    this.bus.publish('webhook.settingsChanged', { appId: settings.appId });
  }

  /** The settings of an application, created with a first secret when it has none. */
  async settings(appId: string): Promise<WebhookSettings> {
    const found = await this.repository.settings(appId);
    if (found) return found;
    const created: WebhookSettings = {
      appId,
      url: null,
      baseUrl: null,
      secret: newWebhookSecret(),
      previousSecret: null,
      previousUntil: null,
    };
    await this.save(created);
    return (await this.repository.settings(appId)) ?? created;
  }

  /** The secrets deliveries are signed with now: the current one, and the previous during its grace period. */
  signingSecrets(settings: WebhookSettings, now = Date.now()): string[] {
    const previous = this.previousValid(settings, now) ? settings.previousSecret : null;
    return previous ? [settings.secret, previous] : [settings.secret];
  }

  async overview(appId: string): Promise<SettingsOverview> {
    return this.overviewOf(await this.settings(appId));
  }

  /** Sets the app-wide URL and the base URL room keys resolve against; `''` or null clears one. */
  async update(appId: string, change: { url?: string | null; baseUrl?: string | null }): Promise<SettingsOverview> {
    await this.checkUrl(change.url, 'url');
    await this.checkUrl(change.baseUrl, 'baseUrl');
    const next = { ...(await this.settings(appId)) };
    if (change.url !== undefined) next.url = change.url || null;
    if (change.baseUrl !== undefined) next.baseUrl = change.baseUrl || null;
    await this.save(next);
    return this.overviewOf(next);
  }

  /** A new secret; the previous one keeps signing alongside for the grace period. */
  async rotateSecret(
    appId: string,
    graceSeconds = DEFAULT_GRACE_S,
  ): Promise<{ secret: string; previousUntil: number | null }> {
    const current = await this.settings(appId);
    const until = graceSeconds > 0 ? Date.now() + graceSeconds * 1000 : null;
    const secret = newWebhookSecret();
    await this.save({
      ...current,
      secret,
      previousSecret: until ? current.secret : null,
      previousUntil: until,
    });
    return { secret, previousUntil: until };
  }

  deliveries(appId: string, options: { status?: string; skip: number; limit: number }) {
    return this.repository.list(appId, options);
  }

  async delivery(appId: string, id: string): Promise<Delivery> {
    const delivery = await this.repository.find(appId, id);
    if (!delivery) throw new AppError('NOT_FOUND', 'No such delivery');
    return delivery;
  }

  /** Sends a delivery again, with a fresh budget of attempts. */
  async redeliver(appId: string, id: string): Promise<Delivery> {
    const delivery = await this.delivery(appId, id);
    await this.repository.record(delivery.id, {
      status: 'pending',
      attempts: 0,
      nextAttemptAt: Date.now(),
      lastStatus: delivery.lastStatus,
      lastError: delivery.lastError,
    });
    return this.delivery(appId, id);
  }

  /** Queue depth and dead letters (of one application, or all), for monitoring. */
  deliveryCounts(appId?: string): Promise<Record<string, number>> {
    return this.repository.counts(appId);
  }

  private previousValid(settings: WebhookSettings, now: number): boolean {
    return Boolean(settings.previousSecret) && (settings.previousUntil ?? 0) > now;
  }

  private async overviewOf(settings: WebhookSettings): Promise<SettingsOverview> {
    return {
      settings,
      previousUntil: this.previousValid(settings, Date.now()) ? settings.previousUntil : null,
      deliveries: await this.repository.counts(settings.appId),
    };
  }

  private async checkUrl(value: string | null | undefined, name: string): Promise<void> {
    if (value === null || value === undefined || value === '') return;
    try {
      await checkDestination(value, this.config.allowPrivate);
    } catch (error) {
      if (error instanceof BlockedDestination) throw new AppError('INVALID_REQUEST', `${name}: ${error.message}`);
      throw error;
    }
  }
}

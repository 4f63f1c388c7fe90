import type { EventBus } from '../../events/event-bus.js';
import { PerAppCache } from '../../events/per-app-cache.js';
import type { Db } from '../../storage/transaction.js';
import type { WebhookSettings, WebhooksRepository } from './webhooks.repository.js';

/** The webhook settings every message reads (is anyone listening?), kept per app until they change on any node. */
export class WebhookSettingsCache {
  private readonly entries: PerAppCache<WebhookSettings | undefined>;

  constructor(private readonly deps: { repository: WebhooksRepository; bus: EventBus }) {
    this.entries = new PerAppCache(deps.bus, ['webhook.settingsChanged']);
  }

  get(appId: string, db?: Db): Promise<WebhookSettings | undefined> {
    return this.entries.get(appId, () => this.deps.repository.settings(appId, db));
  }
}

/** The public surface of the webhooks module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { WebhookConfig } from '../../config/config.js';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { type BotReplies, WebhookDispatcher } from './webhook-dispatcher.js';
import { DeliveryOutbox, type WebhookQueue } from './webhook-queue.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { webhooksRoutes } from './webhooks.routes.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhookSettingsCache } from './settings-cache.js';

export type { BotReplies, WebhookDispatcher } from './webhook-dispatcher.js';
export type { RoomWebhookEvent, WebhookEvent, WebhookQueue } from './webhook-queue.js';
export type { WebhooksService } from './webhooks.service.js';

export interface WebhooksModuleDeps {
  storage: Storage;
  bus: EventBus;
  config: WebhookConfig;
  /** Bot replies in a receiver's answer (spec 11.3): the chat module's `MessagesService.applyBotReply`. */
  replies: BotReplies;
  onError: (error: unknown) => void;
}

export interface WebhooksModule {
  /** Settings, secrets, the delivery log and redelivery. */
  webhooks: WebhooksService;
  /** Where the chat module writes room events, inside its transactions. */
  queue: WebhookQueue;
  /** Sends the queue in the background: `start()` / `stop()`. */
  dispatcher: WebhookDispatcher;
  routes: FastifyPluginAsync;
}

export function createWebhooksModule(deps: WebhooksModuleDeps): WebhooksModule {
  const repository = new WebhooksRepository(deps.storage);
  const webhooks = new WebhooksService({ repository, config: deps.config, bus: deps.bus });
  const dispatcher = new WebhookDispatcher({
    repository,
    config: deps.config,
    replies: deps.replies,
    secrets: webhooks,
    onError: deps.onError,
  });
  return {
    webhooks,
    queue: new DeliveryOutbox({ repository, settings: new WebhookSettingsCache({ repository, bus: deps.bus }) }),
    dispatcher,
    routes: bindRoutes(webhooksRoutes, { webhooks }),
  };
}

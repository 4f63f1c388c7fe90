/** The public surface of the push module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { PushConfig } from '../../config/config.js';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes, routeGroup } from '../../http/bind-routes.js';
import { SecretBox } from '../../shared/secret-box.js';
import type { DeviceDirectory } from '../devices/index.js';
import type { UserDirectory } from '../users/index.js';
import { ExternalPushClient } from './external-push.js';
import { parseWebSubscription } from './delivery/web-push-sender.js';
import { platformSenders } from './platforms.js';
import { PushDeliveriesRepository } from './push-deliveries.repository.js';
import { isWebPushSubscription, PushDispatcher, type UnreadCounter } from './push-dispatcher.js';
import { HttpPushProvider, LogPushProvider, type PushProvider } from './push-provider.js';
import { PushSenders } from './push-senders.js';
import { PushSettingsRepository } from './push-settings.repository.js';
import { PushSettingsService } from './push-settings.service.js';
import { PushRepository } from './push.repository.js';
import { pushRoutes } from './push.routes.js';
import { pushSettingsRoutes } from './push-settings.routes.js';
import { type RoomFacts, PushService } from './push.service.js';

export type { OutgoingPush, PushProvider } from './push-provider.js';
export type { DeliveryTotals, PushService, RoomFacts } from './push.service.js';
export type { UnreadCounter } from './push-dispatcher.js';

export interface PushModuleDeps {
  storage: Storage;
  bus: EventBus;
  devices: DeviceDirectory;
  users: Pick<UserDirectory, 'findMany' | 'groupsAmong' | 'anyGroup'>;
  /** What the chat tells of a room and of a receiver's unread messages. */
  chat: RoomFacts & UnreadCounter;
  /** The server-wide provider (PUSH_PROVIDER): for devices of platforms an app has no credentials for. */
  provider: PushProvider;
  config: PushConfig;
  /** How outbound requests go (SSRF guard, timeout): external push services and Web Push endpoints. */
  outbound: { allowPrivate: boolean; timeoutMs: number };
  /** The app's webhook signing secrets: external push services' requests are signed like webhooks. */
  secretsOf: (appId: string) => Promise<string[]>;
  /** PUSH_CA_FILE's certificates, read at start. */
  ca?: string;
  onError: (error: unknown) => void;
}

export interface PushModule {
  push: PushService;
  settings: PushSettingsService;
  routes: FastifyPluginAsync;
}

export function createPushModule(deps: PushModuleDeps): PushModule {
  const platforms = platformSenders({ config: deps.config, outbound: deps.outbound, ca: deps.ca });
  const settings = new PushSettingsService({
    repository: new PushSettingsRepository(deps.storage),
    box: new SecretBox(deps.config.secretsKey),
    bus: deps.bus,
    platforms: platforms.kinds,
    allowPrivate: deps.outbound.allowPrivate,
  });
  const senders = new PushSenders(platforms.create);
  const deliveries = new PushDeliveriesRepository(deps.storage);
  let push: PushService | undefined;
  const dispatcher = new PushDispatcher({
    devices: deps.devices,
    settings,
    senders,
    deliveries,
    unread: deps.chat,
    fallback: deps.provider,
    external: new ExternalPushClient(deps.secretsOf, deps.outbound),
    counted: (provider, status) => push?.countDelivery(provider, status),
  });
  push = new PushService({
    repository: new PushRepository(deps.storage),
    devices: deps.devices,
    users: deps.users,
    dispatcher,
    senders,
    rooms: deps.chat,
    externalServices: async (appId) => {
      const { settings: current } = await settings.forDelivery(appId);
      return current.externalPushUrl !== null || current.genericPushUrl !== null;
    },
    bus: deps.bus,
    onError: deps.onError,
  });
  return {
    push,
    settings,
    routes: routeGroup(bindRoutes(pushRoutes, { push, deliveries }), bindRoutes(pushSettingsRoutes, { settings })),
  };
}

/**
 * Why a device token can never be delivered to, checked when it is registered: a `web` token given as
 * JSON must be a Web Push subscription (any other `web` token is an FCM token, as IMKIT's web SDK sends).
 */
export function deviceTokenProblem(allowPrivate: boolean) {
  return (type: string, token: string): string | undefined => {
    if (type !== 'web' || !isWebPushSubscription(token)) return undefined;
    try {
      parseWebSubscription(token, { allowPrivate });
      return undefined;
    } catch (error) {
      return `A web token given as JSON must be the browser's PushSubscription: ${(error as Error).message}`;
    }
  };
}

/**
 * The configured provider (PUSH_PROVIDER): logged, or forwarded over HTTP signed like webhooks with
 * the application's current webhook secret (`secretsOf`).
 */
export function createPushProvider(deps: {
  config: PushConfig;
  outbound: { allowPrivate: boolean; timeoutMs: number };
  secretsOf: (appId: string) => Promise<string[]>;
  logger: Logger;
}): PushProvider {
  if (deps.config.provider === 'http' && deps.config.httpUrl)
    return new HttpPushProvider(deps.config.httpUrl, deps.secretsOf, deps.outbound);
  return new LogPushProvider(deps.logger);
}

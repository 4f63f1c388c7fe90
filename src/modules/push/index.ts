/** The public surface of the push module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { PushConfig } from '../../config/config.js';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import type { DeviceDirectory } from '../devices/index.js';
import type { UserDirectory } from '../users/index.js';
import { HttpPushProvider, LogPushProvider, type PushProvider } from './push-provider.js';
import { PushRepository } from './push.repository.js';
import { pushRoutes } from './push.routes.js';
import { PushService } from './push.service.js';

export type { OutgoingPush, PushProvider } from './push-provider.js';
export type { PushService } from './push.service.js';

export interface PushModuleDeps {
  storage: Storage;
  bus: EventBus;
  devices: DeviceDirectory;
  users: Pick<UserDirectory, 'findMany' | 'groupsAmong' | 'anyGroup'>;
  provider: PushProvider;
  onError: (error: unknown) => void;
}

export interface PushModule {
  push: PushService;
  routes: FastifyPluginAsync;
}

export function createPushModule(deps: PushModuleDeps): PushModule {
  const push = new PushService({ repository: new PushRepository(deps.storage), ...deps });
  return {
    push,
    routes: bindRoutes(pushRoutes, { push }),
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

/** The public surface of the config module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { ConfigRepository } from './config.repository.js';
import { configRoutes } from './config.routes.js';
import { ConfigService } from './config.service.js';

export type { ConfigService } from './config.service.js';

export interface ConfigModuleDeps {
  storage: Storage;
  bus: EventBus;
}

export interface ConfigModule {
  /** The runtime configuration (spec 8) and its sensitive-word mask (`censor`). */
  appConfig: ConfigService;
  /** `GET/POST /config`, `DELETE /config/:key`. */
  routes: FastifyPluginAsync;
}

export function createConfigModule(deps: ConfigModuleDeps): ConfigModule {
  const appConfig = new ConfigService({ config: new ConfigRepository(deps.storage), bus: deps.bus });
  return {
    appConfig,
    routes: bindRoutes(configRoutes, { appConfig }),
  };
}

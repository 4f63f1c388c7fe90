/** The public surface of the apps module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import { bindRoutes } from '../../http/bind-routes.js';
import type { Storage } from '../../storage/database.js';
import { AppsRepository } from './apps.repository.js';
import { appsRoutes } from './apps.routes.js';
import { AppsService } from './apps.service.js';

export type { App, AppSettings } from '../../core/principal.js';
export type { AppsService } from './apps.service.js';
export { APP_ID } from './apps.service.js';
export { generateClientKey } from './client-key.js';

export interface AppsModuleDeps {
  storage: Storage;
  bus: EventBus;
}

export interface AppsModule {
  apps: AppsService;
  /** `GET/PATCH /admin/app`. */
  routes: FastifyPluginAsync;
}

export function createAppsModule(deps: AppsModuleDeps): AppsModule {
  const apps = new AppsService({ apps: new AppsRepository(deps.storage), bus: deps.bus });
  return {
    apps,
    routes: bindRoutes(appsRoutes, { apps }),
  };
}

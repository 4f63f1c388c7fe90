/** The public surface of the prefs module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { PrefsRepository } from './prefs.repository.js';
import { prefsRoutes } from './prefs.routes.js';
import { PrefsService, type RoomPrefsPort } from './prefs.service.js';

export type { PrefsService, RoomPrefsPort };

export interface PrefsModuleDeps {
  storage: Storage;
  bus: EventBus;
  /** The chat module's `roomPrefs`. */
  roomPrefs: RoomPrefsPort;
}

export interface PrefsModule {
  prefs: PrefsService;
  routes: FastifyPluginAsync;
}

export function createPrefsModule(deps: PrefsModuleDeps): PrefsModule {
  const prefs = new PrefsService({ repository: new PrefsRepository(deps.storage), bus: deps.bus });
  return {
    prefs,
    routes: bindRoutes(prefsRoutes, { prefs, roomPrefs: deps.roomPrefs }),
  };
}

/** The public surface of the operators module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import { bindRoutes, routeGroup } from '../../http/bind-routes.js';
import type { WindowCounter } from '../../ratelimit/rate-limiter.js';
import type { Storage } from '../../storage/database.js';
import type { AppsService } from '../apps/index.js';
import type { KeysService } from '../keys/index.js';
import { dashboardAppsRoutes } from './dashboard-apps.routes.js';
import { OperatorsRepository } from './operators.repository.js';
import { operatorsRoutes } from './operators.routes.js';
import { OperatorsService } from './operators.service.js';
import { SessionsService } from './sessions.service.js';

export type { OperatorsService, OperatorView } from './operators.service.js';
export type { SessionsService, SignedIn } from './sessions.service.js';

export interface OperatorsModuleDeps {
  storage: Storage;
  apps: AppsService;
  keys: KeysService;
  /** Sign-in attempts per address and per name (memory, or Redis across the nodes). */
  loginAttempts: WindowCounter;
  config: { sessionIdleSeconds: number; sessionMaxSeconds: number; loginAttemptsPerMinute: number };
}

export interface OperatorsModule {
  operators: OperatorsService;
  /** Dashboard sessions: authentication checks the cookie's token through it. */
  sessions: SessionsService;
  /** `/dashboard/api/…`. */
  routes: FastifyPluginAsync;
}

export function createOperatorsModule(deps: OperatorsModuleDeps): OperatorsModule {
  const repository = new OperatorsRepository(deps.storage);
  const sessions = new SessionsService({
    repository,
    idleSeconds: deps.config.sessionIdleSeconds,
    maxSeconds: deps.config.sessionMaxSeconds,
  });
  const operators = new OperatorsService({
    repository,
    sessions,
    loginAttempts: deps.loginAttempts,
    loginAttemptsPerMinute: deps.config.loginAttemptsPerMinute,
  });
  return {
    operators,
    sessions,
    routes: routeGroup(
      bindRoutes(operatorsRoutes, { operators, sessions }),
      bindRoutes(dashboardAppsRoutes, { apps: deps.apps, keys: deps.keys }),
    ),
  };
}

/** The public surface of the health module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { healthRoutes } from './health.routes.js';
import { HealthService, type RedisConnection } from './health.service.js';

export type { HealthService, RedisConnection, RedisStatus } from './health.service.js';

export interface HealthModuleDeps {
  storage: Storage;
  /** The Redis connection, when configured. */
  redis: RedisConnection | undefined;
  /** Where Redis and database outages are logged, once watching (`health.watch()`). */
  logger: Logger;
}

export interface HealthModule {
  health: HealthService;
  /** `GET /healthz`, `GET /readyz`. */
  routes: FastifyPluginAsync;
}

export function createHealthModule(deps: HealthModuleDeps): HealthModule {
  const health = new HealthService(deps);
  return {
    health,
    routes: bindRoutes(healthRoutes, { health }),
  };
}

/** The public surface of the stats module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import { bindRoutes } from '../../http/bind-routes.js';
import { statsRoutes } from './stats.routes.js';
import {
  StatsService,
  type ChatCountsPort,
  type ConnectionCount,
  type StatsApps,
  type UserCounts,
} from './stats.service.js';

export type { ChatCountsPort, ConnectionCount, StatsApps, StatsService, UserCounts };

export interface StatsModuleDeps {
  /** The apps module's AppsService. */
  apps: StatsApps;
  /** The users module's UsersRepository (count, countActiveSince, activeBetween). */
  users: UserCounts;
  /** The chat module's `counts`. */
  chat: ChatCountsPort;
  /** The realtime gateway's connection count. */
  connections: ConnectionCount;
}

export interface StatsModule {
  stats: StatsService;
  routes: FastifyPluginAsync;
}

export function createStatsModule(deps: StatsModuleDeps): StatsModule {
  const stats = new StatsService(deps);
  return {
    stats,
    routes: bindRoutes(statsRoutes, { stats }),
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appIdOf, authOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import {
  ConnectionCountResponse,
  MessageSeriesQuery,
  MessageSeriesResponse,
  StatsQuery,
  StatsResponse,
} from './stats.schemas.js';
import type { StatsService } from './stats.service.js';

const tags = ['Monitoring'];
const config = { auth: 'admin', scope: 'stats:read' } as const;

export const statsRoutes: FastifyPluginAsyncTypebox<{ stats: StatsService }> = async (app, { stats }) => {
  app.get(
    '/admin/connection-count',
    {
      config,
      schema: {
        tags,
        summary: 'Live real-time connections (spec 9.1)',
        description: 'Authenticated socket connections of this application, summed over every node.',
        response: { 200: ConnectionCountResponse },
      },
    },
    async (request) => ok({ count: await stats.connectionCount(appIdOf(request)) }),
  );

  app.get(
    '/admin/stats',
    {
      config,
      schema: {
        tags,
        summary: 'Statistics report (spec 9.2)',
        description:
          'Window: the last hour unless `start`/`end` (ISO-8601 or ms epoch) are given. ' +
          "`apiKey` is the caller's own key, masked (`operator:<name>` for a dashboard operator).",
        querystring: StatsQuery,
        response: { 200: StatsResponse },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const caller =
        auth.kind === 'apiKey'
          ? `…${auth.key.last4}`
          : auth.kind === 'operator'
            ? `operator:${auth.operator.name}`
            : undefined;
      return ok(await stats.report(auth.app.id, caller, request.query));
    },
  );

  app.get(
    '/admin/stats/messages',
    {
      config,
      schema: {
        tags,
        summary: 'Messages sent per minute (extension)',
        description:
          'The busy minutes of a window (the last hour by default, 7 days at most), oldest first, summed over ' +
          'every node: the messages table is the record.',
        querystring: MessageSeriesQuery,
        response: { 200: MessageSeriesResponse },
      },
    },
    async (request) => ok(await stats.messagesPerMinute(appIdOf(request), request.query)),
  );
};

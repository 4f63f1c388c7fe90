import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Health } from './health.schemas.js';
import type { HealthService } from './health.service.js';

/** Liveness and readiness probes. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  app.addHook('preClose', async () => {
    health.shutdown();
  });

  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: { tags: ['Health'], summary: 'Liveness: the process answers', response: { 200: Health } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Health'],
        summary: 'Readiness: storage (and Redis, when configured) answer',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const { ready, checks } = await health.readiness();
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
    },
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';

const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage, redis } = app.services;
  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
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
      const checks: Record<string, string> = {};
      try {
        await sql`select 1`.execute(storage.db);
        checks.database = 'ok';
      } catch {
        checks.database = 'unavailable';
      }
      if (redis) checks.redis = redis.status === 'ready' ? 'ok' : redis.status;
      const ready = !shuttingDown && Object.values(checks).every((value) => value === 'ok');
      if (shuttingDown) checks.server = 'shutting down';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
    },
  );
};

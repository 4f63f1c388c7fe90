import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Services } from './services.js';
import { createValidatorCompiler } from './http/validation.js';
import errorsPlugin from './plugins/errors.js';
import authPlugin from './plugins/auth.js';
import openapiPlugin from './plugins/openapi.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { keysRoutes } from './modules/keys/keys.routes.js';
import { usersRoutes } from './modules/users/users.routes.js';
import { tokensRoutes } from './modules/tokens/tokens.routes.js';
import { groupsRoutes } from './modules/groups/groups.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { appsRoutes } from './modules/apps/apps.routes.js';
import { statsRoutes } from './modules/stats/stats.routes.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the HTTP application over ready services. Never listens: tests inject into it. */
export async function buildApp(services: Services, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: services.config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 },
    genReqId: () => randomUUID(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('services', services);
  app.setValidatorCompiler(createValidatorCompiler());

  // An empty body with a JSON content type is "no body" (e.g. DELETE …/token revokes all tokens).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(openapiPlugin);
  await app.register(authPlugin);
  await app.register(healthRoutes);
  await app.register(keysRoutes);
  await app.register(usersRoutes);
  await app.register(tokensRoutes);
  await app.register(groupsRoutes);
  await app.register(auditRoutes);
  await app.register(appsRoutes);
  await app.register(statsRoutes);
  await app.ready();
  return app as unknown as FastifyInstance;
}

import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../http/envelope.js';
import type { ConfigService } from './config.service.js';
import { ConfigKeyParams, ConfigResponse, EmptyResponse, UpdateConfigBody } from './config.schemas.js';

const tags = ['Runtime configuration'];
const adminWrite = { auth: 'admin', scope: 'config:write' } as const;

/** Runtime configuration and sensitive words (spec 7.8, 8). */
export const configRoutes: FastifyPluginAsyncTypebox<{ appConfig: ConfigService }> = async (app, { appConfig }) => {
  app.get(
    '/config',
    {
      config: { auth: 'user', scope: 'config:read' },
      schema: { tags, summary: 'The runtime configuration (spec 8.1)', response: { 200: ConfigResponse } },
    },
    async (request) => ok(await appConfig.get(appIdOf(request))),
  );

  app.post(
    '/config',
    {
      config: adminWrite,
      schema: {
        tags,
        summary: 'Set configuration keys; each key given is replaced whole (spec 8.2, 12 item 66)',
        body: UpdateConfigBody,
        response: { 200: ConfigResponse },
      },
    },
    async (request) => ok(await appConfig.update(appIdOf(request), request.body)),
  );

  app.delete(
    '/config/:key',
    {
      config: adminWrite,
      schema: {
        tags,
        summary: 'Remove a configuration key (spec 8.3)',
        params: ConfigKeyParams,
        response: { 200: EmptyResponse },
      },
    },
    async (request) => {
      await appConfig.remove(appIdOf(request), request.params.key);
      return ok({});
    },
  );
};

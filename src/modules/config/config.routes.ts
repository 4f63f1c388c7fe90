import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';

const tags = ['Runtime configuration'];
const ConfigObject = Type.Object(
  {},
  { additionalProperties: true, description: 'Every key of the configuration, e.g. announcement, censorship' },
);

/** Runtime configuration and sensitive words (spec 7.8, 8). */
export const configRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appConfig } = app.services;

  app.get(
    '/config',
    {
      config: { auth: 'user', scope: 'config:read' },
      schema: { tags, summary: 'The runtime configuration (spec 8.1)', response: { 200: Envelope(ConfigObject) } },
    },
    async (request) => ok(await appConfig.get(appIdOf(request))),
  );

  app.post(
    '/config',
    {
      config: { auth: 'admin', scope: 'config:write' },
      schema: {
        tags,
        summary: 'Set configuration keys; each key given is replaced whole (spec 8.2, 12 item 66)',
        body: Type.Unknown({ description: 'A JSON object; `censorship` must be {"keywords": [strings]}' }),
        response: { 200: Envelope(ConfigObject) },
      },
    },
    async (request) => ok(await appConfig.update(appIdOf(request), request.body)),
  );

  app.delete(
    '/config/:key',
    {
      config: { auth: 'admin', scope: 'config:write' },
      schema: {
        tags,
        summary: 'Remove a configuration key (spec 8.3)',
        params: Type.Object({ key: Type.String({ minLength: 1 }) }),
        response: { 200: Envelope(Type.Object({})) },
      },
    },
    async (request) => {
      await appConfig.remove(appIdOf(request), request.params.key);
      return ok({});
    },
  );
};

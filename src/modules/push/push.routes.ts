import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { Envelope, ListOf, OptionalBody, Skip } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';

const tags = ['Push'];

/** Push notifications (spec 10) and their log (extension). */
export const pushRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { push, pushRepository } = app.services;

  app.post(
    '/push/push2clients',
    {
      config: { auth: 'admin', scope: 'push:write' },
      schema: {
        tags,
        summary: 'Push a notification to the devices of users (spec 10.1)',
        description:
          'Recorded, then handed to the configured provider in the background; users without a device receive nothing.',
        body: OptionalBody(
          Type.Object({ clients: Type.Optional(Type.Unknown()), payload: Type.Optional(Type.Unknown()) }),
        ),
        response: { 200: Envelope(Type.Object({})) },
      },
    },
    async (request) => {
      const id = await push.pushToClients(appIdOf(request), request.body ?? {});
      request.auditTargets.push(id);
      return ok({});
    },
  );

  app.get(
    '/admin/push/notifications',
    {
      config: { auth: 'admin', scope: 'stats:read' },
      schema: {
        tags,
        summary: 'The push notifications recorded, newest first (extension)',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')])),
          skip: Type.Optional(Skip),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
        }),
        response: { 200: Envelope(ListOf(Type.Object({}, { additionalProperties: true }))) },
      },
    },
    async (request) => {
      const page = await pushRepository.list(appIdOf(request), {
        status: request.query.status,
        skip: request.query.skip ?? 0,
        limit: request.query.limit ?? 50,
      });
      return ok({
        totalCount: page.totalCount,
        data: page.data.map((entry) => ({
          id: entry.id,
          kind: entry.kind,
          clients: entry.users,
          payload: entry.payload,
          status: entry.status,
          attempts: entry.attempts,
          devices: entry.devices,
          provider: entry.provider,
          lastError: entry.lastError,
          createdAt: iso(entry.createdAt),
          updatedAt: iso(entry.updatedAt),
        })),
      });
    },
  );
};

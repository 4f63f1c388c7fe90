import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { ClosedObject, Envelope, ListOf, MAX_IDS_PER_REQUEST, Skip } from '../../http/schemas.js';
import { groupView } from '../users/index.js';
import { GroupSchema } from '../users/index.js';

const tags = ['User groups'];
const Members = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
  maxItems: MAX_IDS_PER_REQUEST,
  description: 'Ids of existing users',
});
const Params = Type.Object({ id: Type.String({ minLength: 1 }) });

export const groupsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { groups } = app.services;
  const read = { auth: 'admin', scope: 'users:read' } as const;
  const write = { auth: 'admin', scope: 'users:write' } as const;

  app.post(
    '/admin/groups',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a user group',
        body: Type.Object({
          _id: Type.Optional(Type.String()),
          nickname: Type.Optional(Type.String()),
          avatarUrl: Type.Optional(Type.String()),
          members: Type.Optional(Members),
        }),
        response: { 200: Envelope(GroupSchema) },
      },
    },
    async (request) => {
      const group = await groups.create(appIdOf(request), request.body);
      request.auditTargets.push(group.id);
      return ok(groupView(group));
    },
  );

  app.get(
    '/admin/groups',
    {
      config: read,
      schema: {
        tags,
        summary: 'List user groups',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0 })), skip: Type.Optional(Skip) }),
        response: { 200: Envelope(ListOf(GroupSchema)) },
      },
    },
    async (request) => {
      const limit = Math.min(request.query.limit || 50, 100);
      const page = await groups.list(appIdOf(request), request.query.skip ?? 0, limit);
      return ok({ totalCount: page.totalCount, data: page.data.map(groupView) });
    },
  );

  app.get(
    '/admin/groups/:id',
    {
      config: read,
      schema: { tags, summary: 'Get a user group', params: Params, response: { 200: Envelope(GroupSchema) } },
    },
    async (request) => ok(groupView(await groups.get(appIdOf(request), request.params.id))),
  );

  app.put(
    '/admin/groups/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Update a user group (extension, spec 12 item 25)',
        params: Params,
        body: ClosedObject({
          nickname: Type.Optional(Type.String()),
          avatarUrl: Type.Optional(Type.String()),
          members: Type.Optional(Members),
        }),
        response: { 200: Envelope(GroupSchema) },
      },
    },
    async (request) => ok(groupView(await groups.update(appIdOf(request), request.params.id, request.body))),
  );

  app.delete(
    '/admin/groups/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete a user group', params: Params, response: { 200: Envelope(GroupSchema) } },
    },
    async (request) => ok(groupView(await groups.delete(appIdOf(request), request.params.id))),
  );
};

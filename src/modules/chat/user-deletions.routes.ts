import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appIdOf, userActorOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import {
  UserDeleteAllBody,
  UserDeleteAllResponse,
  UserDeleteBody,
  UserDeletedListResponse,
  UserDeleteQuery,
  UserDeleteResponse,
} from './user-deletions.schemas.js';
import type { UserDeletionsService } from './user-deletions.service.js';

const tags = ['Messages'];

export const userDeletionsRoutes: FastifyPluginAsyncTypebox<{ deletions: UserDeletionsService }> = async (
  app,
  { deletions },
) => {
  const write = { auth: 'user', scope: 'messages:write' } as const;
  const read = { auth: 'user', scope: 'messages:read' } as const;

  app.post(
    '/messages/user-delete',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete messages of a room for myself (history 7.9)',
        body: UserDeleteBody,
        response: { 200: UserDeleteResponse },
      },
    },
    async (request) =>
      ok(
        await deletions.deleteMessages(
          appIdOf(request),
          userActorOf(request),
          request.body.room,
          request.body.messages,
        ),
      ),
  );

  app.post(
    '/messages/user-delete/all-in-room',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete every message of a room for myself (history 7.9)',
        body: UserDeleteAllBody,
        response: { 200: UserDeleteAllResponse },
      },
    },
    async (request) => ok(await deletions.deleteAllInRoom(appIdOf(request), userActorOf(request), request.body.room)),
  );

  app.get(
    '/messages/user-delete',
    {
      config: read,
      schema: {
        tags,
        summary: 'The messages of a room I deleted for myself (history 7.9)',
        querystring: UserDeleteQuery,
        response: { 200: UserDeletedListResponse },
      },
    },
    async (request) => ok(await deletions.list(appIdOf(request), userActorOf(request).userId, request.query.room)),
  );
};

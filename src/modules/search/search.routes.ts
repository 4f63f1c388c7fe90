import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { actingUserId } from '../users/users.routes.js';
import type { SearchInput } from './search.service.js';

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { search } = app.services;

  app.post('/search', {
    config: { auth: 'user', scope: 'messages:read' },
    schema: {
      tags: ['Search'],
      summary: 'Search message text in my rooms (spec 5.9)',
      description: 'Case-insensitive substring match on the text of messages (and strings in `extra`), through a text index.',
      body: Type.Object(
        {
          type: Type.Optional(Type.Unknown({ description: '["messages"]; also roomName, roomMember, roomTags, roomPrefTags, roomPrefFolder' })),
          keyword: Type.Optional(Type.Unknown()),
          room: Type.Optional(Type.Unknown()),
          roomTags: Type.Optional(Type.Unknown()),
          limit: Type.Optional(Type.Unknown({ description: 'Messages to return: default 50, at most 200' })),
        },
      ),
      response: { 200: Envelope(Type.Object({}, { additionalProperties: true })) },
    },
  }, async (request) => ok(await search.search(request.auth!.app.id, actingUserId(request), (request.body ?? {}) as SearchInput)));
};

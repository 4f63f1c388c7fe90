import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { actingUserId, appIdOf } from '../../http/actor.js';
import type { SearchInput, SearchService } from './search.service.js';

export const searchRoutes: FastifyPluginAsyncTypebox<{ search: SearchService }> = async (app, { search }) => {
  app.post(
    '/search',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags: ['Search'],
        summary: 'Search message text in my rooms (spec 5.9)',
        description:
          'Case-insensitive substring match on the text of messages (and strings in `extra`), through a text index.',
        body: Type.Object({
          type: Type.Optional(
            Type.Unknown({
              description: '["messages"]; also roomName, roomMember, roomTags, roomPrefTags, roomPrefFolder',
            }),
          ),
          keyword: Type.Optional(Type.Unknown()),
          room: Type.Optional(Type.Unknown()),
          roomTags: Type.Optional(Type.Unknown()),
          limit: Type.Optional(Type.Unknown({ description: 'Messages to return: default 50, at most 200' })),
        }),
        response: { 200: Envelope(Type.Object({}, { additionalProperties: true })) },
      },
    },
    async (request) =>
      ok(await search.search(appIdOf(request), actingUserId(request), (request.body ?? {}) as SearchInput)),
  );

  const found = Envelope(
    Type.Object({ totalCount: Type.Integer(), data: Type.Array(Type.Object({}, { additionalProperties: true })) }),
  );

  app.post(
    '/messages/search',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags: ['Search'],
        summary: 'Messages of my rooms containing a text (SDK `message.searchV2`)',
        body: Type.Object({
          message: Type.Optional(Type.Unknown()),
          room: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Unknown()),
        }),
        response: { 200: found },
      },
    },
    async (request) => {
      const data = await search.messages(appIdOf(request), actingUserId(request), {
        keyword: request.body.message,
        room: request.body.room,
        limit: request.body.limit,
      });
      return ok({ totalCount: data.length, data });
    },
  );

  app.get(
    '/messages',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags: ['Search'],
        summary: 'Messages of my rooms containing a text (SDK `message.search`: q={"message": "…", "room"?: "…"})',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 4096 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: found },
      },
    },
    async (request) => {
      let q: { message?: unknown; room?: unknown } = {};
      try {
        q = JSON.parse(request.query.q ?? '{}') as typeof q;
      } catch {
        throw new AppError('INVALID_REQUEST', 'q must be a JSON object');
      }
      assertSafeInput(q, 'q');
      const data = await search.messages(appIdOf(request), actingUserId(request), {
        keyword: q?.message,
        room: q?.room,
        limit: request.query.limit,
      });
      return ok({ totalCount: data.length, data });
    },
  );
};

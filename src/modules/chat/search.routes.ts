import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import { ok } from '../../http/envelope.js';
import {
  FoundMessagesResponse,
  MessageSearchBody,
  MessageSearchQuery,
  SearchBody,
  SearchResponse,
} from './search.schemas.js';
import { actingUserId, appIdOf } from '../../http/actor.js';
import type { SearchInput, SearchService } from './search.service.js';

const tags = ['Search'];
const read = { auth: 'user', scope: 'messages:read' } as const;

export const searchRoutes: FastifyPluginAsyncTypebox<{ search: SearchService }> = async (app, { search }) => {
  app.post(
    '/search',
    {
      config: read,
      schema: {
        tags,
        summary: 'Search message text in my rooms (spec 5.9)',
        description:
          'Case-insensitive substring match on the text of messages (and strings in `extra`), through a text index.',
        body: SearchBody,
        response: { 200: SearchResponse },
      },
    },
    async (request) =>
      ok(await search.search(appIdOf(request), actingUserId(request), (request.body ?? {}) as SearchInput)),
  );

  app.post(
    '/messages/search',
    {
      config: read,
      schema: {
        tags,
        summary: 'Messages of my rooms containing a text (SDK `message.searchV2`)',
        body: MessageSearchBody,
        response: { 200: FoundMessagesResponse },
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
      config: read,
      schema: {
        tags,
        summary: 'Messages of my rooms containing a text (SDK `message.search`: q={"message": "…", "room"?: "…"})',
        querystring: MessageSearchQuery,
        response: { 200: FoundMessagesResponse },
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

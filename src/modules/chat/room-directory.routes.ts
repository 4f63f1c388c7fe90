import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import type { RoomDirectory } from './room-directory.js';
import {
  RoomDirectoryQuery,
  RoomDirectoryResponse,
  RoomIdParams,
  RoomMessageSearchQuery,
  RoomMessageSearchResponse,
} from './room-directory.schemas.js';
import type { SearchService } from './search.service.js';

const tags = ['Rooms'];

/** Operators' views of every room and message of the application (the dashboard's Rooms page). */
export const roomDirectoryRoutes: FastifyPluginAsyncTypebox<{
  directory: RoomDirectory;
  search: SearchService;
}> = async (app, { directory, search }) => {
  app.get(
    '/admin/rooms',
    {
      config: { auth: 'admin', scope: 'rooms:read' },
      schema: {
        tags,
        summary: 'Find rooms by name or by user (extension)',
        description:
          'Every room of the application, newest first: those whose name contains `name` (any case), and/or ' +
          'those `user` is a member of or banned from (then `isMember` and `isBanned` say which).',
        querystring: RoomDirectoryQuery,
        response: { 200: RoomDirectoryResponse },
      },
    },
    async (request) => ok(await directory.find(appIdOf(request), request.query)),
  );

  app.get(
    '/admin/rooms/:id/messages/search',
    {
      config: { auth: 'admin', scope: 'messages:read' },
      schema: {
        tags,
        summary: "Search one room's messages (extension)",
        description:
          'Messages of the room whose text contains `keyword`, any case, newest first, through the text index. ' +
          'Unknown room: 404 ROOM_NOT_FOUND.',
        params: RoomIdParams,
        querystring: RoomMessageSearchQuery,
        response: { 200: RoomMessageSearchResponse },
      },
    },
    async (request) => {
      const data = await search.inRoom(appIdOf(request), request.params.id, request.query);
      return ok({ totalCount: data.length, data });
    },
  );
};

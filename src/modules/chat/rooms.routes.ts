import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../http/envelope.js';
import { OptionalBody } from '../../http/schemas.js';
import type { RoomList } from './room-list.js';
import type { RoomsService } from './rooms.service.js';
import { actingUserId, actorOf, appIdOf, authOf, userActorOf } from '../../http/actor.js';
import {
  CreateAndJoinBody,
  CreateRoomBody,
  DeleteRoomResponse,
  RoomListQuery,
  RoomListResponse,
  RoomParams,
  RoomResponse,
  UpdateRoomBody,
} from './rooms.schemas.js';

const tags = ['Rooms'];

export const roomsRoutes: FastifyPluginAsyncTypebox<{ rooms: RoomsService; roomList: RoomList }> = async (
  app,
  { rooms, roomList },
) => {
  const read = { auth: 'user', scope: 'rooms:read' } as const;
  const write = { auth: 'user', scope: 'rooms:write' } as const;

  app.post(
    '/rooms',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a room (spec 4.1)',
        description:
          'A direct room without `_id` gets the md5 id of its member pair; ' +
          'creating it again answers the existing room. With the API key the caller is not added and ' +
          'members come back as ids; a user token joins its own group room as its owner, and gets the ' +
          'room in full (members as users), as GET /rooms/:id answers it.',
        body: OptionalBody(CreateRoomBody),
        response: { 200: RoomResponse },
      },
    },
    async (request) => {
      const { view } = await rooms.create(appIdOf(request), actorOf(request), request.body ?? {}, {
        defaults: authOf(request).app.settings,
      });
      request.auditTargets.push(view._id);
      return ok(view);
    },
  );

  app.post(
    '/rooms/createAndJoin',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a room and join it (spec 13, [hist] 5.1)',
        description:
          'The caller joins (with the API key, the user IM-CLIENT-ID names); a user token owns the group ' +
          'rooms it creates. Answers the room in full, members as users.',
        body: OptionalBody(CreateAndJoinBody),
        response: { 200: RoomResponse },
      },
    },
    async (request) =>
      ok(
        await rooms.createAndJoin(
          appIdOf(request),
          userActorOf(request),
          request.body ?? {},
          authOf(request).app.settings,
        ),
      ),
  );

  app.get(
    '/rooms',
    {
      config: read,
      schema: {
        tags,
        summary: "The caller's rooms (spec 4.5)",
        querystring: RoomListQuery,
        response: { 200: RoomListResponse },
      },
    },
    async (request) => {
      const query = request.query;
      return ok(
        await roomList.list(appIdOf(request), actingUserId(request), {
          ...query,
          updatedAfter: query.updatedAfter === undefined ? undefined : String(query.updatedAfter),
        }),
      );
    },
  );

  app.get(
    '/rooms/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A room with its members (spec 4.2)',
        params: RoomParams,
        response: { 200: RoomResponse },
      },
    },
    async (request) => ok(await rooms.get(appIdOf(request), actorOf(request), request.params.id)),
  );

  app.put(
    '/rooms/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Update or freeze a room (spec 4.3, 7.5)',
        params: RoomParams,
        body: OptionalBody(UpdateRoomBody),
        response: { 200: RoomResponse },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const view = await rooms.update(appIdOf(request), actorOf(request), request.params.id, body);
      return ok(view, body.status === 0 ? 'Room frozen successfully' : 'OK');
    },
  );

  app.delete(
    '/rooms/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a room and all its messages (spec 4.4)',
        params: RoomParams,
        response: { 200: DeleteRoomResponse },
      },
    },
    async (request) => ok(await rooms.delete(appIdOf(request), actorOf(request), request.params.id)),
  );
};

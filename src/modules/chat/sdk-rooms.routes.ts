import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../http/envelope.js';
import { AddOneMemberBody, OneMemberParams } from './members.schemas.js';
import { invitationRequiredOf } from './members.routes.js';
import {
  AroundQuery,
  AroundResponse,
  MessageCountQuery,
  MessageCountResponse,
  RoomMessageParams,
} from './messages.schemas.js';
import { actingUserId, actorOf, appIdOf, userActorOf } from '../../http/actor.js';
import type { MembersService } from './members.service.js';
import type { MessageList } from './message-list.js';
import type { RoomList } from './room-list.js';
import type { RoomsService } from './rooms.service.js';
import type { TypingService } from './typing.service.js';
import {
  EmptyResponse,
  RoomBotBody,
  QuittedRoomsResponse,
  RoomExistsResponse,
  RoomIdsQuery,
  RoomIdsResponse,
  RoomParams,
  RoomResponse,
  TypingBody,
} from './rooms.schemas.js';

const tags = ['Rooms (SDK)'];

/** Room calls IMKIT's SDKs make under other paths than platform-api.md (realtime protocol 6, 9). */
export const sdkRoomsRoutes: FastifyPluginAsyncTypebox<{
  rooms: RoomsService;
  roomList: RoomList;
  members: MembersService;
  messageList: MessageList;
  typing: TypingService;
}> = async (app, { rooms, roomList, members, messageList, typing }) => {
  const read = { auth: 'user', scope: 'rooms:read' } as const;
  const write = { auth: 'user', scope: 'rooms:write' } as const;

  app.get(
    '/rooms/ids',
    {
      config: read,
      schema: {
        tags,
        summary: 'Ids of my rooms',
        querystring: RoomIdsQuery,
        response: { 200: RoomIdsResponse },
      },
    },
    async (request) => ok(await roomList.ids(appIdOf(request), actingUserId(request), request.query)),
  );

  app.get(
    '/rooms/:id/messages/:messageId',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'A message with `before` older and `after` newer ones around it, newest first',
        params: RoomMessageParams,
        querystring: AroundQuery,
        response: { 200: AroundResponse },
      },
    },
    async (request) => {
      const { id, messageId } = request.params;
      return ok({ data: await messageList.around(appIdOf(request), actorOf(request), id, messageId, request.query) });
    },
  );

  app.get(
    '/rooms/:id/count',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'How many messages a room has, or has had since `timeInMS`',
        params: RoomParams,
        querystring: MessageCountQuery,
        response: { 200: MessageCountResponse },
      },
    },
    async (request) => {
      const since = request.query.timeInMS ?? 0;
      return ok({ count: await messageList.count(appIdOf(request), actorOf(request), request.params.id, since) });
    },
  );

  app.get(
    '/rooms/quitted',
    {
      config: read,
      schema: {
        tags,
        summary: 'Rooms I left or was removed from, most recent first ([hist] 5.6)',
        response: { 200: QuittedRoomsResponse },
      },
    },
    async (request) => ok(await roomList.quitted(appIdOf(request), actingUserId(request))),
  );

  app.get(
    '/rooms/:id/exists',
    {
      config: read,
      schema: {
        tags,
        summary: 'Whether a room exists in my application; never 404 ([hist] 5.5)',
        params: RoomParams,
        response: { 200: RoomExistsResponse },
      },
    },
    async (request) => ok(await rooms.exists(appIdOf(request), request.params.id)),
  );

  // The one-member forms of POST /rooms/:id/members and /rooms/:id/delete/members ([hist] 5.3).
  app.post(
    '/rooms/:id/members/:client',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add one member (legacy form of POST /rooms/:id/members, with its options)',
        params: OneMemberParams,
        body: AddOneMemberBody,
        response: { 200: RoomResponse },
      },
    },
    async (request) => {
      const { id, client } = request.params;
      const invitationRequired = invitationRequiredOf(request, request.body?.invitationRequired);
      return ok(
        await members.add(appIdOf(request), actorOf(request), id, {
          systemMessage: request.body?.systemMessage,
          invitationRequired,
          invitees: [client],
        }),
      );
    },
  );

  app.delete(
    '/rooms/:id/members/:client',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove one member, or leave (SDK form of POST /rooms/:id/delete/members)',
        params: OneMemberParams,
        response: { 200: RoomResponse },
      },
    },
    async (request) => {
      const { id, client } = request.params;
      return ok(await members.remove(appIdOf(request), actorOf(request), id, { members: [client] }));
    },
  );

  app.post(
    '/rooms/:id/typing',
    {
      config: { auth: 'user', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Tell the other members I am typing',
        params: RoomParams,
        body: TypingBody,
        response: { 200: EmptyResponse },
      },
    },
    async (request) => {
      await typing.typing(appIdOf(request), userActorOf(request), request.params.id, request.body?.message);
      return ok({});
    },
  );

  app.put(
    '/rooms/:id/bot',
    {
      config: write,
      schema: {
        tags,
        summary: "Update a room's bot (botMode, botState)",
        params: RoomParams,
        body: RoomBotBody,
        response: { 200: RoomResponse },
      },
    },
    async (request) => {
      // Only the two fields this route declares: the body is open, and the rest never passed the room schema.
      const { botMode, botState } = request.body;
      return ok(await rooms.update(appIdOf(request), actorOf(request), request.params.id, { botMode, botState }));
    },
  );
};

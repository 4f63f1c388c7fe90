import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { Envelope, ListOf, Skip } from '../../http/schemas.js';
import { MessageListQuery, MessageListResponse, MessageSchema } from './messages.schemas.js';
import { actingUserId, actorOf, appIdOf, userActorOf } from '../../http/actor.js';
import type { MembersService } from './members.service.js';
import type { MessageList } from './message-list.js';
import type { RoomList } from './room-list.js';
import type { RoomsService } from './rooms.service.js';
import type { TypingService } from './typing.service.js';
import { RoomParams, RoomResponse } from './rooms.schemas.js';

const tags = ['Rooms (SDK)'];
const MemberParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  client: Type.String({ minLength: 1, maxLength: 255 }),
});

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
        querystring: Type.Object({
          skip: Type.Optional(Skip),
          limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
        }),
        response: { 200: Envelope(ListOf(Type.String())) },
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
        params: Type.Object({ id: Type.String({ minLength: 1 }), messageId: Type.String({ minLength: 1 }) }),
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
        }),
        response: { 200: Envelope(Type.Object({ data: Type.Array(MessageSchema) })) },
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
        querystring: Type.Object({ timeInMS: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 200: Envelope(Type.Object({ count: Type.Integer() })) },
      },
    },
    async (request) => {
      const since = request.query.timeInMS ?? 0;
      return ok({ count: await messageList.count(appIdOf(request), actorOf(request), request.params.id, since) });
    },
  );

  app.post(
    '/rooms/:id/members/:client',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add one member (SDK form of POST /rooms/:id/members)',
        params: MemberParams,
        response: { 200: RoomResponse },
      },
    },
    async (request) =>
      ok(
        await members.add(appIdOf(request), actorOf(request), request.params.id, {
          invitees: [request.params.client],
        }),
      ),
  );

  app.delete(
    '/rooms/:id/members/:client',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove one member, or leave (SDK form of POST /rooms/:id/delete/members)',
        params: MemberParams,
        response: { 200: RoomResponse },
      },
    },
    async (request) =>
      ok(
        await members.remove(appIdOf(request), actorOf(request), request.params.id, {
          members: [request.params.client],
        }),
      ),
  );

  app.post(
    '/rooms/:id/typing',
    {
      config: { auth: 'user', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Tell the other members I am typing',
        params: RoomParams,
        body: Type.Union([Type.Object({ message: Type.Optional(Type.Unknown()) }), Type.Null()]),
        response: { 200: Envelope(Type.Object({})) },
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
        body: Type.Object({
          botMode: Type.Optional(Type.Boolean()),
          botState: Type.Optional(Type.String({ maxLength: 256 })),
        }),
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

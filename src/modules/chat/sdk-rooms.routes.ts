import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { Envelope, ListOf, Skip } from '../../http/schemas.js';
import { MessageListQuery, MessageListResponse, MessageSchema } from './messages.schemas.js';
import { actingUserId, actorOf, appIdOf, userActorOf } from '../../http/actor.js';
import { requireWritable } from './room-access.js';
import { RoomParams, RoomResponse } from './rooms.schemas.js';

const tags = ['Rooms (SDK)'];
const MAX_AROUND = 100;
const MemberParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  client: Type.String({ minLength: 1, maxLength: 255 }),
});

/** Room calls IMKIT's SDKs make under other paths than platform-api.md (realtime protocol 6, 9). */
export const sdkRoomsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { members, messages, messageList, rooms, roomAccess, roomsRepository, messagesRepository, presenter, bus } =
    app.services;
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
    async (request) => {
      const appId = appIdOf(request);
      const principals = await roomAccess.principals(appId, actingUserId(request));
      const ids = (await roomsRepository.listForPrincipals(appId, principals, { activeOnly: true }))
        .map((room) => room.id)
        .sort();
      const skip = request.query.skip ?? 0;
      const limit = request.query.limit || 500;
      return ok({ totalCount: ids.length, data: ids.slice(skip, skip + limit) });
    },
  );

  app.get(
    '/rooms/:id/messages',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'Messages of a room, newest first (the SDK path of GET /rooms/:id/messages/v3)',
        params: RoomParams,
        querystring: MessageListQuery,
        response: { 200: MessageListResponse },
      },
    },
    async (request) => {
      const query = request.query;
      return ok(
        await messageList.list(appIdOf(request), actorOf(request), request.params.id, {
          ...query,
          afterTime: query.afterTime === undefined ? undefined : String(query.afterTime),
        }),
      );
    },
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
      const appId = appIdOf(request);
      const { historyFloor } = await roomAccess.loadReadable(appId, request.params.id, actorOf(request));
      const center = await messages.messageOfRoom(appId, request.params.id, request.params.messageId);
      if (center.seq <= historyFloor) throw new AppError('MESSAGE_NOT_FOUND');
      const cursor = { time: center.createdAt, seq: center.seq };
      const before = Math.min(request.query.before ?? 0, MAX_AROUND);
      const after = Math.min(request.query.after ?? 0, MAX_AROUND);
      const [older, newer] = await Promise.all([
        before > 0
          ? messagesRepository.list(appId, request.params.id, {
              field: 'created_at',
              before: cursor,
              limit: before,
              fromSeq: historyFloor,
            })
          : [],
        after > 0
          ? messagesRepository.list(appId, request.params.id, {
              field: 'created_at',
              after: cursor,
              limit: after,
              fromSeq: historyFloor,
            })
          : [],
      ]);
      return ok({ data: await presenter.messageViews(appId, [...newer, center, ...older]) });
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
      const appId = appIdOf(request);
      const { room } = await roomAccess.loadReadable(appId, request.params.id, actorOf(request));
      const since = request.query.timeInMS ?? 0;
      return ok({ count: since > 0 ? await messagesRepository.count(appId, room.id, since + 1) : room.messageCount });
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
      const appId = appIdOf(request);
      const actor = userActorOf(request);
      const context = await roomAccess.loadReadable(appId, request.params.id, actor);
      // A typing notice carries text: banned, blocked or frozen out means silent here too.
      requireWritable(context);
      const message = request.body?.message;
      bus.publish('room.typing', {
        appId,
        roomId: context.room.id,
        userId: actor.userId,
        message: typeof message === 'string' ? message.slice(0, 1000) : null,
        members: context.members.map((member) => member.userId),
      });
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

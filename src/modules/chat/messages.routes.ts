import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import { actingUserId, actorOf, appIdOf, userActorOf } from '../../http/actor.js';
import { RoomParams } from './rooms.schemas.js';
import type { BatchMessages } from './batch-messages.js';
import type { BatchService } from './batch.service.js';
import type { MessageList } from './message-list.js';
import type { MessagesService } from './messages.service.js';
import type { RecentMessages } from './recent-messages.js';
import {
  AdminMessagesQuery,
  AdminMessagesResponse,
  AdminSendBody,
  BatchAccepted,
  BatchBody,
  BatchMessagesQuery,
  BatchMessagesResponse,
  BatchStatus,
  DeleteMessageResponse,
  EditBody,
  MemberSendBody,
  MessageListQuery,
  MessageListResponse,
  MessageParams,
  MessageResponse,
  PinnedMessagesResponse,
  RecentMessagesQuery,
  RecentMessagesResponse,
  ReadPositionResponse,
  RoomMessageParams,
} from './messages.schemas.js';

const tags = ['Messages'];

export const messagesRoutes: FastifyPluginAsyncTypebox<{
  messages: MessagesService;
  messageList: MessageList;
  recentMessages: RecentMessages;
  batchMessages: BatchMessages;
  batches: BatchService;
}> = async (app, { messages, messageList, recentMessages, batchMessages, batches }) => {
  const read = { auth: 'user', scope: 'messages:read' } as const;
  const write = { auth: 'user', scope: 'messages:write' } as const;

  app.post(
    '/messages',
    {
      config: { auth: 'admin', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Send a message as any user (spec 5.1)',
        body: AdminSendBody,
        response: { 200: MessageResponse },
      },
    },
    async (request) => {
      const view = await messages.sendAsAdmin(appIdOf(request), (request.body ?? {}) as Record<string, unknown>);
      request.auditTargets.push(view._id);
      return ok(view);
    },
  );

  app.post(
    '/messages/batch',
    {
      config: { auth: 'admin', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Send one templated message to many rooms or users (spec 5.3)',
        description:
          'Accepted at once and sent in the background; ' +
          '`GET /messages/batch/:id` reports progress and per-entry failures.',
        body: BatchBody,
        response: { 200: BatchAccepted },
      },
    },
    async (request) => {
      const result = await batches.accept(appIdOf(request), (request.body ?? {}) as Record<string, unknown>);
      request.auditTargets.push(result.batchID);
      return ok(result);
    },
  );

  app.get(
    '/messages/batch',
    {
      config: { auth: 'admin', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'The messages a batch sent, in send order (history 7.5)',
        description:
          '`count` is how many messages the batch has sent so far; `data` a page of them (`limit` up to 1000, ' +
          '`skip`). An unknown batch matches nothing: `{count: 0, data: []}`.',
        querystring: BatchMessagesQuery,
        response: { 200: BatchMessagesResponse },
      },
    },
    async (request) => {
      const { batchID, limit, skip } = request.query;
      return ok(await batchMessages.list(appIdOf(request), batchID, { limit, skip }));
    },
  );

  app.get(
    '/messages/batch/:id',
    {
      config: { auth: 'admin', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'Progress of a batch send, with the entries that failed (extension)',
        params: MessageParams,
        response: { 200: Envelope(BatchStatus) },
      },
    },
    async (request) => {
      const batch = await batches.status(appIdOf(request), request.params.id);
      return ok({
        batchID: batch.id,
        status: batch.status,
        count: batch.total,
        processed: batch.nextIndex,
        sent: batch.sent,
        failures: batch.failures,
        createdAt: iso(batch.createdAt),
        updatedAt: iso(batch.updatedAt),
      });
    },
  );

  app.post(
    '/rooms/:id/message',
    {
      config: write,
      schema: {
        tags,
        summary: 'Send, edit or recall a message as a room member (spec 5.2, 5.5)',
        description: '`messageType: "recall"` with `_id` recalls; `_id` of an existing message of the room edits it.',
        params: RoomParams,
        body: MemberSendBody,
        response: { 200: MessageResponse },
      },
    },
    async (request) =>
      ok(
        await messages.sendAsMember(
          appIdOf(request),
          actorOf(request),
          request.params.id,
          (request.body ?? {}) as Record<string, unknown>,
        ),
      ),
  );

  // The spec's path and the one IMKIT's SDKs call (realtime protocol 6) answer the same list.
  const listPaths = [
    { url: '/rooms/:id/messages/v3', tags, summary: "A room's messages, newest first (spec 5.4)" },
    {
      url: '/rooms/:id/messages',
      tags: ['Rooms (SDK)'],
      summary: 'Messages of a room, newest first (the SDK path of GET /rooms/:id/messages/v3)',
    },
  ];
  for (const path of listPaths) {
    app.get(
      path.url,
      {
        config: read,
        schema: {
          tags: path.tags,
          summary: path.summary,
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
  }

  app.get(
    '/admin/messages',
    {
      config: { auth: 'admin', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'Messages of every room by date range, newest first (history 7.10)',
        description:
          '`startDate` inclusive, `endDate` exclusive (ISO-8601 or millisecond epochs); `limit` defaults to 100 ' +
          'and is capped at 1000; `skip` pages on. `totalCount` counts the whole range.',
        querystring: AdminMessagesQuery,
        response: { 200: AdminMessagesResponse },
      },
    },
    async (request) => ok(await messageList.inRange(appIdOf(request), request.query)),
  );

  app.get(
    '/messages/recent',
    {
      config: read,
      schema: {
        tags,
        summary: 'The newest messages across my rooms (history 7.6)',
        description: 'Newest first; `limit` 20 when 0 or absent, at most 100.',
        querystring: RecentMessagesQuery,
        response: { 200: RecentMessagesResponse },
      },
    },
    async (request) => ok(await recentMessages.recent(appIdOf(request), actingUserId(request), request.query.limit)),
  );

  app.get(
    '/rooms/:id/pined-messages',
    {
      config: read,
      schema: {
        tags,
        summary: "A room's pinned messages, latest pin first (history 7.3; the spelling is IMKIT's)",
        params: RoomParams,
        response: { 200: PinnedMessagesResponse },
      },
    },
    async (request) => ok(await messageList.pinned(appIdOf(request), actorOf(request), request.params.id)),
  );

  app.delete(
    '/rooms/:id/messages/:messageId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a message, or `_all` of them, for everyone (spec 5.6)',
        params: RoomMessageParams,
        response: { 200: DeleteMessageResponse },
      },
    },
    async (request) => {
      const { id, messageId } = request.params;
      const result = await messages.delete(appIdOf(request), actorOf(request), id, messageId);
      return ok(result, messageId === '_all' ? 'All messages deleted successfully' : 'Message deleted successfully');
    },
  );

  app.post(
    '/messages/:id/pin',
    {
      config: write,
      schema: { tags, summary: 'Pin a message (spec 5.7)', params: MessageParams, response: { 200: MessageResponse } },
    },
    async (request) => ok(await messages.setPinned(appIdOf(request), actorOf(request), request.params.id, true)),
  );

  app.delete(
    '/messages/:id/pin',
    {
      config: write,
      schema: {
        tags,
        summary: 'Unpin a message (spec 5.8)',
        params: MessageParams,
        response: { 200: MessageResponse },
      },
    },
    async (request) => ok(await messages.setPinned(appIdOf(request), actorOf(request), request.params.id, false)),
  );

  app.put(
    '/rooms/:id/lastRead',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set my read position in a room (spec 6, 13 [hist])',
        params: RoomParams,
        body: EditBody,
        response: { 200: ReadPositionResponse },
      },
    },
    async (request) => {
      return ok(
        await messages.markRead(appIdOf(request), userActorOf(request), request.params.id, request.body.message),
      );
    },
  );
};

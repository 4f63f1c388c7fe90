import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actingUserId, actorOf, appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import type { TSchema } from '@sinclair/typebox';
import {
  AdminMuteParams,
  BlockeeParams,
  EmptyBody,
  IgnoredPaging,
  ModerationRecordResponse,
  ModerationRecordsResponse,
  RoomBlockeeParams,
  RoomIdParams,
  UserResponse,
} from './moderation.schemas.js';
import type { ModerationService } from './moderation.service.js';

const tags = ['Moderation'];
/** The schema of a set (POST, an empty body) or a lift (DELETE, no body) of a ban or block: both answer the record. */
const setOrLift = <Params extends TSchema>(method: 'POST' | 'DELETE', summary: string, params: Params) => ({
  tags,
  summary,
  params,
  ...(method === 'POST' ? { body: EmptyBody } : {}),
  response: { 200: ModerationRecordResponse },
});

/** Bans, personal blocks and the admin's notification mute (spec 7.1-7.7). */
export const moderationRoutes: FastifyPluginAsyncTypebox<{ moderation: ModerationService }> = async (
  app,
  { moderation },
) => {
  const read = { auth: 'user', scope: 'moderation:read' } as const;
  const write = { auth: 'user', scope: 'moderation:write' } as const;

  // A ban (spec 7.1) and its lift (7.2) differ only in the method, the POST's empty body and the service call.
  const bans = [
    { method: 'POST', action: 'ban', summary: 'Ban a user in a room: they read, but write nothing there (spec 7.1)' },
    { method: 'DELETE', action: 'unban', summary: 'Lift a ban (spec 7.2)' },
  ] as const;
  for (const { method, action, summary } of bans) {
    app.route({
      method,
      url: '/blockStatus/room/:roomID/:blockee',
      config: write,
      schema: setOrLift(method, summary, RoomBlockeeParams),
      handler: async (request) =>
        ok(await moderation[action](appIdOf(request), actorOf(request), request.params.roomID, request.params.blockee)),
    });
  }

  app.get(
    '/blockStatus/room/:roomID',
    {
      config: read,
      schema: {
        tags,
        summary: 'The bans of a room, newest first (spec 7.3)',
        params: RoomIdParams,
        response: { 200: ModerationRecordsResponse },
      },
    },
    async (request) => ok(await moderation.bans(appIdOf(request), actorOf(request), request.params.roomID)),
  );

  // A personal block (spec 7.4.1) and its lift (7.4.2): likewise.
  const blocks = [
    { method: 'POST', action: 'block', summary: 'Block a user: closes our direct room both ways (spec 7.4.1)' },
    { method: 'DELETE', action: 'unblock', summary: 'Unblock a user (spec 7.4.2)' },
  ] as const;
  for (const { method, action, summary } of blocks) {
    app.route({
      method,
      url: '/blockStatus/my/:blockee',
      config: write,
      schema: setOrLift(method, summary, BlockeeParams),
      handler: async (request) =>
        ok(await moderation[action](appIdOf(request), actingUserId(request), request.params.blockee)),
    });
  }

  app.get(
    '/blockStatus/my',
    {
      config: read,
      schema: { tags, summary: 'The users I block (spec 7.4.3)', response: { 200: ModerationRecordsResponse } },
    },
    async (request) => ok(await moderation.blocks(appIdOf(request), actingUserId(request))),
  );

  // Mute (spec 7.6) and unmute (7.7) differ only in the method.
  const adminMutes = [
    { method: 'POST', muted: true, summary: "Mute a room's notifications for a user (spec 7.6)" },
    { method: 'DELETE', muted: false, summary: "Unmute a room's notifications for a user (spec 7.7)" },
  ] as const;
  for (const { method, muted, summary } of adminMutes) {
    app.route({
      method,
      url: '/admin/clients/:uid/mute/:room',
      config: { auth: 'admin', scope: 'moderation:write' },
      schema: { tags, summary, params: AdminMuteParams, querystring: IgnoredPaging, response: { 200: UserResponse } },
      handler: async (request) =>
        ok(await moderation.adminMute(appIdOf(request), request.params.uid, request.params.room, muted)),
    });
  }
};

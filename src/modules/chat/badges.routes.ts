import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import {
  ByRoomTagsBody,
  ByRoomTagsResponse,
  MAX_BADGE_TAGS,
  TotalBadgeQuery,
  TotalBadgeResponse,
} from './badges.schemas.js';
import { actingUserId, appIdOf } from '../../http/actor.js';
import type { BadgesService } from './badges.service.js';

const tags = ['Unread counts'];

export const badgesRoutes: FastifyPluginAsyncTypebox<{ badges: BadgesService }> = async (app, { badges }) => {
  app.post(
    '/badges/byRoomTags',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'My unread counts per room tag (spec 6.1)',
        body: ByRoomTagsBody,
        response: { 200: ByRoomTagsResponse },
      },
    },
    async (request) => {
      const value = request.body?.tags;
      if (
        value !== undefined &&
        value !== null &&
        (!Array.isArray(value) || value.length > MAX_BADGE_TAGS || !value.every((tag) => typeof tag === 'string'))
      ) {
        throw new AppError('INVALID_TAGS');
      }
      return ok(
        await badges.byRoomTags(appIdOf(request), actingUserId(request), (value ?? undefined) as string[] | undefined),
      );
    },
  );

  app.get(
    '/me/badge',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'My total unread count (spec 6.2)',
        description: '`roomTags` may repeat; a room must carry every one of them.',
        querystring: TotalBadgeQuery,
        response: { 200: TotalBadgeResponse },
      },
    },
    async (request) => {
      const tagsGiven = [...(request.query.roomTags ?? []), ...(request.query['roomTags[]'] ?? [])];
      if (tagsGiven.some((tag) => tag.trim() === '')) throw new AppError('INVALID_ROOM_TAGS');
      return ok({ badge: await badges.total(appIdOf(request), actingUserId(request), tagsGiven) });
    },
  );
};

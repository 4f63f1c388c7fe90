import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import {
  BadgesOfTokensBody,
  BadgesOfTokensResponse,
  ByRoomTagsAndTimeBody,
  ByRoomTagsBody,
  ByRoomTagsResponse,
  MAX_BADGE_TAGS,
  TotalBadgeQuery,
  TotalBadgeResponse,
} from './badges.schemas.js';
import { actingUserId, appIdOf, tokenUsersOf } from '../../http/actor.js';
import type { BadgesService } from './badges.service.js';
import { parseTime } from '../../shared/time.js';

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
    async (request) =>
      ok(await badges.byRoomTags(appIdOf(request), actingUserId(request), readTags(request.body?.tags))),
  );

  app.post(
    '/badges/byRoomTagsAndTime',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'My unread counts per room tag, of messages sent before a time (history 8.1)',
        description: '`beforeTime` (ISO-8601 or a millisecond epoch; absent: now): later unread messages do not count.',
        body: ByRoomTagsAndTimeBody,
        response: { 200: ByRoomTagsResponse },
      },
    },
    async (request) => {
      const given = request.body?.beforeTime;
      const beforeTime = given === undefined || given === null ? undefined : parseTime(given);
      if (given !== undefined && given !== null && beforeTime === undefined)
        throw new AppError('INVALID_REQUEST', 'beforeTime must be an ISO-8601 time or a millisecond epoch');
      return ok(
        await badges.byRoomTags(appIdOf(request), actingUserId(request), readTags(request.body?.tags), beforeTime),
      );
    },
  );

  app.post(
    '/badges',
    {
      config: { auth: 'bodyTokens', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'Total unread counts of several users, by their tokens (history 8.2)',
        description:
          'For a device signed in as several users: the client key in the headers, their tokens in the body. ' +
          'A token that is not a valid token of the application (unknown, expired, revoked) is left out; a user ' +
          'named by two tokens has one entry. `totalBadge` is the sum of the entries.',
        body: BadgesOfTokensBody,
        response: { 200: BadgesOfTokensResponse },
      },
    },
    async (request) => ok(await badges.ofUsers(appIdOf(request), tokenUsersOf(request))),
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

/** `tags` of the by-tag counts: absent, null or an array of at most 100 strings; else 400 INVALID_TAGS. */
function readTags(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > MAX_BADGE_TAGS || !value.every((tag) => typeof tag === 'string'))
    throw new AppError('INVALID_TAGS');
  return value;
}

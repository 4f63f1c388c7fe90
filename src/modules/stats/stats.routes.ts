import { appIdOf, authOf } from '../../http/actor.js';
import { freemem, totalmem } from 'node:os';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { iso, parseTime } from '../../shared/time.js';

const HOUR_MS = 3_600_000;
const MONTH_MS = 30 * 24 * HOUR_MS;
const MAX_USER_LIST = 1000;

export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { apps, usersRepository, roomsRepository, messagesRepository, connections } = app.services;

  app.get(
    '/admin/connection-count',
    {
      config: { auth: 'admin', scope: 'stats:read' },
      schema: {
        tags: ['Monitoring'],
        summary: 'Live real-time connections (spec 9.1)',
        description: 'Authenticated socket connections of this application, summed over every node.',
        response: { 200: Envelope(Type.Object({ count: Type.Integer() })) },
      },
    },
    async (request) => ok({ count: await connections.count(appIdOf(request)) }),
  );

  app.get(
    '/admin/stats',
    {
      config: { auth: 'admin', scope: 'stats:read' },
      schema: {
        tags: ['Monitoring'],
        summary: 'Statistics report (spec 9.2)',
        description:
          "Window: the last hour unless `start`/`end` (ISO-8601 or ms epoch) are given. `apiKey` is the caller's own key, masked.",
        querystring: Type.Object({ start: Type.Optional(Type.String()), end: Type.Optional(Type.String()) }),
        response: {
          200: Envelope(
            Type.Object({
              clientId: Type.String(),
              clientKey: Type.String(),
              apiKey: Type.String(),
              startTime: Type.String(),
              endTime: Type.String(),
              start: Type.Integer(),
              end: Type.Integer(),
              userList: Type.Array(Type.String()),
              roomCount: Type.Integer(),
              totalRoomCount: Type.Integer(),
              messageCount: Type.Integer(),
              peakConnectionCount: Type.Integer(),
              newUserCount: Type.Integer(),
              totalUserCount: Type.Integer(),
              monthlyAcitiveUserCount: Type.Integer(),
              totalMem: Type.Number(),
              freeMem: Type.Number(),
            }),
          ),
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      if (auth.kind !== 'apiKey') throw new AppError('MISSING_API_KEY');
      const now = Date.now();
      const end = request.query.end === undefined ? now : parseTime(request.query.end);
      const start = request.query.start === undefined ? (end ?? now) - HOUR_MS : parseTime(request.query.start);
      if (start === undefined || end === undefined || start > end)
        throw new AppError('INVALID_REQUEST', 'start and end must be times with start before end');
      const appRecord = await apps.get(auth.app.id);
      const [
        userList,
        totalUserCount,
        newUserCount,
        monthly,
        roomCount,
        totalRoomCount,
        messageCount,
        liveConnections,
      ] = await Promise.all([
        usersRepository.activeBetween(appRecord.id, start, end, MAX_USER_LIST),
        usersRepository.count(appRecord.id),
        usersRepository.count(appRecord.id, start),
        usersRepository.countActiveSince(appRecord.id, end - MONTH_MS),
        roomsRepository.countActive(appRecord.id, start, end),
        roomsRepository.count(appRecord.id),
        messagesRepository.count(appRecord.id, undefined, start, end),
        connections.count(appRecord.id),
      ]);
      return ok({
        clientId: appRecord.id,
        clientKey: appRecord.clientKey,
        apiKey: `…${auth.key.last4}`,
        startTime: iso(start),
        endTime: iso(end),
        start: Math.floor(start / 1000),
        end: Math.floor(end / 1000),
        userList,
        roomCount,
        totalRoomCount,
        messageCount,
        // No history of connections is kept yet: the peak reported is the count now.
        peakConnectionCount: liveConnections,
        newUserCount,
        totalUserCount,
        monthlyAcitiveUserCount: monthly,
        totalMem: totalmem(),
        freeMem: freemem(),
      });
    },
  );
};

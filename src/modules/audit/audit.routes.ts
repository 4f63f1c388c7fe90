import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { Envelope, ListOf, Skip } from '../../http/schemas.js';
import { iso, parseTime } from '../../shared/time.js';

const AuditRecord = Type.Object({
  time: Type.String(),
  timeMS: Type.Number(),
  keyId: Type.Union([Type.String(), Type.Null()]),
  keyName: Type.Union([Type.String(), Type.Null()]),
  ip: Type.String(),
  method: Type.String(),
  route: Type.String(),
  url: Type.String(),
  status: Type.Integer(),
  targetIds: Type.Array(Type.String()),
  requestId: Type.String(),
  durationMs: Type.Number(),
  count: Type.Integer({ description: 'Identical requests that changed nothing, in the same second, share one record' }),
});

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { audit, activity } = app.services;

  app.get(
    '/admin/audit',
    {
      config: { auth: 'admin', scope: 'audit:read' },
      schema: {
        tags: ['Audit'],
        summary: 'Admin requests, newest first',
        description:
          'Every request to an admin route or made with an API key, including refused ones. Kept for AUDIT_RETENTION_DAYS.',
        querystring: Type.Object({
          keyId: Type.Optional(Type.String()),
          method: Type.Optional(Type.String({ maxLength: 10 })),
          route: Type.Optional(Type.String({ maxLength: 200, description: 'Route pattern, e.g. /admin/clients/:id' })),
          status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
          ip: Type.Optional(Type.String({ maxLength: 64 })),
          targetId: Type.Optional(Type.String({ maxLength: 255 })),
          from: Type.Optional(Type.String({ description: 'ISO-8601 or ms epoch' })),
          to: Type.Optional(Type.String({ description: 'ISO-8601 or ms epoch' })),
          skip: Type.Optional(Skip),
          limit: Type.Optional(Type.Integer({ minimum: 0, description: 'Default 50, at most 500' })),
        }),
        response: { 200: Envelope(ListOf(AuditRecord)) },
      },
    },
    async (request) => {
      const { from, to, skip = 0, limit, ...filters } = request.query;
      const time = (value: string | undefined, name: string) => {
        if (value === undefined) return undefined;
        const ms = parseTime(value);
        if (ms === undefined) throw new AppError('INVALID_REQUEST', `${name} must be an ISO-8601 time or a ms epoch`);
        return ms;
      };
      await activity.flush();
      const page = await audit.list(appIdOf(request), {
        ...filters,
        from: time(from, 'from'),
        to: time(to, 'to'),
        skip,
        limit: Math.min(limit || 50, 500),
      });
      return ok({
        totalCount: page.totalCount,
        data: page.data.map(({ appId: _appId, at, ...entry }) => ({ time: iso(at), timeMS: at, ...entry })),
      });
    },
  );
};

import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { iso, parseTime } from '../../shared/time.js';
import type { AuditService } from './audit.service.js';
import { AuditListQuery, AuditListResponse } from './audit.schemas.js';

const time = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const ms = parseTime(value);
  if (ms === undefined) throw new AppError('INVALID_REQUEST', `${name} must be an ISO-8601 time or a ms epoch`);
  return ms;
};

/** The audit trail of admin requests. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/admin/audit',
    {
      config: { auth: 'admin', scope: 'audit:read' },
      schema: {
        tags: ['Audit'],
        summary: 'Admin requests, newest first',
        description:
          'Every request to an admin route or made with an API key, including refused ones. ' +
          'Kept for AUDIT_RETENTION_DAYS.',
        querystring: AuditListQuery,
        response: { 200: AuditListResponse },
      },
    },
    async (request) => {
      const { from, to, skip = 0, limit, ...filters } = request.query;
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

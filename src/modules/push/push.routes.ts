import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import type { PushDeliveriesRepository } from './push-deliveries.repository.js';
import {
  NotificationsQuery,
  NotificationsReply,
  PushBody,
  PushToTokensBody,
  notificationView,
} from './push.schemas.js';
import type { PushService } from './push.service.js';

const tags = ['Push'];

/** Push notifications (spec 10) and their log (extension). */
export const pushRoutes: FastifyPluginAsyncTypebox<{
  push: PushService;
  deliveries: Pick<PushDeliveriesRepository, 'of'>;
}> = async (app, { push, deliveries }) => {
  app.post(
    '/push/push2clients',
    {
      config: { auth: 'admin', scope: 'push:write' },
      schema: {
        tags,
        summary: 'Push a notification to the devices of users (spec 10.1)',
        description:
          'Recorded, then handed to the configured provider in the background; users without a device receive nothing.',
        body: PushBody,
        response: { 200: Envelope(Type.Object({})) },
      },
    },
    async (request) => {
      request.auditTargets.push(await push.pushToClients(appIdOf(request), request.body ?? {}));
      return ok({});
    },
  );

  app.post(
    '/push/push2tokens',
    {
      config: { auth: 'admin', scope: 'push:write' },
      schema: {
        tags,
        summary: 'Push a notification to device tokens of one type (realtime-protocol 6.3, `admin.pushToTokens`)',
        description:
          '`{type, tokens, payload}`: delivered to these tokens whether or not a user registered them; ' +
          'recorded, then sent in the background like `push2clients`.',
        body: PushToTokensBody,
        response: { 200: Envelope(Type.Object({})) },
      },
    },
    async (request) => {
      request.auditTargets.push(await push.pushToTokens(appIdOf(request), request.body ?? {}));
      return ok({});
    },
  );

  app.get(
    '/admin/push/notifications',
    {
      config: { auth: 'admin', scope: 'stats:read' },
      schema: {
        tags,
        summary: 'The push notifications recorded, newest first, with each delivery and its answer (extension)',
        querystring: NotificationsQuery,
        response: { 200: NotificationsReply },
      },
    },
    async (request) => {
      const { status, skip = 0, limit = 50 } = request.query;
      const page = await push.list(appIdOf(request), { status, skip, limit });
      const records = await deliveries.of(page.data.map((entry) => entry.id));
      return ok({
        totalCount: page.totalCount,
        data: page.data.map((entry) =>
          notificationView(
            entry,
            records.filter((record) => record.pushId === entry.id),
          ),
        ),
      });
    },
  );
};

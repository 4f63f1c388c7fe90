import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { isoOrNull } from '../../shared/time.js';
import {
  DeliveriesQuery,
  DeliveriesReply,
  DeliveryParams,
  DeliveryReply,
  RotateBody,
  RotateReply,
  SecretReply,
  SettingsBody,
  SettingsReply,
  deliveryView,
  settingsView,
} from './webhooks.schemas.js';
import type { WebhooksService } from './webhooks.service.js';

const tags = ['Webhooks'];
const read = { auth: 'admin', scope: 'webhooks:read' } as const;
const write = { auth: 'admin', scope: 'webhooks:write' } as const;

/** Webhook settings, secret rotation, the delivery log and redelivery (issue 5, spec 11). */
export const webhooksRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  app.get(
    '/admin/webhooks',
    {
      config: read,
      schema: { tags, summary: 'Webhook settings and delivery counts', response: { 200: SettingsReply } },
    },
    async (request) => ok(settingsView(await webhooks.overview(appIdOf(request)))),
  );

  app.put(
    '/admin/webhooks',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set the app-wide webhook URL and the base URL room webhook keys resolve against (spec 11.1)',
        body: SettingsBody,
        response: { 200: SettingsReply },
      },
    },
    async (request) => ok(settingsView(await webhooks.update(appIdOf(request), request.body))),
  );

  app.post(
    '/admin/webhooks/secret',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rotate the signing secret; the previous one keeps signing alongside for the grace period',
        description:
          'The new secret is shown in this response only. ' +
          'During the grace period every delivery carries both signatures.',
        body: RotateBody,
        response: { 200: RotateReply },
      },
    },
    async (request) => {
      const rotated = await webhooks.rotateSecret(appIdOf(request), request.body?.graceSeconds);
      return ok({ secret: rotated.secret, previousSecretValidUntil: isoOrNull(rotated.previousUntil) });
    },
  );

  app.get(
    '/admin/webhooks/secret',
    {
      config: write,
      schema: { tags, summary: 'The current signing secret (to configure a receiver)', response: { 200: SecretReply } },
    },
    async (request) => ok({ secret: (await webhooks.settings(appIdOf(request))).secret }),
  );

  app.get(
    '/admin/webhooks/deliveries',
    {
      config: read,
      schema: {
        tags,
        summary: 'The delivery log, newest first',
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesReply },
      },
    },
    async (request) => {
      const { status, skip = 0, limit = 50 } = request.query;
      const page = await webhooks.deliveries(appIdOf(request), { status, skip, limit });
      return ok({ totalCount: page.totalCount, data: page.data.map(deliveryView) });
    },
  );

  app.get(
    '/admin/webhooks/deliveries/:id',
    {
      config: read,
      schema: { tags, summary: 'One delivery', params: DeliveryParams, response: { 200: DeliveryReply } },
    },
    async (request) => ok(deliveryView(await webhooks.delivery(appIdOf(request), request.params.id))),
  );

  app.post(
    '/admin/webhooks/deliveries/:id/redeliver',
    {
      config: write,
      schema: {
        tags,
        summary: 'Send a delivery again, with a fresh budget of attempts',
        params: DeliveryParams,
        response: { 200: DeliveryReply },
      },
    },
    async (request) => ok(deliveryView(await webhooks.redeliver(appIdOf(request), request.params.id))),
  );
};

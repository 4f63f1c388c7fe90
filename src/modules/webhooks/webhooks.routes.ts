import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { ClosedObject, Envelope, ListOf, Skip } from '../../http/schemas.js';
import { iso, isoOrNull } from '../../shared/time.js';
import { BlockedDestination, checkDestination, newWebhookSecret } from '../../shared/outbound/index.js';
import type { Delivery, WebhookSettings } from './webhooks.repository.js';

const tags = ['Webhooks'];
const Url = Type.Union([Type.String({ maxLength: 2048 }), Type.Null()]);
const DEFAULT_GRACE_S = 24 * 3600;

const deliveryView = (delivery: Delivery) => ({
  id: delivery.id,
  event: delivery.event,
  roomID: delivery.roomId,
  url: delivery.url,
  status: delivery.status,
  attempts: delivery.attempts,
  nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
  lastStatus: delivery.lastStatus,
  lastError: delivery.lastError,
  payload: JSON.parse(delivery.payload) as unknown,
  createdAt: iso(delivery.createdAt),
  updatedAt: iso(delivery.updatedAt),
});

const DeliverySchema = Type.Object({}, { additionalProperties: true });

/** Webhook settings, secret rotation, the delivery log and redelivery (issue 5, spec 11). */
export const webhooksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { webhooks, webhooksRepository, config } = app.services;
  const read = { auth: 'admin', scope: 'webhooks:read' } as const;
  const write = { auth: 'admin', scope: 'webhooks:write' } as const;

  const settingsView = async (settings: WebhookSettings) => ({
    url: settings.url,
    baseUrl: settings.baseUrl,
    secret: `…${settings.secret.slice(-4)}`,
    previousSecretValidUntil:
      settings.previousSecret && (settings.previousUntil ?? 0) > Date.now() ? isoOrNull(settings.previousUntil) : null,
    deliveries: await webhooksRepository.counts(settings.appId),
  });

  const checkUrl = async (value: string | null | undefined, name: string) => {
    if (value === null || value === undefined || value === '') return;
    try {
      await checkDestination(value, config.webhooks.allowPrivate);
    } catch (error) {
      if (error instanceof BlockedDestination) throw new AppError('INVALID_REQUEST', `${name}: ${error.message}`);
      throw error;
    }
  };

  app.get(
    '/admin/webhooks',
    {
      config: read,
      schema: {
        tags,
        summary: 'Webhook settings and delivery counts',
        response: { 200: Envelope(Type.Object({}, { additionalProperties: true })) },
      },
    },
    async (request) => ok(await settingsView(await webhooks.settings(appIdOf(request)))),
  );

  app.put(
    '/admin/webhooks',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set the app-wide webhook URL and the base URL room webhook keys resolve against (spec 11.1)',
        body: ClosedObject({ url: Type.Optional(Url), baseUrl: Type.Optional(Url) }),
        response: { 200: Envelope(Type.Object({}, { additionalProperties: true })) },
      },
    },
    async (request) => {
      await checkUrl(request.body.url, 'url');
      await checkUrl(request.body.baseUrl, 'baseUrl');
      const current = await webhooks.settings(appIdOf(request));
      const next = { ...current };
      if (request.body.url !== undefined) next.url = request.body.url || null;
      if (request.body.baseUrl !== undefined) next.baseUrl = request.body.baseUrl || null;
      await webhooksRepository.saveSettings(next);
      return ok(await settingsView(next));
    },
  );

  app.post(
    '/admin/webhooks/secret',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rotate the signing secret; the previous one keeps signing alongside for the grace period',
        description:
          'The new secret is shown in this response only. During the grace period every delivery carries both signatures.',
        body: Type.Union([
          ClosedObject({ graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600 })) }),
          Type.Null(),
        ]),
        response: {
          200: Envelope(
            Type.Object({ secret: Type.String(), previousSecretValidUntil: Type.Union([Type.String(), Type.Null()]) }),
          ),
        },
      },
    },
    async (request) => {
      const current = await webhooks.settings(appIdOf(request));
      const grace = request.body?.graceSeconds ?? DEFAULT_GRACE_S;
      const until = grace > 0 ? Date.now() + grace * 1000 : null;
      const next = {
        ...current,
        secret: newWebhookSecret(),
        previousSecret: until ? current.secret : null,
        previousUntil: until,
      };
      await webhooksRepository.saveSettings(next);
      return ok({ secret: next.secret, previousSecretValidUntil: isoOrNull(until) });
    },
  );

  app.get(
    '/admin/webhooks/secret',
    {
      config: { auth: 'admin', scope: 'webhooks:write' },
      schema: {
        tags,
        summary: 'The current signing secret (to configure a receiver)',
        response: { 200: Envelope(Type.Object({ secret: Type.String() })) },
      },
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
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
          ),
          skip: Type.Optional(Skip),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
        }),
        response: { 200: Envelope(ListOf(DeliverySchema)) },
      },
    },
    async (request) => {
      const page = await webhooksRepository.list(appIdOf(request), {
        status: request.query.status,
        skip: request.query.skip ?? 0,
        limit: request.query.limit ?? 50,
      });
      return ok({ totalCount: page.totalCount, data: page.data.map(deliveryView) });
    },
  );

  app.get(
    '/admin/webhooks/deliveries/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One delivery',
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        response: { 200: Envelope(DeliverySchema) },
      },
    },
    async (request) => {
      const delivery = await webhooksRepository.find(appIdOf(request), request.params.id);
      if (!delivery) throw new AppError('NOT_FOUND', 'No such delivery');
      return ok(deliveryView(delivery));
    },
  );

  app.post(
    '/admin/webhooks/deliveries/:id/redeliver',
    {
      config: write,
      schema: {
        tags,
        summary: 'Send a delivery again, with a fresh budget of attempts',
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        response: { 200: Envelope(DeliverySchema) },
      },
    },
    async (request) => {
      const appId = appIdOf(request);
      const delivery = await webhooksRepository.find(appId, request.params.id);
      if (!delivery) throw new AppError('NOT_FOUND', 'No such delivery');
      await webhooksRepository.record(delivery.id, {
        status: 'pending',
        attempts: 0,
        nextAttemptAt: Date.now(),
        lastStatus: delivery.lastStatus,
        lastError: delivery.lastError,
      });
      return ok(deliveryView((await webhooksRepository.find(appId, delivery.id))!));
    },
  );
};

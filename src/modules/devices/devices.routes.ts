import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { actingUserId, appIdOf } from '../../http/actor.js';

const tags = ['Push devices (SDK)'];
const DeviceType = Type.Union(
  ['ios', 'android', 'fcm', 'web', 'ios-voip'].map((type) => Type.Literal(type)),
  { description: 'ios | android | fcm | web | ios-voip' },
);
const Token = Type.String({ minLength: 1, maxLength: 4096 });
const DeviceId = Type.String({ minLength: 1, maxLength: 255 });

/** The user a registration is for: the token's, or with the API key `clientId` (or IM-CLIENT-ID). */
function userOf(request: FastifyRequest, clientId: string | undefined): string {
  if (request.auth?.kind === 'apiKey' && clientId !== undefined) return clientId;
  return actingUserId(request);
}

/** `POST /me/subscribe` and `/me/unsubscribe` ([hist], spec 10.2 and 12 item 69; realtime protocol 6.2). */
export const devicesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { devices, usersRepository } = app.services;

  app.post(
    '/me/subscribe',
    {
      config: { auth: 'user', scope: 'push:write' },
      schema: {
        tags,
        summary: 'Register a device for push notifications',
        body: Type.Object({
          type: DeviceType,
          token: Token,
          deviceId: Type.Optional(DeviceId),
          clientId: Type.Optional(Type.String({ minLength: 1 })),
        }),
        response: {
          200: Envelope(
            Type.Object({
              client: Type.String(),
              type: Type.String(),
              deviceId: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (request) => {
      const appId = appIdOf(request);
      const userId = userOf(request, request.body.clientId);
      if (!(await usersRepository.find(appId, userId)))
        throw new AppError('CLIENT_NOT_FOUND', `Client with id '${userId}' not found`);
      const deviceId = request.body.deviceId ?? null;
      await devices.subscribe(appId, userId, { type: request.body.type, token: request.body.token, deviceId });
      return ok({ client: userId, type: request.body.type, deviceId });
    },
  );

  app.post(
    '/me/unsubscribe',
    {
      config: { auth: 'user', scope: 'push:write' },
      schema: {
        tags,
        summary: 'Unregister a device (by token or deviceId; every device of the type when neither is given)',
        body: Type.Object({
          type: DeviceType,
          token: Type.Optional(Token),
          deviceId: Type.Optional(DeviceId),
          clientId: Type.Optional(Type.String({ minLength: 1 })),
        }),
        response: { 200: Envelope(Type.Object({ client: Type.String(), removed: Type.Integer() })) },
      },
    },
    async (request) => {
      const appId = appIdOf(request);
      const userId = userOf(request, request.body.clientId);
      const removed = await devices.unsubscribe(appId, userId, {
        type: request.body.type,
        token: request.body.token,
        deviceId: request.body.deviceId,
      });
      return ok({ client: userId, removed });
    },
  );
};

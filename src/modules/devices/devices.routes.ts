import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { actingUserId, appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import type { DevicesService } from './devices.service.js';
import { SubscribeBody, SubscribeReply, UnsubscribeBody, UnsubscribeReply } from './devices.schemas.js';

const tags = ['Push devices (SDK)'];
const write = { auth: 'user', scope: 'push:write' } as const;

/** The user a registration is for: the token's, or with the API key (or an operator) `clientId` (or IM-CLIENT-ID). */
function userOf(request: FastifyRequest, clientId: string | undefined): string {
  const kind = request.auth?.kind;
  if ((kind === 'apiKey' || kind === 'operator') && clientId !== undefined) return clientId;
  return actingUserId(request);
}

/** The options of both routes: a device in the body, for the acting user (or, with the API key, the named one). */
const device = <Body extends TSchema, Reply extends TSchema>(summary: string, body: Body, reply: Reply) =>
  ({ config: write, schema: { tags, summary, body, response: { 200: reply } } }) as const;

/** `POST /me/subscribe` and `/me/unsubscribe` ([hist], spec 10.2 and 12 item 69; realtime protocol 6.2). */
export const devicesRoutes: FastifyPluginAsyncTypebox<{ devices: DevicesService }> = async (app, { devices }) => {
  const registering = device('Register a device for push notifications', SubscribeBody, SubscribeReply);
  app.post('/me/subscribe', registering, async (request) => {
    const { type, token, deviceId, clientId } = request.body;
    const userId = userOf(request, clientId);
    return ok(await devices.subscribe(appIdOf(request), userId, { type, token, deviceId: deviceId ?? null }));
  });

  const unregistering = device(
    'Unregister a device (by token or deviceId; every device of the type when neither is given)',
    UnsubscribeBody,
    UnsubscribeReply,
  );
  app.post('/me/unsubscribe', unregistering, async (request) => {
    const { type, token, deviceId, clientId } = request.body;
    return ok(await devices.unsubscribe(appIdOf(request), userOf(request, clientId), { type, token, deviceId }));
  });
};

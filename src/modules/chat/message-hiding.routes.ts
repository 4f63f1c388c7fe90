import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { BySenderBody, BySenderResponse } from './message-hiding.schemas.js';
import type { MessageHidingService } from './message-hiding.service.js';
import { MessageParams, MessageResponse } from './messages.schemas.js';

const tags = ['Messages'];

export const messageHidingRoutes: FastifyPluginAsyncTypebox<{ hiding: MessageHidingService }> = async (
  app,
  { hiding },
) => {
  const write = { auth: 'user', scope: 'messages:write' } as const;

  for (const [method, hidden] of [
    ['POST', true],
    ['DELETE', false],
  ] as const) {
    app.route({
      method,
      url: '/messages/:id/hidden',
      config: write,
      schema: {
        tags,
        summary: `${hidden ? 'Hide' : 'Unhide'} a message for everyone (history 7.8)`,
        params: MessageParams,
        response: { 200: MessageResponse },
      },
      handler: async (request) =>
        ok(await hiding.setHidden(appIdOf(request), actorOf(request), request.params.id, hidden)),
    });
  }

  for (const [path, hidden] of [
    ['/messages/hide-by-sender-in-room', true],
    ['/messages/unhide-by-sender-in-room', false],
  ] as const) {
    app.post(
      path,
      {
        config: write,
        schema: {
          tags,
          summary: `${hidden ? 'Hide' : 'Unhide'} every message of a sender in a room (history 7.8)`,
          body: BySenderBody,
          response: { 200: BySenderResponse },
        },
      },
      async (request) =>
        ok(
          await hiding.setHiddenBySender(
            appIdOf(request),
            actorOf(request),
            request.body.room,
            request.body.sender,
            hidden,
          ),
        ),
    );
  }
};

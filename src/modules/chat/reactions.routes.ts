import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appIdOf, userActorOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { MessageParams, MessageResponse } from './messages.schemas.js';
import { ReactionBody, ReactionQuery } from './reactions.schemas.js';
import type { ReactionsService } from './reactions.service.js';

const tags = ['Messages'];

export const reactionsRoutes: FastifyPluginAsyncTypebox<{ reactions: ReactionsService }> = async (
  app,
  { reactions },
) => {
  const write = { auth: 'user', scope: 'messages:write' } as const;

  app.post(
    '/messages/:id/reaction',
    {
      config: write,
      schema: {
        tags,
        summary: 'React to a message (history 7.7)',
        params: MessageParams,
        body: ReactionBody,
        response: { 200: MessageResponse },
      },
    },
    async (request) =>
      ok(await reactions.add(appIdOf(request), userActorOf(request), request.params.id, request.body.reaction)),
  );

  app.delete(
    '/messages/:id/reaction',
    {
      config: write,
      schema: {
        tags,
        summary: 'Revoke my reaction to a message (history 7.7)',
        params: MessageParams,
        querystring: ReactionQuery,
        response: { 200: MessageResponse },
      },
    },
    async (request) =>
      ok(await reactions.remove(appIdOf(request), userActorOf(request), request.params.id, request.query.reaction)),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actingUserId, actorOf, appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import {
  CancelInvitationsBody,
  InvitationPageQuery,
  InviteeParams,
  MyInvitationsResponse,
  RoomInvitationsResponse,
} from './invitations.schemas.js';
import type { InvitationsService } from './invitations.service.js';
import { RoomParams } from './rooms.schemas.js';

const tags = ['Invitations'];

/** Pending invitations ([hist] 6.2-6.6): a static `/rooms/invitations` wins over `/rooms/:id` in the router. */
export const invitationsRoutes: FastifyPluginAsyncTypebox<{ invitations: InvitationsService }> = async (
  app,
  { invitations },
) => {
  const read = { auth: 'user', scope: 'rooms:read' } as const;
  const write = { auth: 'user', scope: 'rooms:write' } as const;

  app.get(
    '/rooms/invitations',
    {
      config: read,
      schema: {
        tags,
        summary: 'My pending invitations, newest first ([hist] 6.2)',
        querystring: InvitationPageQuery,
        response: { 200: MyInvitationsResponse },
      },
    },
    async (request) => ok(await invitations.mine(appIdOf(request), actingUserId(request), request.query)),
  );

  app.get(
    '/rooms/:id/invitations',
    {
      config: read,
      schema: {
        tags,
        summary: "A room's pending invitations, for its members ([hist] 6.3)",
        params: RoomParams,
        querystring: InvitationPageQuery,
        response: { 200: RoomInvitationsResponse },
      },
    },
    async (request) =>
      ok(await invitations.ofRoom(appIdOf(request), actorOf(request), request.params.id, request.query)),
  );

  app.delete(
    '/rooms/:id/invitations',
    {
      config: write,
      schema: {
        tags,
        summary: 'Decline my invitation to a room; answers my remaining invitations ([hist] 6.4)',
        params: RoomParams,
        response: { 200: MyInvitationsResponse },
      },
    },
    async (request) => ok(await invitations.decline(appIdOf(request), actingUserId(request), request.params.id)),
  );

  app.post(
    '/rooms/:id/delete/invitations',
    {
      config: write,
      schema: {
        tags,
        summary: "Cancel invitations to a room; answers the room's remaining ones ([hist] 6.5)",
        params: RoomParams,
        body: CancelInvitationsBody,
        response: { 200: RoomInvitationsResponse },
      },
    },
    async (request) => {
      request.auditTargets.push(...request.body.invitees.slice(0, 100));
      return ok(await invitations.cancel(appIdOf(request), actorOf(request), request.params.id, request.body));
    },
  );

  app.delete(
    '/rooms/:id/invitations/:invitee',
    {
      config: write,
      schema: {
        tags,
        summary: 'Cancel one invitation (deprecated form of POST /rooms/:id/delete/invitations, [hist] 6.6)',
        params: InviteeParams,
        response: { 200: RoomInvitationsResponse },
      },
    },
    async (request) => {
      const { id, invitee } = request.params;
      return ok(await invitations.cancel(appIdOf(request), actorOf(request), id, { invitees: [invitee] }));
    },
  );
};

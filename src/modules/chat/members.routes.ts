import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { actingUserId, actorOf, appIdOf, authOf, userActorOf } from '../../http/actor.js';
import { RoomParams, RoomResponse } from './rooms.schemas.js';
import {
  AddMembersBody,
  MemberPropertyBody,
  MemberPropertyParams,
  MuteParams,
  MuteResponse,
  RemoveMembersBody,
} from './members.schemas.js';
import type { MembersService } from './members.service.js';

const tags = ['Members'];

/** `invitationRequired` as the body asks, else the application's default ([hist] 6.1, 13.6). */
export const invitationRequiredOf = (request: FastifyRequest, asked: boolean | undefined): boolean =>
  asked ?? authOf(request).app.settings.defaultInvitationRequired;

export const membersRoutes: FastifyPluginAsyncTypebox<{ members: MembersService }> = async (app, { members }) => {
  const write = { auth: 'user', scope: 'rooms:write' } as const;

  /** Adding and removing members: a room, a list of users in the body, the room answered. */
  const memberList = <Body extends TSchema>(summary: string, body: Body) =>
    ({ config: write, schema: { tags, summary, params: RoomParams, body, response: { 200: RoomResponse } } }) as const;

  const addition = memberList('Add members (spec 4.6)', AddMembersBody);
  app.post('/rooms/:id/members', addition, async (request) => {
    request.auditTargets.push(...request.body.invitees.slice(0, 100));
    const invitationRequired = invitationRequiredOf(request, request.body.invitationRequired);
    return ok(
      await members.add(appIdOf(request), actorOf(request), request.params.id, { ...request.body, invitationRequired }),
    );
  });

  const removal = memberList('Remove members, or leave (spec 4.7)', RemoveMembersBody);
  app.post('/rooms/:id/delete/members', removal, async (request) => {
    request.auditTargets.push(...request.body.members.slice(0, 100));
    return ok(await members.remove(appIdOf(request), actorOf(request), request.params.id, request.body));
  });

  app.put(
    '/rooms/:id/member/:client',
    {
      config: write,
      schema: {
        tags,
        summary: "Update a member's property or role (spec 4.8, 4.9)",
        params: MemberPropertyParams,
        body: MemberPropertyBody,
        response: { 200: RoomResponse },
      },
    },
    async (request) => {
      const { property, value } = request.body;
      if (value === undefined) throw new AppError('INVALID_REQUEST', 'Missing required field: value');
      return ok(
        await members.updateProperty(
          appIdOf(request),
          actorOf(request),
          request.params.id,
          request.params.client,
          property,
          value,
        ),
      );
    },
  );

  app.post(
    '/rooms/:id/join',
    {
      config: write,
      schema: {
        tags,
        summary: 'Join an open room or accept an invitation (spec 13, [hist])',
        params: RoomParams,
        response: { 200: RoomResponse },
      },
    },
    async (request) => ok(await members.join(appIdOf(request), userActorOf(request), request.params.id)),
  );

  // Mute (spec 4.10) and unmute (4.11) differ only in the method.
  const mutes = [
    { method: 'POST', muted: true, summary: "Mute a room's notifications for me (spec 4.10)" },
    { method: 'DELETE', muted: false, summary: "Unmute a room's notifications for me (spec 4.11)" },
  ] as const;
  for (const { method, muted, summary } of mutes) {
    app.route({
      method,
      url: '/me/mute/:room',
      config: write,
      schema: { tags, summary, params: MuteParams, response: { 200: MuteResponse } },
      handler: async (request) =>
        ok(await members.setMuted(appIdOf(request), actingUserId(request), request.params.room, muted)),
    });
  }
};

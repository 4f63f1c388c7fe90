import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../http/envelope.js';
import type { AppsService } from './apps.service.js';
import { AppResponse, UpdateAppBody, appView } from './apps.schemas.js';

const tags = ['Application'];

/** The calling application's name and settings. */
export const appsRoutes: FastifyPluginAsyncTypebox<{ apps: AppsService }> = async (app, { apps }) => {
  app.get(
    '/admin/app',
    {
      config: { auth: 'admin', scope: 'config:read' },
      schema: { tags, summary: "The application's name and settings", response: { 200: AppResponse } },
    },
    async (request) => ok(appView(await apps.get(appIdOf(request)))),
  );

  app.patch(
    '/admin/app',
    {
      config: { auth: 'admin', scope: 'config:write' },
      schema: {
        tags,
        summary: "Change the application's name or settings",
        description:
          '`singleTokenPerUser` (default false): when true, issuing, binding or updating a token ' +
          "revokes the user's other tokens. " +
          '`defaultGroupOpening` (default 1): `opening` of new group rooms that set none. ' +
          '`defaultHistoryVisibility` (default "shared"): `historyVisibility` of new rooms that set none ' +
          '("joined": members read only what was sent after they joined). ' +
          '`defaultInvitationRequired` (default false): users added to a group room by a call that does not ' +
          'set `invitationRequired` are invited (they join when they accept) instead of added.',
        body: UpdateAppBody,
        response: { 200: AppResponse },
      },
    },
    async (request) => ok(appView(await apps.update(appIdOf(request), request.body))),
  );
};

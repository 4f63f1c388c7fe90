import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { ClosedObject, Envelope } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import type { App } from './apps.repository.js';

const AppSchema = Type.Object({
  appID: Type.String(),
  name: Type.String(),
  settings: Type.Object({
    singleTokenPerUser: Type.Boolean(),
    defaultGroupOpening: Type.Integer(),
    defaultHistoryVisibility: Type.String(),
  }),
  createdAt: Type.String(),
});
const appView = (app: App) => ({
  appID: app.id,
  name: app.name,
  settings: app.settings,
  createdAt: iso(app.createdAt),
});

export const appsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { apps } = app.services;
  const tags = ['Application'];

  app.get(
    '/admin/app',
    {
      config: { auth: 'admin', scope: 'config:read' },
      schema: { tags, summary: "The application's name and settings", response: { 200: Envelope(AppSchema) } },
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
          "`singleTokenPerUser` (default false): when true, issuing, binding or updating a token revokes the user's other tokens. " +
          '`defaultGroupOpening` (default 1): `opening` of new group rooms that set none. ' +
          '`defaultHistoryVisibility` (default "shared"): `historyVisibility` of new rooms that set none ("joined": members read only what was sent after they joined).',
        body: ClosedObject({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          singleTokenPerUser: Type.Optional(Type.Boolean()),
          defaultGroupOpening: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
          defaultHistoryVisibility: Type.Optional(Type.Union([Type.Literal('shared'), Type.Literal('joined')])),
        }),
        response: { 200: Envelope(AppSchema) },
      },
    },
    async (request) => {
      const { name, singleTokenPerUser, defaultGroupOpening, defaultHistoryVisibility } = request.body;
      const patch = Object.fromEntries(
        Object.entries({ singleTokenPerUser, defaultGroupOpening, defaultHistoryVisibility }).filter(
          ([, value]) => value !== undefined,
        ),
      );
      return ok(appView(await apps.updateSettings(appIdOf(request), patch, name)));
    },
  );
};

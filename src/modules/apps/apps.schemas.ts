import { Type } from '@sinclair/typebox';
import { ClosedObject, Envelope } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import type { App } from '../../core/principal.js';

export const AppSchema = Type.Object(
  {
    appID: Type.String(),
    name: Type.String(),
    settings: Type.Object({
      singleTokenPerUser: Type.Boolean(),
      defaultGroupOpening: Type.Integer(),
      defaultHistoryVisibility: Type.String(),
      defaultInvitationRequired: Type.Boolean(),
    }),
    createdAt: Type.String(),
  },
  { title: 'App' },
);

export const UpdateAppBody = ClosedObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  singleTokenPerUser: Type.Optional(Type.Boolean()),
  defaultGroupOpening: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  defaultHistoryVisibility: Type.Optional(Type.Union([Type.Literal('shared'), Type.Literal('joined')])),
  defaultInvitationRequired: Type.Optional(Type.Boolean()),
});

export const AppResponse = Envelope(AppSchema);

export const appView = (app: App) => ({
  appID: app.id,
  name: app.name,
  settings: app.settings,
  createdAt: iso(app.createdAt),
});

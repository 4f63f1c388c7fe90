import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, Skip } from '../../http/schemas.js';

const AuditRecord = Type.Object(
  {
    time: Type.String(),
    timeMS: Type.Number(),
    keyId: Type.Union([Type.String(), Type.Null()]),
    keyName: Type.Union([Type.String(), Type.Null()], {
      description: 'The key\'s name; for a dashboard operator\'s request "operator:<name>"',
    }),
    operatorId: Type.Union([Type.String(), Type.Null()], {
      description: 'The dashboard operator who made the request (keyId is then null)',
    }),
    ip: Type.String(),
    method: Type.String(),
    route: Type.String(),
    url: Type.String(),
    status: Type.Integer(),
    targetIds: Type.Array(Type.String()),
    requestId: Type.String(),
    durationMs: Type.Number(),
    count: Type.Integer({
      description: 'Identical requests that changed nothing, in the same second, share one record',
    }),
  },
  { title: 'AuditEntry' },
);

export const AuditListQuery = Type.Object({
  keyId: Type.Optional(Type.String()),
  operatorId: Type.Optional(Type.String({ maxLength: 64 })),
  method: Type.Optional(Type.String({ maxLength: 10 })),
  route: Type.Optional(Type.String({ maxLength: 200, description: 'Route pattern, e.g. /admin/clients/:id' })),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  ip: Type.Optional(Type.String({ maxLength: 64 })),
  targetId: Type.Optional(Type.String({ maxLength: 255 })),
  from: Type.Optional(Type.String({ description: 'ISO-8601 or ms epoch' })),
  to: Type.Optional(Type.String({ description: 'ISO-8601 or ms epoch' })),
  skip: Type.Optional(Skip),
  limit: Type.Optional(Type.Integer({ minimum: 0, description: 'Default 50, at most 500' })),
});

export const AuditListResponse = Envelope(ListOf(AuditRecord));

import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, OptionalBody, Skip } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import type { PushRecord } from './push.repository.js';

/** Checked by the service, which answers the spec's MISSING_PARAMETER rather than a schema error. */
export const PushBody = OptionalBody(
  Type.Object({ clients: Type.Optional(Type.Unknown()), payload: Type.Optional(Type.Unknown()) }),
);

export const NotificationsQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')])),
  skip: Type.Optional(Skip),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

const Notification = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    clients: Type.Array(Type.String()),
    /** The payload as sent: free-form (spec 10.1). */
    payload: Type.Unknown(),
    status: Type.String(),
    attempts: Type.Integer(),
    devices: Type.Integer(),
    provider: Type.Union([Type.String(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'PushNotification' },
);

export const NotificationsReply = Envelope(ListOf(Notification));

export const notificationView = (entry: PushRecord) => ({
  id: entry.id,
  kind: entry.kind,
  clients: entry.users,
  payload: entry.payload,
  status: entry.status,
  attempts: entry.attempts,
  devices: entry.devices,
  provider: entry.provider,
  lastError: entry.lastError,
  createdAt: iso(entry.createdAt),
  updatedAt: iso(entry.updatedAt),
});

import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, OptionalBody, Skip } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import type { DeliveryRecord } from './push-deliveries.repository.js';
import type { PushRecord } from './push.repository.js';

/** Checked by the service, which answers the spec's MISSING_PARAMETER rather than a schema error. */
export const PushBody = OptionalBody(
  Type.Object({ clients: Type.Optional(Type.Unknown()), payload: Type.Optional(Type.Unknown()) }),
);

/** Checked by the service, like PushBody. */
export const PushToTokensBody = OptionalBody(
  Type.Object({
    type: Type.Optional(Type.Unknown()),
    tokens: Type.Optional(Type.Unknown()),
    payload: Type.Optional(Type.Unknown()),
  }),
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
    deliveries: Type.Array(
      Type.Object(
        {
          provider: Type.String({ description: 'fcm | apns | webpush | imkit-push | imkit-generic | log | http' }),
          client: Type.Union([Type.String(), Type.Null()]),
          deviceType: Type.Union([Type.String(), Type.Null()]),
          tokenTail: Type.Union([Type.String(), Type.Null()], { description: "The device token's last 6 characters" }),
          status: Type.String({ description: 'sent | dead (device removed) | retry | failed' }),
          attempts: Type.Integer(),
          detail: Type.Union([Type.String(), Type.Null()], { description: "The platform's answer" }),
          updatedAt: Type.String(),
        },
        { title: 'PushDelivery' },
      ),
    ),
  },
  { title: 'PushNotification' },
);

export const NotificationsReply = Envelope(ListOf(Notification));

export const notificationView = (entry: PushRecord, deliveries: readonly DeliveryRecord[]) => ({
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
  deliveries: deliveries.map((delivery) => ({
    provider: delivery.provider,
    client: delivery.userId,
    deviceType: delivery.deviceType,
    tokenTail: delivery.tokenTail,
    status: delivery.status,
    attempts: delivery.attempts,
    detail: delivery.detail,
    updatedAt: iso(delivery.updatedAt),
  })),
});

import { Type } from '@sinclair/typebox';
import { ClosedObject, Envelope, ListOf, Skip } from '../../http/schemas.js';
import { iso, isoOrNull } from '../../shared/time.js';
import type { Delivery } from './webhooks.repository.js';
import type { SettingsOverview } from './webhooks.service.js';

const Url = Type.Union([Type.String({ maxLength: 2048 }), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const SettingsBody = ClosedObject({ url: Type.Optional(Url), baseUrl: Type.Optional(Url) });

export const SettingsReply = Envelope(
  Type.Object({
    url: NullableString,
    baseUrl: NullableString,
    secret: Type.String(),
    previousSecretValidUntil: NullableString,
    /** Deliveries by state. */
    deliveries: Type.Record(Type.String(), Type.Integer()),
  }),
);

export const RotateBody = Type.Union([
  ClosedObject({ graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600 })) }),
  Type.Null(),
]);

export const RotateReply = Envelope(Type.Object({ secret: Type.String(), previousSecretValidUntil: NullableString }));

export const SecretReply = Envelope(Type.Object({ secret: Type.String() }));

export const DeliveriesQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
  skip: Type.Optional(Skip),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

export const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1 }) });

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    event: Type.String(),
    roomID: NullableString,
    url: Type.String(),
    status: Type.String(),
    attempts: Type.Integer(),
    nextAttemptAt: NullableString,
    lastStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: NullableString,
    /** The body as delivered (spec 11.2). */
    payload: Type.Unknown(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'WebhookDelivery' },
);

export const DeliveryReply = Envelope(DeliverySchema);
export const DeliveriesReply = Envelope(ListOf(DeliverySchema));

export const settingsView = ({ settings, previousUntil, deliveries }: SettingsOverview) => ({
  url: settings.url,
  baseUrl: settings.baseUrl,
  secret: `…${settings.secret.slice(-4)}`,
  previousSecretValidUntil: isoOrNull(previousUntil),
  deliveries,
});

export const deliveryView = (delivery: Delivery) => ({
  id: delivery.id,
  event: delivery.event,
  roomID: delivery.roomId,
  url: delivery.url,
  status: delivery.status,
  attempts: delivery.attempts,
  nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
  lastStatus: delivery.lastStatus,
  lastError: delivery.lastError,
  payload: JSON.parse(delivery.payload) as unknown,
  createdAt: iso(delivery.createdAt),
  updatedAt: iso(delivery.updatedAt),
});

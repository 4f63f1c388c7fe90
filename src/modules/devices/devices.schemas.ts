import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

const DeviceType = Type.Union(
  ['ios', 'android', 'fcm', 'web', 'ios-voip'].map((type) => Type.Literal(type)),
  { description: 'ios | android | fcm | web | ios-voip' },
);
const Token = Type.String({ minLength: 1, maxLength: 4096 });
const DeviceId = Type.String({ minLength: 1, maxLength: 255 });
const ClientId = Type.String({ minLength: 1 });

export const SubscribeBody = Type.Object({
  type: DeviceType,
  token: Token,
  deviceId: Type.Optional(DeviceId),
  clientId: Type.Optional(ClientId),
});

export const UnsubscribeBody = Type.Object({
  type: DeviceType,
  token: Type.Optional(Token),
  deviceId: Type.Optional(DeviceId),
  clientId: Type.Optional(ClientId),
});

export const SubscribeReply = Envelope(
  Type.Object({ client: Type.String(), type: Type.String(), deviceId: Type.Union([Type.String(), Type.Null()]) }),
);

export const UnsubscribeReply = Envelope(
  Type.Object({
    client: Type.String(),
    removed: Type.Integer(),
    n: Type.Integer({ description: 'Registrations removed (IMKIT’s storage result; same as `removed`)' }),
    ok: Type.Literal(1),
  }),
);

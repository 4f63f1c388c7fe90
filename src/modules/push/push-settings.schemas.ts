import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const FcmBody = Type.Object({
  serviceAccount: Type.Unknown({
    description: "The Firebase project's service-account key: the JSON file's object, or its text",
  }),
});

export const ApnsBody = Type.Object({
  keyP8: Type.String({ maxLength: 4096, description: 'The .p8 signing key (PEM)' }),
  keyId: Type.String({ maxLength: 64 }),
  teamId: Type.String({ maxLength: 64 }),
  bundleId: Type.String({ maxLength: 255, description: 'The apps’ bundle id: the APNs topic' }),
  production: Type.Boolean({ description: 'Production APNs host, else the sandbox (development builds)' }),
});

export const WebPushBody = Type.Object({
  subject: Type.String({ maxLength: 255, description: 'mailto: or https: contact for push services' }),
  publicKey: Type.Optional(Type.String({ maxLength: 255 })),
  privateKey: Type.Optional(Type.String({ maxLength: 255 })),
  generate: Type.Optional(Type.Boolean({ description: 'Make a new VAPID key pair instead of sending one' })),
});

export const ProviderParams = Type.Object({
  provider: Type.Union([Type.Literal('fcm'), Type.Literal('apns'), Type.Literal('webpush')]),
});

export const SettingsBody = Type.Object({
  constantBadge: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0, maximum: 99_999 }), Type.Null()], {
      description: 'CONSTANT_PUSH_BADGE: this badge on every push instead of the unread total',
    }),
  ),
  soundAndroid: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  soundIos: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  externalPushUrl: Type.Optional(
    Nullable(Type.String({ maxLength: 2048, description: "IMKIT's external push service v1 (`PUSH`)" })),
  ),
  genericPushUrl: Type.Optional(
    Nullable(Type.String({ maxLength: 2048, description: "IMKIT's generic push service v2 (`PUSH_GENERIC`)" })),
  ),
});

const Settings = Type.Object({
  constantBadge: Type.Union([Type.Integer(), Type.Null()]),
  soundAndroid: Type.Union([Type.String(), Type.Null()]),
  soundIos: Type.Union([Type.String(), Type.Null()]),
  externalPushUrl: Type.Union([Type.String(), Type.Null()]),
  genericPushUrl: Type.Union([Type.String(), Type.Null()]),
});

/** What is shown of a platform's credentials: ids, never a key. */
const Summary = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

export const ProvidersReply = Envelope(
  Type.Object(
    {
      fcm: Summary,
      apns: Summary,
      webpush: Summary,
      settings: Settings,
      sealed: Type.Boolean({ description: 'Whether credentials are sealed with SECRETS_KEY in the database' }),
    },
    { title: 'PushProviders' },
  ),
);

export const SummaryReply = Envelope(Type.Record(Type.String(), Type.Unknown()));
export const SettingsReply = Envelope(Settings);
export const VapidKeyReply = Envelope(Type.Object({ publicKey: Type.String() }));

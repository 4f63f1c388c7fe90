import { Type } from '@sinclair/typebox';
import { ClosedObject, Envelope, ListOf, TimeInput } from '../../http/schemas.js';
import { isoOrNull } from '../../shared/time.js';
import type { ApiKey, App } from '../../core/principal.js';

const NullableTime = Type.Union([Type.String(), Type.Null()]);
const NullableMs = Type.Union([Type.Number(), Type.Null()]);

export const KeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    last4: Type.String({ description: 'Last four characters of the key, to tell keys apart' }),
    status: Type.Union([
      Type.Literal('active'),
      Type.Literal('expiring'),
      Type.Literal('expired'),
      Type.Literal('revoked'),
    ]),
    scopes: Type.Array(Type.String()),
    allowedIps: Type.Union([Type.Array(Type.String()), Type.Null()]),
    rateLimitPerMinute: Type.Integer(),
    expiresAt: NullableTime,
    expiresAtMS: NullableMs,
    revokedAt: NullableTime,
    revokedAtMS: NullableMs,
    createdAt: Type.String(),
    createdAtMS: Type.Number(),
    createdBy: Type.String(),
    lastUsedAt: NullableTime,
    lastUsedAtMS: NullableMs,
    lastUsedIp: Type.Union([Type.String(), Type.Null()]),
    rolledFrom: Type.Union([Type.String(), Type.Null()]),
    rolledTo: Type.Union([Type.String(), Type.Null()]),
    origin: Type.String(),
  },
  { $id: 'ApiKey' },
);

export const IssuedKeySchema = Type.Intersect([
  KeySchema,
  Type.Object({ key: Type.String({ description: 'The plain API key. Shown only in this response; store it now.' }) }),
]);

const settingsProperties = {
  scopes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50, description: 'Default ["*"]' })),
  expiresAt: Type.Optional(
    Type.Union([TimeInput, Type.Null()], { description: 'ISO-8601 or ms epoch; null for no expiry' }),
  ),
  allowedIps: Type.Optional(
    Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 }), Type.Null()], {
      description: 'CIDRs (IPv4 or IPv6); null or [] for any address',
    }),
  ),
  rateLimitPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
};

export const CreateKeyBody = ClosedObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  ...settingsProperties,
});
export const UpdateKeyBody = ClosedObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  ...settingsProperties,
});
export const RollKeyBody = Type.Union([
  ClosedObject({
    gracePeriodSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'Default 86400 (24 h); 0 ends the old key now' }),
    ),
  }),
  Type.Null(),
]);
export const ListKeysQuery = Type.Object({ includeRevoked: Type.Optional(Type.Boolean()) });
export const KeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const KeyResponse = Envelope(KeySchema);
export const IssuedKeyResponse = Envelope(IssuedKeySchema);
export const RolledKeyResponse = Envelope(Type.Intersect([IssuedKeySchema, Type.Object({ previous: KeySchema })]));
export const KeyListResponse = Envelope(ListOf(KeySchema));

export const ClientKeyResponse = Envelope(
  Type.Object({ appID: Type.String(), clientKey: Type.String(), createdAt: Type.String(), createdAtMS: Type.Number() }),
);

export const clientKeyView = (app: App) => ({
  appID: app.id,
  clientKey: app.clientKey,
  createdAt: new Date(app.clientKeyCreatedAt).toISOString(),
  createdAtMS: app.clientKeyCreatedAt,
});

export const UsageQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'ISO-8601 or ms epoch; default one hour ago' })),
  to: Type.Optional(Type.String({ description: 'ISO-8601 or ms epoch; default now' })),
});

const UsageCounts = { requests: Type.Integer(), errors: Type.Integer(), rateLimited: Type.Integer() };
export const UsageResponse = Envelope(
  Type.Object({
    keyId: Type.String(),
    from: Type.String(),
    to: Type.String(),
    totals: Type.Object(UsageCounts),
    data: Type.Array(Type.Object({ minute: Type.String(), minuteMS: Type.Number(), ...UsageCounts })),
  }),
);

export function keyStatus(key: ApiKey, now = Date.now()): 'active' | 'expiring' | 'expired' | 'revoked' {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  if (key.rolledTo !== null) return 'expiring';
  return 'active';
}

export function keyView(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    last4: key.last4,
    status: keyStatus(key),
    scopes: key.scopes,
    allowedIps: key.allowedIps,
    rateLimitPerMinute: key.rateLimit,
    expiresAt: isoOrNull(key.expiresAt),
    expiresAtMS: key.expiresAt,
    revokedAt: isoOrNull(key.revokedAt),
    revokedAtMS: key.revokedAt,
    createdAt: new Date(key.createdAt).toISOString(),
    createdAtMS: key.createdAt,
    createdBy: key.createdBy,
    lastUsedAt: isoOrNull(key.lastUsedAt),
    lastUsedAtMS: key.lastUsedAt,
    lastUsedIp: key.lastUsedIp,
    rolledFrom: key.rolledFrom,
    rolledTo: key.rolledTo,
    origin: key.origin,
  };
}

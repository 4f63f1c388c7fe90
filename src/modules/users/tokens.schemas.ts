import { Type } from '@sinclair/typebox';
import { Envelope, TimeInput } from '../../http/schemas.js';

export const ClientParams = Type.Object({ client_id: Type.String({ minLength: 1 }) });

export const TokenRecord = Type.Object({
  token: Type.String({ description: 'Masked: tokens are stored hashed, only the last four characters are known' }),
  client: Type.String(),
  kind: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  expirationDate: Type.Union([Type.String(), Type.Null()]),
  expirationDateMS: Type.Union([Type.Number(), Type.Null()]),
});

export const BindTokenBody = Type.Object({
  token: Type.Optional(Type.String()),
  expirationDate: Type.Optional(TimeInput),
});

export const BindTokenResponse = Envelope(
  Type.Object({
    _id: Type.String(),
    client: Type.String(),
    nickname: Type.String(),
    avatarUrl: Type.String(),
    issueAccessToken: Type.Boolean(),
    token: Type.String(),
    expirationDate: Type.String(),
    expirationDateMS: Type.Number(),
    updatedAt: Type.String(),
  }),
);

export const RevokeTokensBody = Type.Union([
  Type.Object({ token: Type.Optional(Type.String({ minLength: 1 })) }),
  Type.Null(),
]);

export const RevokeTokensResponse = Type.Object({
  RC: Type.Literal(0),
  RM: Type.String(),
  success: Type.Boolean(),
  message: Type.String(),
  revokedTokens: Type.Integer(),
  result: Type.Object({ revokedTokens: Type.Integer(), data: Type.Array(TokenRecord) }),
});

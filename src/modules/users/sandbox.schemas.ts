import { Type } from '@sinclair/typebox';
import { Envelope, OptionalBody } from '../../http/schemas.js';

/** The "client model" of [hist] 2.1; other fields are ignored. */
export const SignInBody = OptionalBody(
  Type.Object({
    id: Type.Optional(Type.String({ maxLength: 255, description: 'User id (required)' })),
    nickname: Type.Optional(Type.String({ maxLength: 1000 })),
    avatarUrl: Type.Optional(Type.String({ maxLength: 4096 })),
  }),
);

const SignedInFields = {
  authType: Type.String({ description: '"Standalone JWT": a token Parley issued itself' }),
  token: Type.String(),
  expirationDate: Type.String(),
  expirationDateMS: Type.Number(),
  id: Type.String(),
  nickname: Type.String(),
  avatarUrl: Type.String(),
  exp: Type.Integer({ description: 'Expiry in epoch seconds, as in the token' }),
};

/** v1 answers bare ([hist] 2.1). */
export const SignInResponse = Type.Object(SignedInFields);

/** v2 answers enveloped, with `token` at the top level too for readers of a bare `{token}` ([hist] 14 item 3). */
export const SignInV2Response = Type.Intersect([
  Envelope(Type.Object(SignedInFields)),
  Type.Object({ token: Type.String() }),
]);

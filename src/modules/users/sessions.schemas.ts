import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

/** A revoked token as `POST /me/logout` answers it ([hist] 2.3): the admin revoke's record without `client`. */
export const RevokedToken = Type.Object(
  {
    token: Type.String({ description: 'Masked: tokens are stored hashed, only the last four characters are known' }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    expirationDate: Type.Union([Type.String(), Type.Null()]),
    expirationDateMS: Type.Union([Type.Number(), Type.Null()]),
  },
  { title: 'RevokedToken' },
);

export const LogoutResponse = Envelope(RevokedToken);
export const LogoutOthersResponse = Envelope(Type.Object({ data: Type.Array(RevokedToken) }));

import { appIdOf, authOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { Envelope, TimeInput } from '../../http/schemas.js';
import { iso, isoOrNull } from '../../shared/time.js';
import type { UserToken } from './tokens.repository.js';

const tags = ['User tokens'];
const Params = Type.Object({ client_id: Type.String({ minLength: 1 }) });

const TokenRecord = Type.Object({
  token: Type.String({ description: 'Masked: tokens are stored hashed, only the last four characters are known' }),
  client: Type.String(),
  kind: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  expirationDate: Type.Union([Type.String(), Type.Null()]),
  expirationDateMS: Type.Union([Type.Number(), Type.Null()]),
});

const tokenRecord = (record: UserToken) => ({
  token: `…${record.last4}`,
  client: record.userId,
  kind: record.kind,
  createdAt: iso(record.createdAt),
  updatedAt: iso(record.updatedAt),
  expirationDate: isoOrNull(record.expiresAt),
  expirationDateMS: record.expiresAt,
});

export const tokensRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { users } = app.services;

  app.put(
    '/admin/clients/:client_id/token',
    {
      config: { auth: 'admin', scope: 'tokens:write' },
      schema: {
        tags,
        summary: 'Bind a token to a user (spec 3.2.1)',
        params: Params,
        body: Type.Object({ token: Type.Optional(Type.String()), expirationDate: Type.Optional(TimeInput) }),
        response: {
          200: Envelope(
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
          ),
        },
      },
    },
    async (request) => {
      const { token, expirationDate } = request.body;
      if (token === undefined || token === '') throw new AppError('INVALID_REQUEST', 'Missing required field: token');
      if (expirationDate === undefined) throw new AppError('INVALID_REQUEST', 'Missing required field: expirationDate');
      const { user, grant } = await users.updateToken(
        authOf(request).app,
        request.params.client_id,
        token,
        expirationDate,
      );
      const expiresAt = grant.record.expiresAt as number;
      return ok({
        _id: user.id,
        client: user.id,
        nickname: user.nickname,
        avatarUrl: user.avatarUrl,
        issueAccessToken: false,
        token,
        expirationDate: iso(expiresAt),
        expirationDateMS: expiresAt,
        updatedAt: iso(grant.record.updatedAt),
      });
    },
  );

  app.delete(
    '/admin/clients/:client_id/token',
    {
      config: { auth: 'admin', scope: 'tokens:write' },
      schema: {
        tags,
        summary: "Revoke one token, or all of a user's tokens (spec 3.2.2)",
        params: Params,
        body: Type.Union([Type.Object({ token: Type.Optional(Type.String({ minLength: 1 })) }), Type.Null()]),
        response: {
          200: Type.Object({
            RC: Type.Literal(0),
            RM: Type.String(),
            success: Type.Boolean(),
            message: Type.String(),
            revokedTokens: Type.Integer(),
            result: Type.Object({ revokedTokens: Type.Integer(), data: Type.Array(TokenRecord) }),
          }),
        },
      },
    },
    async (request) => {
      const token = request.body?.token;
      const revoked = await users.revokeTokens(appIdOf(request), request.params.client_id, token);
      return {
        RC: 0 as const,
        RM: 'OK',
        success: true,
        message: token === undefined ? 'All tokens revoked successfully' : 'Token revoked successfully',
        revokedTokens: revoked.length,
        result: { revokedTokens: revoked.length, data: revoked.map(tokenRecord) },
      };
    },
  );
};

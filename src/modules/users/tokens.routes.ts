import { appIdOf, authOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { iso, isoOrNull } from '../../shared/time.js';
import type { UserToken } from './tokens.repository.js';
import type { UsersService } from './users.service.js';
import {
  BindTokenBody,
  BindTokenResponse,
  ClientParams,
  RevokeTokensBody,
  RevokeTokensResponse,
} from './tokens.schemas.js';

const tags = ['User tokens'];

const tokenRecord = (record: UserToken) => ({
  token: `…${record.last4}`,
  client: record.userId,
  kind: record.kind,
  createdAt: iso(record.createdAt),
  updatedAt: iso(record.updatedAt),
  expirationDate: isoOrNull(record.expiresAt),
  expirationDateMS: record.expiresAt,
});

/** A user's tokens (spec 3.2): binding one of the integrator's, revoking. */
export const tokensRoutes: FastifyPluginAsyncTypebox<{ users: UsersService }> = async (app, { users }) => {
  app.put(
    '/admin/clients/:client_id/token',
    {
      config: { auth: 'admin', scope: 'tokens:write' },
      schema: {
        tags,
        summary: 'Bind a token to a user (spec 3.2.1)',
        params: ClientParams,
        body: BindTokenBody,
        response: { 200: BindTokenResponse },
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
        params: ClientParams,
        body: RevokeTokensBody,
        response: { 200: RevokeTokensResponse },
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

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { appIdOf, authOf, userActorOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { isoOrNull, iso } from '../../shared/time.js';
import type { UserToken } from './tokens.repository.js';
import type { SessionsService } from './sessions.service.js';
import type { UsersService } from './users.service.js';
import { LogoutOthersResponse, LogoutResponse } from './sessions.schemas.js';
import { UserResponse } from './users.schemas.js';
import { userView } from './user-view.js';

const tags = ['Users'];

const revokedToken = (record: UserToken) => ({
  token: `…${record.last4}`,
  createdAt: iso(record.createdAt),
  updatedAt: iso(record.updatedAt),
  expirationDate: isoOrNull(record.expiresAt),
  expirationDateMS: record.expiresAt,
});

/** The calling token: logging out is meaningless with the API key or an operator's session ([hist] 2.3). */
function callingToken(request: FastifyRequest): { appId: string; userId: string; tokenId: string } {
  const auth = authOf(request);
  if (auth.kind !== 'user')
    throw new AppError('INVALID_REQUEST', 'Logging out needs the user token to end; the API key has no session');
  userActorOf(request);
  return { appId: auth.app.id, userId: auth.userId, tokenId: auth.tokenId };
}

/** `IM-Device-ID` ([hist] 1.1): the calling device, whose push registrations a logout ends. */
function deviceIdOf(request: FastifyRequest): string | null {
  const value = request.headers['im-device-id'];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The caller's own sessions and notification switch ([hist] 2.3, 2.4, 3.2). */
export const sessionsRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionsService; users: UsersService }> = async (
  app,
  { sessions, users },
) => {
  const logout = { auth: 'user', scope: 'tokens:write' } as const;

  app.post(
    '/me/logout',
    {
      config: logout,
      schema: {
        tags,
        summary: 'Log out: revoke the token of this request (and with IM-Device-ID, that device’s push registrations)',
        response: { 200: LogoutResponse },
      },
    },
    async (request) => {
      const { appId, userId, tokenId } = callingToken(request);
      const { revoked } = await sessions.logout(appId, userId, tokenId, deviceIdOf(request));
      const [record] = revoked;
      // A concurrent logout of the same token already removed it: the token is gone either way.
      if (record === undefined) throw new AppError('INVALID_TOKEN');
      return ok(revokedToken(record));
    },
  );

  app.post(
    '/me/logout-others',
    {
      config: logout,
      schema: {
        tags,
        summary:
          'Log out every other session: revoke my other tokens (and with IM-Device-ID, other devices’ push registrations)',
        response: { 200: LogoutOthersResponse },
      },
    },
    async (request) => {
      const { appId, userId, tokenId } = callingToken(request);
      const { revoked } = await sessions.logoutOthers(appId, userId, tokenId, deviceIdOf(request));
      return ok({ data: revoked.map(revokedToken) });
    },
  );

  const notifications = (enabled: boolean) =>
    app.post(
      `/me/notification/${enabled ? 'enable' : 'disable'}`,
      {
        config: { auth: 'user', scope: 'users:write' },
        schema: {
          tags,
          summary: enabled
            ? 'Turn my automatic push notifications back on'
            : 'Turn my automatic push notifications off (explicit pushes still arrive)',
          response: { 200: UserResponse },
        },
      },
      async (request) => {
        const { userId } = userActorOf(request);
        return ok(userView(await users.updateProfile(appIdOf(request), userId, { notificationEnabled: enabled })));
      },
    );
  notifications(true);
  notifications(false);
};

import type { FastifyRequest } from 'fastify';
import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { AuthContext } from './types.js';

export type { Actor } from '../core/actor.js';

/** Who authenticated the request. The auth hook sets it before any non-public route's handler runs. */
export function authOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw new AppError('FORBIDDEN', 'This route needs authentication');
  return request.auth;
}

/** The application the request acts in. */
export const appIdOf = (request: FastifyRequest): string => authOf(request).app.id;

/** The actor of a request; a token whose user differs from `IM-CLIENT-ID` is refused (spec 12 item 12). */
export function actorOf(request: FastifyRequest): Actor {
  const auth = authOf(request);
  const named = request.headers['im-client-id'];
  const given = typeof named === 'string' && named !== '' ? named : null;
  if (auth.kind === 'user') {
    if (given !== null && given !== auth.userId)
      throw new AppError('NOT_PERMITTED', 'IM-CLIENT-ID does not match the user of the token');
    return { admin: false, userId: auth.userId };
  }
  // The client key alone names no one: it never acts as a user, let alone as the platform admin.
  if (auth.kind === 'clientKey') throw new AppError('NOT_PERMITTED', 'This call needs a user token or the API key');
  return { admin: true, userId: given };
}

/** For operations only a user can do: the token's user, or with the API key the one `IM-CLIENT-ID` names. */
export function userActorOf(request: FastifyRequest): Actor & { userId: string } {
  const actor = actorOf(request);
  if (actor.userId === null) throw new AppError('INVALID_REQUEST', 'IM-CLIENT-ID header is required with IM-API-KEY');
  return actor as Actor & { userId: string };
}

export const actingUserId = (request: FastifyRequest): string => userActorOf(request).userId;

/** On a `bodyTokens` route: the users of the verified body tokens (authentication checked them). */
export function tokenUsersOf(request: FastifyRequest): string[] {
  if (request.tokenUsers === null) throw new AppError('FORBIDDEN', 'This route needs verified user tokens');
  return request.tokenUsers;
}

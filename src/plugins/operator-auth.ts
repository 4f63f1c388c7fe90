import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { App } from '../core/principal.js';
import { APP_HEADER, checkCsrf, checkOrigin, sessionTokenOf } from '../http/operator-session.js';
import type { OperatorSignedIn } from '../http/types.js';
import type { AuthFailureGuard } from '../ratelimit/auth-failure-guard.js';
import { rateLimitExceeded, type WindowCounter } from '../ratelimit/rate-limiter.js';

/** What operator authentication reads: the sessions, the apps, the budgets. */
export interface OperatorAuthOptions {
  sessions: { authenticate(token: string): Promise<OperatorSignedIn | undefined> };
  /** Requests of each operator, across the nodes. */
  operatorRequests: WindowCounter;
  operatorRateLimitPerMinute: number;
}

const MAX_APP_ID = 64;

/**
 * Authenticates a dashboard operator from the session cookie: on `operator` routes, and on `admin`
 * and `user` routes sent with the cookie instead of an API key (then `X-Parley-App` names the
 * application and the operator acts with every scope). A state change needs `X-CSRF-Token`.
 */
export function createOperatorAuth(
  deps: OperatorAuthOptions & { authFailures: AuthFailureGuard; apps: { get(appId: string): Promise<App> } },
) {
  /** The live session of the cookie; a wrong or ended one counts as a failed authentication. */
  async function signIn(request: FastifyRequest, reply: FastifyReply): Promise<OperatorSignedIn> {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new AppError('SESSION_REQUIRED');
    const wait = await deps.authFailures.blockedFor(request.ip);
    const signedIn = await deps.sessions.authenticate(token);
    if (!signedIn) {
      await deps.authFailures.failed(request.ip);
      if (wait !== undefined) refuse(request, reply, wait);
      throw new AppError('SESSION_REQUIRED', 'The dashboard session is invalid or has ended; sign in again');
    }
    checkOrigin(request);
    checkCsrf(request, signedIn.session.csrfToken);
    const decision = await deps.operatorRequests.hit(signedIn.operator.id, deps.operatorRateLimitPerMinute);
    if (!decision.allowed) refuse(request, reply, decision.resetSeconds);
    request.operatorSession = signedIn;
    return signedIn;
  }

  return {
    /** True when an `admin` or `user` request without an API key is to be read as an operator's. */
    wants(request: FastifyRequest, mode: 'admin' | 'user'): boolean {
      if (sessionTokenOf(request) === undefined) return false;
      return (
        mode === 'admin' || (request.headers['im-client-key'] === undefined && request.headers.client_key === undefined)
      );
    },

    /** An `operator` route: the dashboard's own API. */
    async dashboard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      await signIn(request, reply);
    },

    /** An admin API route called with the session: in the application `X-Parley-App` names. */
    async admin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const { operator } = await signIn(request, reply);
      const appId = request.headers[APP_HEADER];
      if (typeof appId !== 'string' || appId === '')
        throw new AppError('INVALID_REQUEST', 'X-Parley-App header (the application id) is required with the session');
      if (appId.length > MAX_APP_ID) throw new AppError('NOT_FOUND', 'This application does not exist');
      const app = await deps.apps.get(appId);
      request.auth = { kind: 'operator', app, operator };
      request.auditSubject = {
        appId: app.id,
        keyId: null,
        keyName: `operator:${operator.name}`,
        operatorId: operator.id,
      };
    },
  };
}

function refuse(request: FastifyRequest, reply: FastifyReply, wait: number): never {
  request.rateLimited = true;
  reply.header('Retry-After', String(wait));
  throw rateLimitExceeded(wait);
}

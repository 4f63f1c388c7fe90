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
  deps: OperatorAuthOptions & {
    authFailures: AuthFailureGuard;
    apps: { get(appId: string): Promise<App>; defaultApp(): Promise<App> };
  },
) {
  /** The live session of the cookie; a wrong or ended one counts as a failed authentication. */
  async function session(request: FastifyRequest, reply: FastifyReply): Promise<OperatorSignedIn> {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new AppError('SESSION_REQUIRED');
    const wait = await deps.authFailures.blockedFor(request.ip);
    const signedIn = await deps.sessions.authenticate(token);
    if (signedIn) return signedIn;
    await deps.authFailures.failed(request.ip);
    if (wait !== undefined) refuse(request, reply, wait);
    throw new AppError('SESSION_REQUIRED', 'The dashboard session is invalid or has ended; sign in again');
  }

  /** Same site, the CSRF token on a state change, and within the operator's budget. */
  async function admit(request: FastifyRequest, reply: FastifyReply, signedIn: OperatorSignedIn): Promise<void> {
    checkOrigin(request);
    checkCsrf(request, signedIn.session.csrfToken);
    const decision = await deps.operatorRequests.hit(signedIn.operator.id, deps.operatorRateLimitPerMinute);
    if (!decision.allowed) refuse(request, reply, decision.resetSeconds);
    request.operatorSession = signedIn;
  }

  async function appOf(request: FastifyRequest): Promise<App> {
    const appId = request.headers[APP_HEADER];
    if (typeof appId !== 'string' || appId === '')
      throw new AppError('INVALID_REQUEST', 'X-Parley-App header (the application id) is required with the session');
    if (appId.length > MAX_APP_ID) throw new AppError('NOT_FOUND', 'This application does not exist');
    return deps.apps.get(appId);
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
      await admit(request, reply, await session(request, reply));
    },

    /**
     * An admin API route called with the session, in the application `X-Parley-App` names. Audited
     * like the API key's requests, refused ones too: under the operator when it is known, in the
     * default application when no application is.
     */
    async admin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const subject: NonNullable<FastifyRequest['auditSubject']> = {
        appId: '',
        keyId: null,
        keyName: null,
        operatorId: null,
      };
      request.auditSubject = subject;
      try {
        const signedIn = await session(request, reply);
        const { operator } = signedIn;
        subject.keyName = `operator:${operator.name}`;
        subject.operatorId = operator.id;
        const app = await appOf(request);
        subject.appId = app.id;
        await admit(request, reply, signedIn);
        request.auth = { kind: 'operator', app, operator };
      } catch (error) {
        if (subject.appId === '') subject.appId = (await deps.apps.defaultApp()).id;
        throw error;
      }
    },
  };
}

function refuse(request: FastifyRequest, reply: FastifyReply, wait: number): never {
  request.rateLimited = true;
  reply.header('Retry-After', String(wait));
  throw rateLimitExceeded(wait);
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Scope, scopeAllows } from '../core/scopes.js';
import { actorOf, authOf } from '../http/actor.js';
import { AppError } from '../http/errors.js';
import type { AuthMode } from '../http/types.js';
import type { App } from '../core/principal.js';
import type { AppsService } from '../modules/apps/index.js';
import type { ActivityRecorder } from '../modules/audit/index.js';
import { type ApiKeyVerifier, classifyApiKey, isLive, keyAdmits } from '../modules/keys/index.js';
import type { UserTokenVerifier } from '../modules/users/index.js';
import type { AuthFailureGuard } from '../ratelimit/auth-failure-guard.js';
import { type Decision, rateLimitExceeded, WINDOW_SECONDS, type WindowCounter } from '../ratelimit/rate-limiter.js';
import { createOperatorAuth, type OperatorAuthOptions } from './operator-auth.js';

/** What authentication reads: the apps, keys and tokens it verifies, the budgets it enforces, the trail it writes. */
export interface AuthPluginOptions {
  apps: Pick<AppsService, 'defaultApp' | 'resolveClientKey' | 'cached' | 'get'>;
  keyVerifier: Pick<ApiKeyVerifier, 'cached' | 'lookup'>;
  tokenVerifier: Pick<UserTokenVerifier, 'verify'>;
  authFailures: AuthFailureGuard;
  /** Requests of each API key, across the nodes. */
  keyRequests: WindowCounter;
  /** Requests of each user (`appId:userId`) on client routes, across its tokens and the nodes. */
  userRequests: WindowCounter;
  userRateLimitPerMinute: number;
  activity: Pick<ActivityRecorder, 'record'>;
  /** Dashboard operators' sessions and their budget. */
  operators: OperatorAuthOptions;
}

/**
 * The one place that authenticates HTTP requests: it reads each route's declared mode and scope,
 * verifies the API key or the client key with its user token, applies the key's IP allow-list
 * and rate limit, and marks admin requests for the audit trail.
 */
export default fp<AuthPluginOptions>(
  async (app, deps) => {
    app.decorateRequest('auth', null);
    app.decorateRequest('auditTargets', null as unknown as string[]);
    app.decorateRequest('auditSubject', null);
    app.decorateRequest('rateLimited', false);
    app.decorateRequest('operatorSession', null);
    app.decorateRequest('tokenUsers', null);
    const operators = createOperatorAuth({ ...deps.operators, authFailures: deps.authFailures, apps: deps.apps });

    /**
     * Failed authentications count against the source address. While the address is blocked
     * (`wait` seconds), every refusal is the same 429, so its guesses tell it nothing.
     */
    const failed = async (
      request: FastifyRequest,
      reply: FastifyReply,
      wait: number | undefined,
      error: AppError,
    ): Promise<never> => {
      await deps.authFailures.failed(request.ip);
      if (wait !== undefined) blocked(request, reply, wait);
      throw error;
    };

    const blocked = (request: FastifyRequest, reply: FastifyReply, wait: number): never => {
      request.rateLimited = true;
      reply.header('Retry-After', String(wait));
      throw rateLimitExceeded(wait);
    };

    // A callback hook: a cached API key within its budget is admitted without a promise or a tick.
    app.addHook('onRequest', (request, reply, done) => {
      let pending: Promise<void> | undefined;
      try {
        pending = authenticate(request, reply);
      } catch (error) {
        done(error as Error);
        return;
      }
      if (pending === undefined) done();
      else pending.then(() => done(), done);
    });

    /** Returns nothing when decided at once (admitted, or thrown); a promise when it must wait. */
    function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
      request.auditTargets = [];
      const { auth: mode, scope } = request.routeOptions.config ?? {};
      if (mode === undefined || mode === 'public') return undefined;
      if (mode === 'operator') return operators.dashboard(request, reply);

      const apiKey = header(request, 'im-api-key') ?? header(request, 'api_key');
      if (apiKey === undefined && (mode === 'admin' || mode === 'user') && operators.wants(request, mode))
        return operators.admin(request, reply);
      if (mode === 'admin' || apiKey !== undefined) {
        const subject = { appId: '', keyId: null, keyName: null };
        request.auditSubject = subject;
        if (apiKey !== undefined && admitApiKeyNow(request, reply, subject, apiKey, scope)) return undefined;
        return authenticateApiKey(request, reply, subject, apiKey, scope);
      }
      return authenticateUser(request, reply, mode);
    }

    async function authenticateUser(request: FastifyRequest, reply: FastifyReply, mode: AuthMode): Promise<void> {
      const clientKey = header(request, 'im-client-key') ?? header(request, 'client_key');
      if (clientKey === undefined) throw new AppError('MISSING_CLIENT_KEY');
      const wait = await deps.authFailures.blockedFor(request.ip);
      const clientApp = await deps.apps.resolveClientKey(clientKey);
      if (!clientApp) return failed(request, reply, wait, new AppError('INVALID_CLIENT_KEY'));
      if (mode === 'clientKey') return admitClientKey(request, reply, clientApp, wait);
      if (mode === 'bodyTokens') return admitTokenCarrier(request, reply, clientApp);
      const token = bearer(header(request, 'im-authorization') ?? header(request, 'authorization'));
      if (token === undefined) return failed(request, reply, wait, new AppError('INVALID_TOKEN'));
      const check = await deps.tokenVerifier.verify(clientApp.id, token);
      if (check.status === 'other-app') return failed(request, reply, wait, new AppError('CLIENT_KEY_MISMATCH'));
      if (check.status === 'invalid') return failed(request, reply, wait, new AppError('INVALID_TOKEN'));
      // An integrator-chosen token may be weak: from a blocked address it is not confirmed either.
      if (wait !== undefined && check.token.kind !== 'issued') blocked(request, reply, wait);
      request.auth = { kind: 'user', app: clientApp, userId: check.token.userId, tokenId: check.token.id };
      await limitUser(reply, clientApp.id, check.token.userId);
      // IM-CLIENT-ID naming another user is refused on every route, not only those that read
      // the user (spec 12 item 12).
      actorOf(request);
    }

    /**
     * The common case decided without waiting: a live key found in the verifier's cache, its app
     * cached, its budget counted in this process, from an address with no recent failures.
     * False — with nothing counted — whenever any of that does not hold: `authenticateApiKey`
     * then decides, the same way.
     */
    function admitApiKeyNow(
      request: FastifyRequest,
      reply: FastifyReply,
      subject: NonNullable<FastifyRequest['auditSubject']>,
      apiKey: string,
      scope: Scope | undefined,
    ): boolean {
      if (deps.authFailures.suspect(request.ip)) return false;
      const key = deps.keyVerifier.cached(apiKey)?.key;
      if (key === undefined || !isLive(key)) return false;
      const app = deps.apps.cached(key.appId);
      if (app === undefined || !keyAdmits(key, request.ip)) return false;
      const decision = deps.keyRequests.hitNow(key.id, key.rateLimit);
      if (decision === undefined) return false;
      subject.appId = key.appId;
      subject.keyId = key.id;
      subject.keyName = key.name;
      enforce(request, reply, decision);
      if (scope !== undefined && !scopeAllows(key.scopes, scope)) throw new AppError('INSUFFICIENT_PERMISSIONS');
      request.auth = { kind: 'apiKey', app, key };
      return true;
    }

    async function authenticateApiKey(
      request: FastifyRequest,
      reply: FastifyReply,
      subject: NonNullable<FastifyRequest['auditSubject']>,
      apiKey: string | undefined,
      scope: Scope | undefined,
    ): Promise<void> {
      if (apiKey === undefined) {
        subject.appId = (await deps.apps.defaultApp()).id;
        throw new AppError('MISSING_API_KEY');
      }
      let wait: number | undefined;
      if (deps.authFailures.suspect(request.ip)) {
        wait = await deps.authFailures.blockedFor(request.ip);
        // An imported key may be weak: from a blocked address only a generated one is verified.
        if (wait !== undefined && classifyApiKey(apiKey) !== 'parley') {
          subject.appId = (await deps.apps.defaultApp()).id;
          return failed(request, reply, wait, new AppError('INVALID_API_KEY'));
        }
      }
      // Cached keys are answered without waiting; only a miss goes to the database.
      const hit = deps.keyVerifier.cached(apiKey);
      const found = hit ? hit.key : await deps.keyVerifier.lookup(apiKey);
      const key = found && isLive(found) ? found : undefined;
      if (!key) {
        // Attribute the attempt to the key's app when the key is known (revoked, expired).
        Object.assign(
          subject,
          found
            ? { appId: found.appId, keyId: found.id, keyName: found.name }
            : { appId: (await deps.apps.defaultApp()).id },
        );
        return failed(request, reply, wait, new AppError('INVALID_API_KEY'));
      }
      Object.assign(subject, { appId: key.appId, keyId: key.id, keyName: key.name });

      // Outside the allow-list counts as a failed authentication, not against the key's own budget.
      if (!keyAdmits(key, request.ip)) return failed(request, reply, wait, new AppError('INSUFFICIENT_PERMISSIONS'));
      enforce(request, reply, await deps.keyRequests.hit(key.id, key.rateLimit));
      if (scope !== undefined && !scopeAllows(key.scopes, scope)) throw new AppError('INSUFFICIENT_PERMISSIONS');
      request.auth = {
        kind: 'apiKey',
        app: deps.apps.cached(key.appId) ?? (await deps.apps.get(key.appId)),
        key,
      };
    }

    /**
     * A `clientKey` route without the API key: only the application is known. The client key ships
     * inside apps, so it is no secret: from a blocked address it is not accepted, each address has a
     * user's budget of such calls, and they are audited like the API key's.
     */
    async function admitClientKey(
      request: FastifyRequest,
      reply: FastifyReply,
      clientApp: App,
      wait: number | undefined,
    ): Promise<void> {
      if (wait !== undefined) blocked(request, reply, wait);
      request.auth = { kind: 'clientKey', app: clientApp };
      request.auditSubject = { appId: clientApp.id, keyId: null, keyName: null };
      // NUL never occurs in a user id (the input guard refuses it), so no user shares this budget.
      await limitUser(reply, clientApp.id, `\u0000client-key:${request.ip}`);
    }

    /**
     * A `bodyTokens` route without the API key: the application is known, the users will be once
     * their tokens in the body are verified (`verifyBodyTokens`). A blocked address is not turned
     * away here: its tokens are checked one by one, as a token in the headers would be. Each
     * address has a user's budget of such calls (the client key's, see `admitClientKey`).
     */
    async function admitTokenCarrier(request: FastifyRequest, reply: FastifyReply, clientApp: App): Promise<void> {
      request.auth = { kind: 'clientKey', app: clientApp };
      await limitUser(reply, clientApp.id, `\u0000client-key:${request.ip}`);
    }

    /**
     * The tokens of a `bodyTokens` route's body, verified as the application's tokens once the body
     * is validated: each one that is not (unknown, expired, revoked, another application's) is
     * left out and counts as a failed authentication of the address, as in the headers. From a
     * blocked address only a token nobody can guess (an issued one) is confirmed; the others are
     * left out, so that guesses tell nothing there either.
     */
    async function verifyBodyTokens(request: FastifyRequest): Promise<void> {
      const appId = authOf(request).app.id;
      const given = (request.body as { tokens?: unknown } | undefined)?.tokens;
      const tokens = Array.isArray(given) ? given.filter((token): token is string => typeof token === 'string') : [];
      const wait = tokens.length === 0 ? undefined : await deps.authFailures.blockedFor(request.ip);
      const users: string[] = [];
      for (const token of new Set(tokens)) {
        const check = await deps.tokenVerifier.verify(appId, token);
        if (check.status !== 'valid') {
          await deps.authFailures.failed(request.ip);
          continue;
        }
        if (wait !== undefined && check.token.kind !== 'issued') continue;
        if (!users.includes(check.token.userId)) users.push(check.token.userId);
      }
      request.tokenUsers = users;
    }

    // Body tokens are read once the body is parsed and validated: a hook of those routes only.
    app.addHook('onRoute', (route) => {
      if (route.config?.auth !== 'bodyTokens') return;
      const own = route.preHandler === undefined ? [] : [route.preHandler].flat();
      route.preHandler = [verifyBodyTokens, ...own];
    });

    /** One budget per user of an application, whichever of its tokens it uses, on every node. */
    async function limitUser(reply: FastifyReply, appId: string, userId: string): Promise<void> {
      const limit = deps.userRateLimitPerMinute;
      if (limit === 0) return;
      enforce(reply.request, reply, await deps.userRequests.hit(`${appId}:${userId}`, limit));
    }

    app.addHook('onResponse', (request, reply, done) => {
      done();
      const subject = request.auditSubject;
      if (!subject || subject.appId === '') return;
      const url = request.url.length > MAX_URL ? request.url.slice(0, MAX_URL) : request.url;
      const facts = {
        appId: subject.appId,
        at: Date.now(),
        keyId: subject.keyId,
        keyName: subject.keyName,
        operatorId: subject.operatorId ?? null,
        ip: request.ip,
        method: request.method,
        url,
        status: reply.statusCode,
      };
      deps.activity.record(facts, request.rateLimited, () => ({
        route: request.routeOptions.url ?? url.split('?')[0] ?? url,
        targetIds: targetsOf(request),
        requestId: request.id,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      }));
    });
  },
  { name: 'parley-auth' },
);

const MAX_URL = 2048;
const MAX_TARGETS = 100;
/** Shared by every request that names no id: never written to. */
const NO_TARGETS = Object.freeze([]) as unknown as string[];

/** The ids a request names (its params) or touched (`auditTargets`), once each, at most 100. */
function targetsOf(request: FastifyRequest): string[] {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const targets: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string' && !targets.includes(value)) targets.push(value);
  };
  for (const name in params) if (Object.hasOwn(params, name)) add(params[name]);
  for (const value of request.auditTargets) add(value);
  return targets.length === 0 ? NO_TARGETS : targets.length > MAX_TARGETS ? targets.slice(0, MAX_TARGETS) : targets;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function bearer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const token = value.replace(/^bearer\s+/i, '').trim();
  return token === '' ? undefined : token;
}

function enforce(request: FastifyRequest, reply: FastifyReply, decision: Decision): void {
  setRateLimitHeaders(reply, decision);
  if (decision.allowed) return;
  request.rateLimited = true;
  reply.header('Retry-After', String(decision.resetSeconds));
  throw rateLimitExceeded(decision.resetSeconds);
}

/**
 * IETF draft RateLimit headers (draft-ietf-httpapi-ratelimit-headers-07) and the X-RateLimit trio.
 * Named in lower case, as Fastify sends them, so that it need not fold each name on every request.
 */
function setRateLimitHeaders(reply: FastifyReply, decision: Decision): void {
  reply.header('ratelimit-policy', `${decision.limit};w=${WINDOW_SECONDS}`);
  reply.header('ratelimit', `limit=${decision.limit}, remaining=${decision.remaining}, reset=${decision.resetSeconds}`);
  reply.header('x-ratelimit-limit', String(decision.limit));
  reply.header('x-ratelimit-remaining', String(decision.remaining));
  reply.header('x-ratelimit-reset', String(Math.ceil(Date.now() / 1000) + decision.resetSeconds));
}

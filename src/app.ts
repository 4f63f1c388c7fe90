import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { RouteEntry } from './http/types.js';
import { BODY_LIMIT_BYTES, DOCS_PREFIX } from './http/constants.js';
import { createValidatorCompiler } from './http/validation.js';
import { AppError } from './http/errors.js';
import errorsPlugin from './plugins/errors.js';
import inputGuardPlugin from './plugins/input-guard.js';
import authPlugin, { type AuthPluginOptions } from './plugins/auth.js';
import metricsPlugin, { type MetricsPluginOptions } from './plugins/metrics.js';
import openapiPlugin from './plugins/openapi.js';
import dashboardStaticPlugin from './plugins/dashboard-static.js';
import chatTestPagePlugin from './plugins/chat-test-page.js';
import corsPlugin from '@fastify/cors';
import requestLogPlugin from './plugins/request-log.js';
import cookie from '@fastify/cookie';
import compressionPlugin from './plugins/compression.js';
import { compileTrust } from './realtime/client-address.js';
import { CorsPolicy } from './http/cors.js';

const bootId = randomBytes(6).toString('base64url');
let requestCount = 0;
/** Unique across nodes and restarts (a random boot id) without a random draw per request. */
const nextRequestId = (): string => `${bootId}-${(++requestCount).toString(36)}`;

/** Valid JSON that the secure parser refused: it holds a prototype-poisoning key. */
function isPrototypePoisoning(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Any JSON media type (spec 1.2), e.g. application/merge-patch+json. */
const JSON_SUFFIX_TYPE = /^application\/[\w.+-]+\+json$/;

export interface HttpAppOptions {
  config: Pick<Config, 'logRequests' | 'trustProxy' | 'publicUrl' | 'corsOrigins'>;
  logger: Logger;
  auth: AuthPluginOptions;
  metrics: MetricsPluginOptions;
  /** Each module's routes (its index.ts `routes`), registered after authentication. */
  routes: FastifyPluginAsync[];
}

/** Builds the HTTP application over ready modules. Never listens: tests inject into it. */
export async function buildApp({ config, logger, auth, metrics, routes }: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One trust rule for request.ip and for socket handshakes (realtime/client-address.ts).
    trustProxy: config.trustProxy === false ? false : compileTrust(config.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 },
    genReqId: nextRequestId,
    // Fastify's two lines per request (and a child logger per request) give way to one line written
    // by plugins/request-log.ts; errors are logged with their request id.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (parent: FastifyBaseLogger) => parent,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  const cors = new CorsPolicy(config.corsOrigins);
  // Every route must say who may call it; forgetting must fail at start-up, not open a route.
  app.addHook('onRoute', (route) => {
    if (route.config?.auth === undefined) {
      // CORS preflights answer before any authentication.
      if (route.method === 'OPTIONS') route.config = { ...route.config, auth: 'public' };
      else if (route.prefix !== DOCS_PREFIX)
        throw new Error(`Route ${String(route.method)} ${route.url} declares no auth mode`);
      route.config = { ...route.config, auth: 'public' };
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routeTable.push({ method, url: route.url, auth: route.config?.auth, scope: route.config?.scope });
      cors.addRoute(method, route.url, route.config?.auth);
    }
  });
  app.setValidatorCompiler(createValidatorCompiler());

  // An empty body with a JSON content type is "no body" (e.g. DELETE …/token revokes all tokens).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parseJsonOrEmpty: Parameters<typeof app.addContentTypeParser>[2] = (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => {
      if (error && isPrototypePoisoning(body as string))
        return done(
          new AppError('INVALID_REQUEST', 'Request body must not use "__proto__" or "constructor.prototype" keys'),
          undefined,
        );
      done(error, value);
    });
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonOrEmpty);
  app.addContentTypeParser(JSON_SUFFIX_TYPE, { parseAs: 'string' }, parseJsonOrEmpty);
  // Bodies are JSON only (spec 0): without this, Fastify's built-in text/plain parser would let text through.
  app.removeContentTypeParser('text/plain');

  // Browsers preflight the SDKs' REST calls (custom headers); they send no credentials, so any origin
  // will do on client routes (http/cors.ts says which routes are guarded and what CORS_ORIGINS changes).
  // Every other answer gets its origin header here, with the request id: one hook for both;
  // @fastify/cors, in a context of its own, only answers the preflights (its OPTIONS route).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (request.method !== 'OPTIONS') {
      const origin = cors.allowedOriginOf(request);
      if (origin !== undefined) reply.header('access-control-allow-origin', origin);
      if (cors.variesByOrigin) reply.header('vary', 'Origin');
    }
    done();
  });
  await app.register(async (preflights) =>
    preflights.register(corsPlugin, { delegator: (request, answer) => answer(null, cors.preflightOptions(request)) }),
  );
  await app.register(compressionPlugin);
  await app.register(errorsPlugin);
  if (config.logRequests) await app.register(requestLogPlugin, { logger });
  // Sets the dashboard's session cookie; parsing is left to authentication (only its own cookie, only where read).
  await app.register(cookie, { hook: false });
  await app.register(inputGuardPlugin);
  await app.register(openapiPlugin, { publicUrl: config.publicUrl });
  await app.register(authPlugin, auth);
  await app.register(metricsPlugin, metrics);
  for (const moduleRoutes of routes) await app.register(moduleRoutes);
  await app.register(dashboardStaticPlugin);
  await app.register(chatTestPagePlugin);
  await app.ready();
  return app as unknown as FastifyInstance;
}

import FindMyWay from 'find-my-way';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import type { AuthMode } from './types.js';

/** CORS_ORIGINS: unset, `*`, or exact origins. */
export type CorsOrigins = '*' | string[] | undefined;

/** What the SDKs' browser calls send (the preflight answers with these). */
const PREFLIGHT = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: [
    'content-type',
    'im-api-key',
    'im-client-key',
    'im-authorization',
    'im-client-id',
    'im-device-id',
    'api_key',
    'client_key',
    'authorization',
  ],
  maxAge: 600,
} satisfies FastifyCorsOptions;

/** The same matching as the app's own router (app.ts), so a preflight finds the route it asks about. */
const ROUTER_OPTIONS = { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 };

const GUARDED_PATH = /^\/(admin|dashboard)(\/|$)/;

/**
 * Admin calls (the API key), the dashboard and its operators' routes are guarded: a browser page
 * of another origin gets no CORS answer from them unless CORS_ORIGINS names it. The client routes
 * the SDKs call from browsers (client key + user token in headers, never cookies) are open.
 */
export function isGuardedRoute(auth: AuthMode | undefined, url: string): boolean {
  return auth === 'admin' || auth === 'operator' || GUARDED_PATH.test(url);
}

/**
 * Which origins may read the API's answers. Unset: any origin on open routes, none on guarded
 * ones; `*`: any origin everywhere; a list: those origins only, everywhere.
 */
export class CorsPolicy {
  private readonly guardedRoutes = FindMyWay(ROUTER_OPTIONS);

  constructor(private readonly origins: CorsOrigins) {}

  /** Records a route as it is added, for the preflights that will name it. */
  addRoute(method: string, url: string, auth: AuthMode | undefined): void {
    if (isGuardedRoute(auth, url)) this.guardedRoutes.on(method as FindMyWay.HTTPMethod, url, () => undefined);
  }

  /** The Access-Control-Allow-Origin of an answer, or undefined for none. */
  allowedOrigin(guarded: boolean, origin: string | undefined): string | undefined {
    if (this.origins === undefined) return guarded ? undefined : '*';
    if (this.origins === '*') return '*';
    return origin !== undefined && this.origins.includes(origin) ? origin : undefined;
  }

  /** Whether an answer depends on the request's Origin (caches must then keep one copy per origin). */
  get variesByOrigin(): boolean {
    return Array.isArray(this.origins);
  }

  /** The answer to a request that is not a preflight: its route's class (unmatched: by its path). */
  allowedOriginOf(request: FastifyRequest): string | undefined {
    const url = request.routeOptions.url ?? request.url.split('?', 1)[0] ?? '';
    return this.allowedOrigin(isGuardedRoute(request.routeOptions.config.auth, url), request.headers.origin);
  }

  /** @fastify/cors options for a preflight, from the route it asks about (its path and method). */
  preflightOptions(request: FastifyRequest): FastifyCorsOptions {
    const method = String(request.headers['access-control-request-method'] ?? '').toUpperCase();
    const path = request.url.split('?', 1)[0] ?? '';
    const guarded = GUARDED_PATH.test(path) || this.guardedRoutes.find(method as FindMyWay.HTTPMethod, path) !== null;
    // false: no CORS header at all, and the preflight is not answered.
    return { ...PREFLIGHT, origin: this.allowedOrigin(guarded, request.headers.origin) ?? false };
  }
}

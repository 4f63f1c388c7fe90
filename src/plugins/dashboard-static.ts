import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../http/errors.js';

/** `vite build dashboard` writes here; from src/plugins and from dist/plugins alike. */
const DEFAULT_ROOT = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

/** Served pages run only the bundle's own files: no inline script or style, no other origin, no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT =
  'The dashboard is not built. Run `npm run build` (it builds the server and the dashboard), then restart Parley.\n';

export interface DashboardStaticOptions {
  /** The built dashboard (index.html and assets/); defaults to dist/dashboard. */
  root?: string;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/**
 * The operator dashboard's front end at `/dashboard/`: hashed assets cached for a year, and
 * index.html (never cached) for every client route, so that deep links and reloads work.
 * `/dashboard/api/*` is the operators module's; an unknown API path is a 404, never the page.
 */
const dashboardStatic: FastifyPluginAsync<DashboardStaticOptions> = async (app, options) => {
  const root = options.root ?? DEFAULT_ROOT;
  const index = join(root, 'index.html');
  const assets = join(root, 'assets');
  // Missing until the first build: answered per request below, without a start-up warning.
  await app.register(fastifyStatic, {
    root,
    serve: false,
    suppressWarning: true,
    cacheControl: false,
    // Only once a file is found: a 404 must not be cached for a year.
    setHeaders: (reply, path) => reply.header('cache-control', path.startsWith(assets) ? IMMUTABLE : 'no-cache'),
  });

  const page = (reply: FastifyReply) => {
    secure(reply);
    if (!existsSync(index)) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.sendFile('index.html');
  };

  const config = { auth: 'public' } as const;
  const schema = { hide: true };
  app.get('/dashboard', { config, schema }, (_request, reply) => page(reply));
  app.get<{ Params: { '*': string } }>('/dashboard/*', { config, schema }, (request, reply) => {
    const path = request.params['*'];
    if (path === 'api' || path.startsWith('api/')) throw new AppError('NOT_FOUND');
    // A file (a hashed asset, the favicon); anything else is a client route of the single-page app.
    if (path.startsWith('assets/') || /\.[a-z0-9]+$/i.test(path)) return secure(reply).sendFile(path);
    return page(reply);
  });
};

export default dashboardStatic;

import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import { safeEqual } from '../shared/secrets.js';
import './types.js';

/** The dashboard's session cookie: HttpOnly, SameSite=Strict, Path=/, Secure over TLS. */
export const SESSION_COOKIE = 'parley_session';
/** Every state change made with the session cookie carries the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';
/** The application an operator's admin request acts in. */
export const APP_HEADER = 'x-parley-app';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token of the request's cookie, if it sends one (read without parsing other cookies). */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || !header.includes(SESSION_COOKIE)) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at === -1 || part.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(at + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/**
 * A browser request from another site is refused: its Origin, when sent, must name the server's own
 * host. The scheme is not compared: behind a TLS-terminating proxy the request arrives over plain
 * HTTP while the page's origin is https (SameSite=Strict already keeps the cookie to the same site).
 */
export function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!sameHost(origin, request.host)) throw new AppError('FORBIDDEN', 'Cross-origin requests are not accepted here');
}

/** Both read with the origin's scheme, so that a default port written or left out compares alike. */
function sameHost(origin: string, host: string): boolean {
  try {
    const page = new URL(origin);
    return page.host === new URL(`${page.protocol}//${host}`).host;
  } catch {
    return false; // "null" (a sandboxed page, a file) or garbage
  }
}

/** A state change with the session cookie must carry the session's CSRF token (compared in constant time). */
export function checkCsrf(request: FastifyRequest, csrfToken: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !safeEqual(sent, csrfToken)) throw new AppError('CSRF_TOKEN_INVALID');
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
  });
}

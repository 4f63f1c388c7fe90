import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.js';
import { scopeAllows, type Scope } from '../core/scopes.js';
import './types.js';

/** For a route whose needed scope depends on its input: the API key must hold `scope` too. */
export function requireScope(request: FastifyRequest, scope: Scope): void {
  const auth = request.auth;
  if (auth?.kind === 'apiKey' && !scopeAllows(auth.key.scopes, scope)) throw new AppError('INSUFFICIENT_PERMISSIONS');
}

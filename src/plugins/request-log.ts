import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import '../http/types.js';

/** Probes and scrapes that answer well are logged at `debug`: a load balancer calls them every few seconds. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** Who called, by identifiers only: never a key, token, cookie or anything that would let one act as the caller. */
function callerOf(request: FastifyRequest): { text: string; fields: Record<string, string> } {
  const { auth } = request;
  if (auth?.kind === 'apiKey')
    return {
      text: `key ${auth.key.id} (…${auth.key.last4})`,
      fields: { keyId: auth.key.id, keyLast4: auth.key.last4 },
    };
  if (auth?.kind === 'user') return { text: `user ${auth.userId}`, fields: { userId: auth.userId } };
  const operator = auth?.kind === 'operator' ? auth.operator : request.operatorSession?.operator;
  if (operator) return { text: `operator ${operator.name}`, fields: { operator: operator.name } };
  if (auth?.kind === 'clientKey') return { text: 'client key', fields: {} };
  return { text: 'anonymous', fields: {} };
}

/**
 * One `info` line per completed request (LOG_REQUESTS), written once the answer is sent: method,
 * route pattern (never the URL, whose query may carry a credential), status, time and caller.
 */
export default fp<{ logger: Logger }>(
  async (app, { logger }) => {
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      const ms = Math.round(reply.elapsedTime * 10) / 10;
      const caller = callerOf(request);
      const level = PROBES.has(route) && status < 400 ? 'debug' : 'info';
      if (logger.isLevelEnabled(level))
        logger[level](
          {
            request: {
              id: request.id,
              method: request.method,
              route,
              status,
              ms,
              appId: request.auth?.app.id,
              ...caller.fields,
            },
          },
          `${request.method} ${route} ${status} ${ms} ms ${caller.text}`,
        );
      done();
    });
  },
  { name: 'parley-request-log' },
);

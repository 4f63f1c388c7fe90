/** Socket failures: the peer refused, reset, timed out or could not be resolved. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** PostgreSQL going away: shut down by its administrator, crashed, or still starting (SQLSTATE 57P01-57P03). */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03']);

/**
 * True when a call failed because PostgreSQL or Redis could not be reached (an outage, logged once
 * by the health module), not because of anything in the request.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GONE.has(code) || code.startsWith('08')))
    return true;
  // pg, when a connection drops under a query or a query (a transaction's rollback) is sent on a dropped
  // one; ioredis, when a command outlives its reconnection attempts.
  return (
    /^Connection terminated/.test(error.message) ||
    /^Client (has encountered a connection error|was closed) and is not queryable$/.test(error.message) ||
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Connection is closed.'
  );
}

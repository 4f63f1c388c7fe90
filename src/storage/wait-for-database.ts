import { retryWithBackoff, reasonOf } from '../shared/retry.js';
import type { Storage } from './database.js';
import { ping } from './sql-fragments.js';

/** PostgreSQL's refusals that waiting will not cure: bad credentials (class 28), no such database. */
const lasting = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000');
};

/**
 * Waits for PostgreSQL to answer (it may still be starting, e.g. beside Parley in a compose file),
 * retrying with backoff for up to `timeoutSeconds`. SQLite is a file: nothing to wait for.
 */
export async function waitForDatabase(
  storage: Storage,
  timeoutSeconds: number,
  onRetry: (reason: string, delaySeconds: number) => void,
): Promise<void> {
  if (storage.dialect.name !== 'postgres') return;
  try {
    await retryWithBackoff(() => ping(storage.db), {
      timeoutMs: timeoutSeconds * 1000,
      retryable: (error) => !lasting(error),
      onRetry: (error, delayMs) => onRetry(reasonOf(error), delayMs / 1000),
    });
  } catch (error) {
    const after = lasting(error) ? '' : ` after ${timeoutSeconds} s (DATABASE_CONNECT_TIMEOUT_S)`;
    throw new Error(`database not reachable${after}: ${reasonOf(error)}`);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 5000;

export interface RetryOptions {
  /** Stop retrying once this long has passed since the first attempt (0: one attempt only). */
  timeoutMs: number;
  /** Told before each wait why the last attempt failed and how long the wait is. */
  onRetry?: (error: unknown, delayMs: number) => void;
  /** False for a failure that no wait will cure: it is thrown at once. */
  retryable?: (error: unknown) => boolean;
}

/** Runs `attempt` until it succeeds, waiting 1, 2, 4, then 5 s between tries; throws the last failure when time is up. */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - Date.now();
      if (left <= 0 || options.retryable?.(error) === false) throw error;
      const wait = Math.min(delay, left);
      options.onRetry?.(error, wait);
      await sleep(wait);
    }
  }
}

/** A failure's message, for a log line or an error of our own. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

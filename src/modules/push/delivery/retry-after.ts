import type { DeliveryOutcome } from './contract.js';

/**
 * A platform's `Retry-After` (delay-seconds or an HTTP date, RFC 9110 10.2.3) in milliseconds from
 * now, at most `capMs`; undefined when there is none or it cannot be read.
 */
export function retryAfterMsOf(
  header: string | string[] | undefined,
  nowMs: number,
  capMs = Number.POSITIVE_INFINITY,
): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  return Number.isNaN(ms) ? undefined : Math.min(capMs, Math.max(0, ms));
}

/** A `retry` outcome, after the platform's `Retry-After` when it gave one. */
export function retryOutcome(
  detail: string,
  headers: { 'retry-after'?: string | string[] | undefined },
  nowMs: number,
  capMs?: number,
): DeliveryOutcome {
  const retryAfterMs = retryAfterMsOf(headers['retry-after'], nowMs, capMs);
  return retryAfterMs === undefined ? { status: 'retry', detail } : { status: 'retry', detail, retryAfterMs };
}

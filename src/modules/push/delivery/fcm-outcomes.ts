import { BlockedDestination, type GuardedReply } from '../../../outbound/index.js';
import type { DeliveryOutcome } from './contract.js';
import { retryOutcome } from './retry-after.js';

const MAX_TEXT = 120;

/** A device token as it may appear in a detail: its last six characters. */
export const tokenTail = (token: string) => `…${token.slice(-6)}`;

/**
 * A platform's message made safe for a detail: the device token shortened, anything long and
 * token-like (an access token, a JWT) cut out, the whole kept short.
 */
export function safeText(text: string, deviceToken?: string): string {
  let safe = deviceToken && deviceToken.length > 6 ? text.replaceAll(deviceToken, tokenTail(deviceToken)) : text;
  safe = safe
    .replace(/[A-Za-z0-9_\-.~+/=]{40,}/g, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return safe.length > MAX_TEXT ? `${safe.slice(0, MAX_TEXT - 1)}…` : safe;
}

const isRetryable = (status: number) => status === 429 || status >= 500;

/** A request that got no answer: a refused destination is permanent, anything else (timeout, network) is retried. */
export function outcomeOfRequestError(error: unknown, what: 'fcm' | 'oauth2'): DeliveryOutcome {
  if (error instanceof BlockedDestination) return { status: 'failed', detail: `${what}: ${error.message}` };
  if (error instanceof Error && error.name === 'TimeoutError') return { status: 'retry', detail: `${what}: timed out` };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'retry', detail: `${what}: ${code ?? safeText(message)}` };
}

function jsonOf(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The answer of the OAuth2 token endpoint when it did not give a token: a refused key is permanent. */
export function outcomeOfTokenReply(reply: GuardedReply): DeliveryOutcome {
  const body = jsonOf(reply.body);
  const error = typeof body.error === 'string' ? body.error : '';
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const detail = `oauth2 ${reply.status}${error ? ` ${safeText(error)}` : ''}${description ? `: ${safeText(description)}` : ''}`;
  return isRetryable(reply.status) ? retryOutcome(detail, reply.headers, Date.now()) : { status: 'failed', detail };
}

interface FcmErrorBody {
  message?: string;
  status?: string;
  details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string }> }>;
}

/** FCM's own error code (`UNREGISTERED`, `SENDER_ID_MISMATCH`…) when given, else the Google status. */
function errorCodeOf(error: FcmErrorBody): string | undefined {
  const details = Array.isArray(error.details) ? error.details : [];
  const fcm = details.find((detail) => typeof detail?.errorCode === 'string');
  return fcm?.errorCode ?? (typeof error.status === 'string' ? error.status : undefined);
}

/** Whether an `INVALID_ARGUMENT` is about the registration token (rather than the message Parley built). */
function concernsToken(error: FcmErrorBody): boolean {
  const details = Array.isArray(error.details) ? error.details : [];
  const field = details.some((detail) =>
    detail?.fieldViolations?.some?.((violation) => violation?.field === 'message.token'),
  );
  return field || /registration token|message\.token/i.test(error.message ?? '');
}

/** What an FCM v1 `messages:send` answer means for the device (contract `DeliveryOutcome`). */
export function outcomeOfFcmReply(reply: GuardedReply, deviceToken: string): DeliveryOutcome {
  const body = jsonOf(reply.body);
  if (reply.status >= 200 && reply.status < 300)
    return typeof body.name === 'string'
      ? { status: 'sent', detail: body.name.slice(0, MAX_TEXT) }
      : { status: 'sent' };

  const error = (typeof body.error === 'object' && body.error !== null ? body.error : {}) as FcmErrorBody;
  const code = errorCodeOf(error);
  const message = typeof error.message === 'string' ? safeText(error.message, deviceToken) : '';
  const detail = `fcm ${reply.status}${code ? ` ${safeText(code)}` : ''}${message ? `: ${message}` : ''}`;

  if (code === 'UNREGISTERED') return { status: 'dead', detail: `${detail} (device ${tokenTail(deviceToken)})` };
  if (reply.status === 400 && (code === 'INVALID_ARGUMENT' || !code) && concernsToken(error))
    return { status: 'dead', detail: `${detail} (device ${tokenTail(deviceToken)})` };
  if (reply.status === 401) return { status: 'retry', detail };
  if (isRetryable(reply.status)) return retryOutcome(detail, reply.headers, Date.now());
  return { status: 'failed', detail };
}

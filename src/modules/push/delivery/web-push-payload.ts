import type { PushContent } from './contract.js';

/**
 * The JSON a service worker receives (decrypted by the browser): shown as is with
 * `registration.showNotification(title, { body, data, tag })`. `badge` is the unread count (for
 * `navigator.setAppBadge`), not the Notification API's badge image.
 */
export interface WebPushPayload {
  title: string;
  body: string;
  badge?: number;
  tag?: string;
  data: Record<string, string>;
  locKey?: string;
  locArgs?: string[];
}

/**
 * Plaintext limit of one push message: a push service need not take more than 4096 bytes of body
 * (RFC 8030 7.2), and `aes128gcm` adds an 86-byte header, a 1-byte padding delimiter and a 16-byte
 * tag (RFC 8291 4).
 */
export const MAX_WEB_PUSH_PLAINTEXT = 4096 - 86 - 1 - 16;

const ELLIPSIS = '…';

/** Maps the neutral content to the payload (spec 10.2 `webpush.notification: { title, body }`). */
export function webPushPayloadOf(content: PushContent): WebPushPayload {
  const alert = content.alert;
  const locKey = content.locKey ?? (typeof alert === 'object' ? alert['loc-key'] : undefined);
  const locArgs = content.locArgs ?? (typeof alert === 'object' ? alert['loc-args'] : undefined);
  return {
    title: content.title ?? '',
    body: content.body ?? (typeof alert === 'string' ? alert : ''),
    ...(content.badge !== undefined && { badge: content.badge }),
    ...(content.collapseKey && { tag: content.collapseKey }),
    data: content.data,
    ...(locKey !== undefined && { locKey }),
    ...(locArgs !== undefined && { locArgs }),
  };
}

const sizeOf = (payload: WebPushPayload) => Buffer.byteLength(JSON.stringify(payload));

/** At most `max` code points (never half a surrogate pair), marked with an ellipsis when cut. */
function cut(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max).join('')}${ELLIPSIS}`;
}

/** The payload with its text (body and the loc-args repeating it; the title too if asked) cut to `max` code points. */
function withTextCut(payload: WebPushPayload, max: number, title: boolean): WebPushPayload {
  return {
    ...payload,
    ...(title && { title: cut(payload.title, max) }),
    body: cut(payload.body, max),
    ...(payload.locArgs && { locArgs: payload.locArgs.map((arg) => cut(arg, max)) }),
  };
}

/** The longest cut of the text that fits, or undefined when even an empty text does not. */
function longestFittingCut(payload: WebPushPayload, maxBytes: number, title: boolean): WebPushPayload | undefined {
  if (sizeOf(withTextCut(payload, 0, title)) > maxBytes) return undefined;
  // A text longer than the byte limit never fits: the search starts below it.
  let low = 0;
  let high = maxBytes;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (sizeOf(withTextCut(payload, middle, title)) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  return withTextCut(payload, low, title);
}

/**
 * The payload, made to fit `maxBytes` of JSON: the body (and the loc-args that repeat it) is
 * shortened first; when even an empty body is too long, the largest data fields are dropped (the
 * client can fetch the message by its id), then the title is shortened too.
 */
export function fitWebPushPayload(payload: WebPushPayload, maxBytes = MAX_WEB_PUSH_PLAINTEXT): WebPushPayload {
  if (sizeOf(payload) <= maxBytes) return payload;
  let current = payload;
  for (;;) {
    const fitting = longestFittingCut(current, maxBytes, false);
    if (fitting) return fitting;
    const largest = Object.entries(current.data).sort(([, a], [, b]) => b.length - a.length)[0];
    if (!largest) break;
    const { [largest[0]]: _dropped, ...data } = current.data;
    current = { ...current, data };
  }
  const withoutLocArgs = { ...current, locArgs: undefined };
  return (
    longestFittingCut(current, maxBytes, true) ??
    longestFittingCut(withoutLocArgs, maxBytes, true) ?? { title: '', body: '', data: {} }
  );
}

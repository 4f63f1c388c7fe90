import { ECDH } from 'node:crypto';
import { isIP } from 'node:net';
import { isInternalAddress } from '../../../outbound/index.js';

/** A browser's PushSubscription as JSON (`PushSubscription.toJSON()`), the token of a `web` device. */
export interface WebSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A `web` device token that is not a usable PushSubscription; the message says why and holds no key. */
export class InvalidWebSubscription extends Error {
  override name = 'InvalidWebSubscription';
}

/** Real endpoints are a few hundred characters; the token is stored and sent with every push. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Google shut the legacy GCM endpoint down; it takes no VAPID and would only fail. */
const LEGACY_GCM = 'https://android.googleapis.com/gcm/send';

function base64urlKey(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || !BASE64URL.test(value.replace(/=+$/, '')))
    throw new InvalidWebSubscription(`keys.${name} must be a base64url string`);
  return Buffer.from(value, 'base64url');
}

/** The endpoint as the browser gave it (its path is the push service's capability, kept byte for byte). */
function parseEndpoint(value: unknown, allowPrivate: boolean): string {
  if (typeof value !== 'string') throw new InvalidWebSubscription('endpoint must be a URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidWebSubscription('endpoint must be a URL');
  }
  const httpAllowed = allowPrivate && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !httpAllowed) throw new InvalidWebSubscription('endpoint must be an https URL');
  if (url.username || url.password) throw new InvalidWebSubscription('endpoint must not hold credentials');
  if (value.startsWith(LEGACY_GCM)) throw new InvalidWebSubscription('the legacy GCM endpoint is no longer served');
  if (!allowPrivate) {
    // Names are checked again when connecting (src/outbound); these need no lookup to be refused now.
    const host = url.hostname
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase();
    const named = isIP(host) === 0;
    if (named ? host === 'localhost' || host.endsWith('.localhost') : isInternalAddress(host))
      throw new InvalidWebSubscription('endpoint must not be a loopback or private address');
  }
  return value;
}

/**
 * Validates a `web` device token: JSON of `{ endpoint, keys: { p256dh, auth } }` with an https
 * endpoint (http too when private destinations are allowed, for tests and private push services),
 * `p256dh` a P-256 public point (65 bytes) and `auth` a 16-byte secret. Throws
 * `InvalidWebSubscription` otherwise.
 */
export function parseWebSubscription(token: string, options: { allowPrivate: boolean }): WebSubscription {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidWebSubscription('the subscription is too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(token);
  } catch {
    throw new InvalidWebSubscription('the token must be a PushSubscription as JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidWebSubscription('the token must be a PushSubscription as JSON');
  const { endpoint, keys } = parsed as { endpoint?: unknown; keys?: unknown };
  const validEndpoint = parseEndpoint(endpoint, options.allowPrivate);

  if (typeof keys !== 'object' || keys === null)
    throw new InvalidWebSubscription('keys.p256dh and keys.auth are required');
  const { p256dh, auth } = keys as { p256dh?: unknown; auth?: unknown };
  const publicKey = base64urlKey(p256dh, 'p256dh');
  if (publicKey.length !== 65) throw new InvalidWebSubscription('keys.p256dh must be 65 bytes');
  try {
    ECDH.convertKey(publicKey, 'prime256v1');
  } catch {
    throw new InvalidWebSubscription('keys.p256dh is not a P-256 public key');
  }
  if (base64urlKey(auth, 'auth').length !== 16) throw new InvalidWebSubscription('keys.auth must be 16 bytes');
  return { endpoint: validEndpoint, keys: { p256dh: p256dh as string, auth: auth as string } };
}

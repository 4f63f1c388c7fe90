import { type KeyObject, createPrivateKey } from 'node:crypto';

/** An application's APNs token-auth credentials (an Apple developer account's `.p8` key). */
export interface ApnsCredentials {
  /** PEM of the `.p8` key: an EC P-256 private key, used to sign ES256 provider tokens. */
  keyP8: string;
  /** The key's id (10 characters, shown next to the key in the developer account). */
  keyId: string;
  /** The developer team id (10 characters). */
  teamId: string;
  /** The app's bundle id: the default `apns-topic`. */
  bundleId: string;
  /** `api.push.apple.com` when true, `api.sandbox.push.apple.com` (development builds) when false. */
  production: boolean;
}

const APPLE_ID = /^[A-Za-z0-9]{10}$/;
/** Apple's bundle ids: letters, digits, hyphens and periods, reverse-DNS (at least two labels), ≤ 155 characters. */
const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const MAX_BUNDLE_ID = 155;
const MAX_KEY_PEM = 4096;

/** Reads a PEM private key; throws a message that never holds the key. */
export function apnsSigningKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('keyP8 is not a readable PEM private key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error('keyP8 must be an EC P-256 private key (the .p8 file of an APNs key)');
  return key;
}

function text(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${field} is required (a string)`);
  return value.trim();
}

/**
 * Validates APNs credentials given by an operator. An error names the field and the form expected,
 * never the value given (the key is a secret).
 */
export function parseApnsCredentials(input: unknown): ApnsCredentials {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('APNs credentials must be an object with keyP8, keyId, teamId, bundleId and production');
  const fields = input as Record<string, unknown>;
  const keyId = text(fields, 'keyId');
  if (!APPLE_ID.test(keyId)) throw new Error('keyId must be 10 letters or digits');
  const teamId = text(fields, 'teamId');
  if (!APPLE_ID.test(teamId)) throw new Error('teamId must be 10 letters or digits');
  const bundleId = text(fields, 'bundleId');
  if (bundleId.length > MAX_BUNDLE_ID || !BUNDLE_ID.test(bundleId))
    throw new Error('bundleId must be a reverse-DNS identifier such as com.example.app');
  // Required, not defaulted: a production app's tokens sent to the sandbox come back as BadDeviceToken,
  // and dead tokens are removed.
  if (typeof fields.production !== 'boolean') throw new Error('production must be true or false');
  // A key pasted into JSON or an environment variable often arrives with its line breaks escaped.
  const keyP8 = text(fields, 'keyP8').replace(/\\n/g, '\n').trim();
  if (keyP8.length > MAX_KEY_PEM) throw new Error('keyP8 is too long for an APNs key');
  apnsSigningKey(keyP8);
  return { keyP8, keyId, teamId, bundleId, production: fields.production };
}

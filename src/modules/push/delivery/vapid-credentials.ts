import { createECDH, timingSafeEqual } from 'node:crypto';
import webpush from 'web-push';

/**
 * An application server's VAPID identity (RFC 8292): a P-256 key pair as base64url (the public key
 * as the 65-byte uncompressed point browsers take as `applicationServerKey`, the private key as
 * its 32-byte scalar) and a contact, `mailto:` or `https:`.
 */
export interface VapidCredentials {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function keyBytes(value: unknown, name: 'publicKey' | 'privateKey', length: number): Buffer {
  if (typeof value !== 'string' || !BASE64URL.test(value))
    throw new Error(`VAPID ${name} must be a base64url string (no padding)`);
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length !== length) throw new Error(`VAPID ${name} must be ${length} bytes, base64url`);
  return bytes;
}

function checkSubject(value: unknown): string {
  if (typeof value !== 'string') throw new Error('VAPID subject must be a mailto: or https: URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('VAPID subject must be a mailto: or https: URL');
  }
  if (url.protocol === 'mailto:') {
    if (!/^[^@\s]+@[^@\s]+$/.test(url.pathname))
      throw new Error('VAPID subject must be a mailto: address (mailto:ops@example.com)');
  } else if (url.protocol === 'https:') {
    // Apple's push service refuses such a contact (BadJwtToken).
    if (url.hostname === 'localhost') throw new Error('VAPID subject must not be a localhost URL');
  } else {
    throw new Error('VAPID subject must be a mailto: or https: URL');
  }
  return value;
}

/**
 * Validates VAPID settings: both keys base64url of the right length, the private key a P-256
 * scalar whose public point is the public key given, the subject a contact. Errors say what is
 * wrong without repeating a key.
 */
export function parseVapidCredentials(input: unknown): VapidCredentials {
  if (typeof input !== 'object' || input === null)
    throw new Error('VAPID credentials must be an object with publicKey, privateKey and subject');
  const { publicKey, privateKey, subject } = input as Record<string, unknown>;
  const publicBytes = keyBytes(publicKey, 'publicKey', 65);
  const privateBytes = keyBytes(privateKey, 'privateKey', 32);
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(privateBytes);
  } catch {
    throw new Error('VAPID privateKey is not a P-256 private key');
  }
  if (!timingSafeEqual(ecdh.getPublicKey(), publicBytes))
    throw new Error('VAPID publicKey does not belong to privateKey');
  return { publicKey: publicKey as string, privateKey: privateKey as string, subject: checkSubject(subject) };
}

/** A new VAPID key pair for `subject`, for an operator setting Web Push up. */
export function generateVapidCredentials(subject: string): VapidCredentials {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey, subject: checkSubject(subject) };
}

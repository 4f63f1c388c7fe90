import { randomBytes } from 'node:crypto';

/**
 * A fresh id in MongoDB ObjectId shape (24 lowercase hex, as the SDKs expect): 4 bytes of seconds,
 * then 8 random bytes drawn for this id alone. No process part and no counter, so one id tells
 * nothing about any other; order must come from stored times and sequences, never from ids.
 */
export function objectId(nowMs = Date.now()): string {
  const buffer = Buffer.alloc(12);
  buffer.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
  randomBytes(8).copy(buffer, 4);
  return buffer.toString('hex');
}

/** A prefixed random identifier for Parley's own records (`key_…`, `tok_…`). */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

import { randomBytes } from 'node:crypto';

/**
 * A fresh id in MongoDB ObjectId shape (24 lowercase hex, as the SDKs expect): 4 bytes of seconds,
 * then 8 random bytes drawn for this id alone. No process part and no counter, so one id tells
 * nothing about any other; order must come from stored times and sequences, never from ids.
 */
export function objectId(nowMs = Date.now()): string {
  const buffer = Buffer.alloc(12);
  buffer.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
  takeRandom(buffer, 4, 8);
  return buffer.toString('hex');
}

/**
 * Random bytes drawn from the CSPRNG a page at a time, each byte handed out once: one system call
 * per 512 ids instead of one per id (every message draws one).
 */
const RANDOM_PAGE_BYTES = 4096;
let randomPage = Buffer.alloc(0);
let randomOffset = 0;

function takeRandom(target: Buffer, at: number, length: number): void {
  if (randomOffset + length > randomPage.length) {
    randomPage = randomBytes(RANDOM_PAGE_BYTES);
    randomOffset = 0;
  }
  randomPage.copy(target, at, randomOffset, randomOffset + length);
  // Zeroed once used, so that no byte of a handed-out id stays readable in the page.
  randomPage.fill(0, randomOffset, randomOffset + length);
  randomOffset += length;
}

/** A prefixed random identifier for Parley's own records (`key_…`, `tok_…`). */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

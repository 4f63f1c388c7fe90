import { randomBytes } from 'node:crypto';

let counter = randomBytes(3).readUIntBE(0, 3);
const processUnique = randomBytes(5);

/** A MongoDB-style ObjectId: 4 bytes of seconds, 5 random bytes per process, a 3-byte counter. */
export function objectId(nowMs = Date.now()): string {
  const buffer = Buffer.alloc(12);
  buffer.writeUInt32BE(Math.floor(nowMs / 1000), 0);
  processUnique.copy(buffer, 4);
  counter = (counter + 1) % 0xffffff;
  buffer.writeUIntBE(counter, 9, 3);
  return buffer.toString('hex');
}

/** A prefixed random identifier for Parley's own records (`key_…`, `tok_…`). */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * A generated API key is Base64 of: "Parley" | version byte | 34 random bytes (272 bits) | CRC32
 * of everything before it. 45 bytes give 60 Base64 characters without padding, all starting with
 * "UGFybGV5" ("Parley"), so secret scanners can recognise a leaked key and a mistyped one is
 * refused without a database lookup.
 */
const PREFIX = Buffer.from('Parley', 'latin1');
const VERSION = 1;
const RANDOM_BYTES = 34;
const BODY_LENGTH = PREFIX.length + 1 + RANDOM_BYTES;
const TOTAL_LENGTH = BODY_LENGTH + 4;

export const API_KEY_TEXT_PREFIX = PREFIX.toString('base64');
export const API_KEY_TEXT_LENGTH = Math.ceil(TOTAL_LENGTH / 3) * 4;

export function generateApiKey(): string {
  const body = Buffer.concat([PREFIX, Buffer.of(VERSION), randomBytes(RANDOM_BYTES)]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([body, checksum]).toString('base64');
}

/**
 * `parley`: a well-formed generated key; `corrupt`: shaped like one but failing its checksum;
 * `foreign`: any other string, e.g. an imported key from the hosted service.
 */
export type KeyShape = 'parley' | 'corrupt' | 'foreign';

export function classifyApiKey(key: string): KeyShape {
  if (!key.startsWith(API_KEY_TEXT_PREFIX)) return 'foreign';
  if (key.length !== API_KEY_TEXT_LENGTH || !/^[A-Za-z0-9+/]+$/.test(key)) return 'corrupt';
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== TOTAL_LENGTH || bytes[PREFIX.length] !== VERSION) return 'corrupt';
  const expected = bytes.readUInt32BE(BODY_LENGTH);
  return crc32(bytes.subarray(0, BODY_LENGTH)) >>> 0 === expected ? 'parley' : 'corrupt';
}

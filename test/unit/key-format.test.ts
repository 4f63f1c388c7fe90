import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_TEXT_LENGTH,
  API_KEY_TEXT_PREFIX,
  classifyApiKey,
  generateApiKey,
} from '../../src/modules/keys/key-format.js';
import { generateClientKey } from '../../src/modules/apps/client-key.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Builds a key the way the generator does, with a chosen version byte and random part. */
function buildKey(version: number, random: Buffer, checksumDelta = 0): string {
  const body = Buffer.concat([Buffer.from('Parley', 'latin1'), Buffer.of(version), random]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(((crc32(body) >>> 0) + checksumDelta) >>> 0);
  return Buffer.concat([body, checksum]).toString('base64');
}

describe('generateApiKey', () => {
  it('makes 60-character Base64 keys starting with "UGFybGV5" ("Parley")', () => {
    expect(API_KEY_TEXT_PREFIX).toBe('UGFybGV5');
    expect(API_KEY_TEXT_LENGTH).toBe(60);
    for (let i = 0; i < 50; i++) {
      const key = generateApiKey();
      expect(key).toHaveLength(60);
      expect(key.startsWith('UGFybGV5')).toBe(true);
      expect(key).toMatch(/^[A-Za-z0-9+/]{60}$/);
    }
  });

  it('decodes to 45 bytes: "Parley", version 1, 34 random bytes and the CRC32 of the rest', () => {
    const key = generateApiKey();
    const bytes = Buffer.from(key, 'base64');
    expect(bytes).toHaveLength(45);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('Parley');
    expect(bytes[6]).toBe(1);
    expect(bytes.readUInt32BE(41)).toBe(crc32(bytes.subarray(0, 41)) >>> 0);
    // Re-encoding gives the same text: no padding and no slack bits.
    expect(bytes.toString('base64')).toBe(key);
  });

  it('classifies its own keys as "parley"', () => {
    for (let i = 0; i < 50; i++) expect(classifyApiKey(generateApiKey())).toBe('parley');
  });

  it('never repeats itself (1000 keys)', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey()));
    expect(keys.size).toBe(1000);
    // The random part differs too, not just the checksum.
    const randomParts = new Set([...keys].map((key) => Buffer.from(key, 'base64').subarray(7, 41).toString('hex')));
    expect(randomParts.size).toBe(1000);
  });
});

describe('classifyApiKey', () => {
  it('never accepts a key with any single character changed; past the prefix it is "corrupt"', () => {
    for (let round = 0; round < 5; round++) {
      const key = generateApiKey();
      for (let position = 0; position < key.length; position++) {
        // Three different replacements per position: two Base64 characters and one that is not.
        const original = key[position]!;
        const offset = BASE64.indexOf(original);
        const replacements = [BASE64[(offset + 1) % 64]!, BASE64[(offset + 37) % 64]!, '-'];
        for (const replacement of replacements) {
          const changed = key.slice(0, position) + replacement + key.slice(position + 1);
          const shape = classifyApiKey(changed);
          expect(shape, `position ${position} -> ${replacement}`).not.toBe('parley');
          // A change inside the "UGFybGV5" prefix makes it an ordinary (foreign) string, which is
          // looked up like an imported key and refused there; everywhere else the checksum catches it.
          expect(shape, `position ${position} -> ${replacement}`).toBe(position < 8 ? 'foreign' : 'corrupt');
        }
      }
    }
  });

  it('calls a shortened, lengthened or padded Parley key "corrupt"', () => {
    const key = generateApiKey();
    expect(classifyApiKey(key.slice(0, -1))).toBe('corrupt');
    expect(classifyApiKey(`${key}A`)).toBe('corrupt');
    expect(classifyApiKey(`${key}=`)).toBe('corrupt');
    expect(classifyApiKey(key.slice(0, -4))).toBe('corrupt');
    expect(classifyApiKey(`${key} `)).toBe('corrupt');
    expect(classifyApiKey(API_KEY_TEXT_PREFIX)).toBe('corrupt');
  });

  it('refuses a well-checksummed key of another version, and a wrong checksum', () => {
    const random = Buffer.alloc(34, 7);
    expect(classifyApiKey(buildKey(1, random))).toBe('parley');
    expect(classifyApiKey(buildKey(2, random))).toBe('corrupt');
    expect(classifyApiKey(buildKey(0, random))).toBe('corrupt');
    expect(classifyApiKey(buildKey(1, random, 1))).toBe('corrupt');
  });

  it('calls every other string "foreign"', () => {
    const imkitStyle = Buffer.alloc(45, 0x5a).toString('base64'); // 60 Base64 characters, not ours
    expect(imkitStyle).toHaveLength(60);
    for (const value of [
      '',
      'hello',
      'not-a-key-at-all-0123456789',
      imkitStyle,
      'ak_0123456789abcdef',
      `ugfybgv5${'A'.repeat(52)}`,
      ' UGFybGV5',
    ]) {
      expect(classifyApiKey(value), JSON.stringify(value)).toBe('foreign');
    }
  });
});

describe('generateClientKey', () => {
  it('makes distinct opaque "ck_" keys that are not API keys', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateClientKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(/^ck_[A-Za-z0-9_-]{43}$/);
      expect(classifyApiKey(key)).toBe('foreign');
    }
  });
});

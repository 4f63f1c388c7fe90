/**
 * What a browser and a push service do with a Web Push request, written from the RFCs with
 * node:crypto alone, so that tests do not trust the library that encrypted and signed it:
 * RFC 8291 `aes128gcm` decryption (RFC 8188 framing) and RFC 8292 VAPID verification.
 */
import { type ECDH, createDecipheriv, createPublicKey, hkdfSync, verify } from 'node:crypto';

const TAG_LENGTH = 16;

/** Decrypts an `aes128gcm` body with the subscription's private key (`ecdh`) and 16-byte auth secret. */
export function decryptAes128gcm(body: Buffer, ecdh: ECDH, authSecret: Buffer): Buffer {
  // RFC 8188 2.1: salt (16) | record size (4) | key id length (1) | key id (the sender's public key).
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body.readUInt8(20);
  if (idLength !== 65) throw new Error(`key id of ${idLength} bytes, not a P-256 public key`);
  const senderPublicKey = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  // RFC 8291 4: one record only.
  if (records.length > recordSize) throw new Error('more than one record');
  if (records.length <= TAG_LENGTH) throw new Error('record shorter than its tag');

  // RFC 8291 3.3-3.4: the input key material from the ECDH secret and the auth secret.
  const sharedSecret = ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, authSecret, keyInfo, 32));
  // RFC 8188 2.2-2.3: content encryption key and nonce (a single record: sequence number 0).
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));

  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAuthTag(records.subarray(records.length - TAG_LENGTH));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - TAG_LENGTH)), decipher.final()]);
  // RFC 8188 2: data, then the last record's delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0 || padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

export interface VapidClaims {
  subject: string;
  publicKey: string;
  expiresAt: number;
}

/**
 * Verifies `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292 3): an ES256 JWT signed by k,
 * for `audience` (the push resource's origin), expiring within 24 hours, with a contact subject.
 * Throws a readable reason otherwise.
 */
export function verifyVapid(authorization: string | undefined, audience: string, nowMs = Date.now()): VapidClaims {
  const match = /^vapid\s+(.+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new Error('no vapid Authorization');
  const params = new Map(
    match[1].split(',').map((part) => {
      const [name = '', ...value] = part.trim().split('=');
      return [name.trim(), value.join('=').trim()] as const;
    }),
  );
  const token = params.get('t');
  const publicKey = params.get('k');
  if (!token || !publicKey) throw new Error('t or k missing');
  const point = Buffer.from(publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });

  const [header64, claims64, signature64, ...rest] = token.split('.');
  if (!header64 || !claims64 || !signature64 || rest.length > 0) throw new Error('t is not a JWT');
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString()) as { alg?: string };
  if (header.alg !== 'ES256') throw new Error(`JWT alg ${header.alg}, not ES256`);
  const signed = Buffer.from(`${header64}.${claims64}`);
  const signature = Buffer.from(signature64, 'base64url');
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('bad JWT signature');

  const claims = JSON.parse(Buffer.from(claims64, 'base64url').toString()) as {
    aud?: unknown;
    exp?: unknown;
    sub?: unknown;
  };
  if (claims.aud !== audience) throw new Error(`JWT aud ${String(claims.aud)}, not ${audience}`);
  const now = nowMs / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new Error('JWT expired or without exp');
  if (claims.exp > now + 24 * 60 * 60 + 60) throw new Error('JWT exp more than 24 hours ahead');
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) throw new Error('JWT sub not a contact');
  return { subject: claims.sub, publicKey, expiresAt: claims.exp };
}

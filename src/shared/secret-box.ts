import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const SEALED = 'sealed:v1:';
const PLAIN = 'plain:';

/**
 * Seals secrets kept in the database (push credentials) with AES-256-GCM under SECRETS_KEY, so a
 * database dump alone does not reveal them. Without a key they are kept as they are, marked so: a
 * key set later seals them on their next change, and a sealed value read without its key is refused.
 */
export class SecretBox {
  constructor(private readonly key: Buffer | undefined) {
    if (key && key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes');
  }

  get sealing(): boolean {
    return this.key !== undefined;
  }

  seal(plain: string): string {
    if (!this.key) return PLAIN + plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    if (!stored.startsWith(SEALED)) throw new Error('unknown secret format');
    if (!this.key) throw new Error('this secret is sealed: set SECRETS_KEY to the key it was sealed with');
    const raw = Buffer.from(stored.slice(SEALED.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('this secret was sealed with another SECRETS_KEY');
    }
  }
}

/** SECRETS_KEY: 32 bytes as 64 hex digits or base64. */
export function parseSecretsKey(raw: string | undefined): Buffer | undefined | 'invalid' {
  const value = raw?.trim();
  if (!value) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  return key.length === 32 ? key : 'invalid';
}

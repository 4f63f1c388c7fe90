import { randomBytes } from 'node:crypto';

/** Client keys are public per-application values: opaque, never derived from the API key. */
export function generateClientKey(): string {
  return `ck_${randomBytes(32).toString('base64url')}`;
}

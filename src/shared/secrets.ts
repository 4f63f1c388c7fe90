import { hash } from 'node:crypto';

/** One call, no Buffer: this runs on every authenticated request. */
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex');

/**
 * Constant-time comparison of two strings (length differences are not hidden, only contents):
 * every code unit is compared whatever the earlier ones were, without copying either string.
 */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

/** The last four characters, shown to operators to tell secrets apart. */
export const lastFour = (secret: string): string => secret.slice(-4);

import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id (the package's `Algorithm.Argon2id`, an ambient const enum isolated modules cannot read). */
const ARGON2ID = 2;
/** OWASP's argon2id baseline: 19 MiB, two passes, one lane. */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/** The hash of a random password, made once per process: what a sign-in with an unknown name checks. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}

/** Starts the stand-in hash ahead of the first sign-in, so that the first unknown name takes no longer. */
export function prepareDummyHash(): void {
  void dummyHash();
}

/**
 * Checks a password against a stored hash; without one (an unknown name) against a hash of a random
 * password, so that a wrong name costs as long as a wrong password and the two answer alike.
 */
export async function checkPassword(stored: string | undefined, password: string): Promise<boolean> {
  const matches = await verify(stored ?? (await dummyHash()), password).catch(() => false);
  return stored !== undefined && matches;
}

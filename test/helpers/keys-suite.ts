import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from './test-app.js';
import { shapeA } from './errors.js';
import { callWithKey } from './wire.js';

/** API keys (admin keys endpoints): the shared app, key requests and error bodies of the keys-* suites. */

export const INSUFFICIENT = shapeA('INSUFFICIENT_PERMISSIONS', 'API key does not have permission for this operation');

export const KEY_FIELDS = [
  'allowedIps',
  'createdAt',
  'createdAtMS',
  'createdBy',
  'expiresAt',
  'expiresAtMS',
  'id',
  'last4',
  'lastUsedAt',
  'lastUsedAtMS',
  'lastUsedIp',
  'name',
  'origin',
  'rateLimitPerMinute',
  'revokedAt',
  'revokedAtMS',
  'rolledFrom',
  'rolledTo',
  'scopes',
  'status',
].sort();

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A request with any API key, from any address. */
export const call = (
  key: string,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  remoteAddress?: string,
) => callWithKey(t, key, method, url, body, remoteAddress);

export function expectInvalidRequest(response: LightMyRequestResponse, messagePart?: string): void {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json();
  expect(Object.keys(body).sort()).toStrictEqual(['RC', 'RM', 'error']);
  expect(body).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_REQUEST' } });
  if (messagePart !== undefined) expect(body.error.message).toContain(messagePart);
}

/** Creates a key over HTTP with the full-permission key; returns its view and plain key. */
export async function createKey(
  body: Record<string, unknown>,
): Promise<{ id: string; key: string; view: Record<string, unknown> }> {
  const response = await t.admin('POST', '/admin/keys', body);
  expect(response.statusCode, response.body).toBe(200);
  const { key, ...view } = response.json().result;
  return { id: view.id as string, key: key as string, view };
}

export async function keyIdOf(plain: string): Promise<string> {
  const row = await t.services.storage.db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', sha256(plain))
    .executeTakeFirstOrThrow();
  return row.id;
}

export let t: TestApp;

/** Registers the suite's app (before all tests of the file) and closes it after. */
export function useKeysApp(): void {
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());
}

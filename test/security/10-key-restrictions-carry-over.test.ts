import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { callWithKey } from '../helpers/wire.js';
import { sleep } from '../helpers/expect.js';

/**
 * Item 10: a key never creates, edits or rolls a key into more than itself (scopes, expiry,
 * allow-list, rate limit), and only a live, not-yet-rolled key can be rolled.
 */
const HOUR = 3_600_000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

let t: TestApp;

/** A request with any API key, from any address. */
const call = (key: string, method: InjectOptions['method'], url: string, body?: unknown, remoteAddress?: string) =>
  callWithKey(t, key, method, url, body, remoteAddress);

async function keyIdOf(plain: string): Promise<string> {
  const row = await t.services.storage.db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', sha256(plain))
    .executeTakeFirstOrThrow();
  return row.id;
}

function expectForbidden(response: LightMyRequestResponse, what: string): void {
  expect(response.statusCode, `${what}: ${response.body}`).toBe(403);
  expect(response.json().error.code, what).toBe('FORBIDDEN');
}

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('item 10: a key never creates or edits a key with more than itself', () => {
  let manager: string;
  let managerId: string;
  let managerExpiry: number;

  beforeAll(async () => {
    managerExpiry = Date.now() + HOUR;
    manager = await t.createKey({
      name: 'restricted manager',
      scopes: ['*'],
      expiresAt: managerExpiry,
      allowedIps: ['127.0.0.0/8'],
      rateLimit: 500,
    });
    managerId = await keyIdOf(manager);
  });

  it("a child created without limits inherits the creator's expiry, allow-list and rate limit", async () => {
    const created = await call(manager, 'POST', '/admin/keys', { name: 'child', scopes: ['users:read'] });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().result).toMatchObject({
      expiresAtMS: managerExpiry,
      allowedIps: ['127.0.0.0/8'],
      rateLimitPerMinute: 500,
    });
  });

  it('refuses a child that would outlive, out-range or out-rate its creator', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['no expiry', { expiresAt: null }],
      ['later expiry', { expiresAt: managerExpiry + 1000 }],
      ['any address', { allowedIps: null }],
      ['any address (empty list)', { allowedIps: [] }],
      ['wider range', { allowedIps: ['0.0.0.0/0'] }],
      ['overlapping range', { allowedIps: ['127.0.0.0/7'] }],
      ['other range', { allowedIps: ['10.0.0.1'] }],
      ['higher limit', { rateLimitPerMinute: 501 }],
    ];
    for (const [what, settings] of attempts) {
      expectForbidden(
        await call(manager, 'POST', '/admin/keys', { name: what, scopes: ['users:read'], ...settings }),
        what,
      );
    }
    const names = (await t.services.keys.list(t.appId, true)).map((key) => key.name);
    for (const [what] of attempts) expect(names).not.toContain(what);
  });

  it('accepts a child within every limit', async () => {
    const expiresAt = managerExpiry - 1000;
    const created = await call(manager, 'POST', '/admin/keys', {
      name: 'narrow child',
      scopes: ['users:read'],
      expiresAt,
      allowedIps: ['127.0.0.1', '127.1.0.0/16'],
      rateLimitPerMinute: 10,
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().result).toMatchObject({
      expiresAtMS: expiresAt,
      allowedIps: ['127.0.0.1/32', '127.1.0.0/16'],
      rateLimitPerMinute: 10,
    });
  });

  it('cannot raise anything of its own key', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['own expiry removed', { expiresAt: null }],
      ['own expiry extended', { expiresAt: managerExpiry + HOUR }],
      ['own allow-list removed', { allowedIps: null }],
      ['own allow-list widened', { allowedIps: ['0.0.0.0/0'] }],
      ['own limit raised', { rateLimitPerMinute: 100_000 }],
    ];
    for (const [what, settings] of attempts)
      expectForbidden(await call(manager, 'PATCH', `/admin/keys/${managerId}`, settings), what);
    expect(await t.services.keys.get(t.appId, managerId)).toMatchObject({
      expiresAt: managerExpiry,
      allowedIps: ['127.0.0.0/8'],
      rateLimit: 500,
    });
    // Lowering is fine.
    expect((await call(manager, 'PATCH', `/admin/keys/${managerId}`, { rateLimitPerMinute: 400 })).statusCode).toBe(
      200,
    );
    expect((await call(manager, 'PATCH', `/admin/keys/${managerId}`, { rateLimitPerMinute: 500 })).statusCode).toBe(
      403,
    );
  });

  it('cannot edit, roll or revoke a key that has more than itself, nor raise a key it may edit', async () => {
    const unlimited = await t.createKey({ name: 'unlimited target', scopes: ['users:read'] });
    const unlimitedId = await keyIdOf(unlimited);
    expectForbidden(
      await call(manager, 'PATCH', `/admin/keys/${unlimitedId}`, { name: 'renamed' }),
      'edit a longer-lived key',
    );
    expectForbidden(
      await call(manager, 'POST', `/admin/keys/${unlimitedId}/roll`, { gracePeriodSeconds: 0 }),
      'roll a longer-lived key',
    );
    expectForbidden(await call(manager, 'DELETE', `/admin/keys/${unlimitedId}`), 'revoke a longer-lived key');
    expect(await t.services.keys.get(t.appId, unlimitedId)).toMatchObject({
      name: 'unlimited target',
      revokedAt: null,
      rolledTo: null,
    });

    const child = (
      await call(manager, 'POST', '/admin/keys', {
        name: 'editable child',
        scopes: ['users:read'],
        rateLimitPerMinute: 5,
      })
    ).json().result;
    expectForbidden(
      await call(manager, 'PATCH', `/admin/keys/${child.id}`, { rateLimitPerMinute: 10_000 }),
      "raise a child's limit",
    );
    expectForbidden(
      await call(manager, 'PATCH', `/admin/keys/${child.id}`, { expiresAt: null }),
      "remove a child's expiry",
    );
    expectForbidden(
      await call(manager, 'PATCH', `/admin/keys/${child.id}`, { allowedIps: ['::/0'] }),
      "widen a child's allow-list",
    );
    expect((await call(manager, 'PATCH', `/admin/keys/${child.id}`, { rateLimitPerMinute: 50 })).statusCode).toBe(200);
  });

  it('rolling a key never gives the new key a later end than its roller', async () => {
    const child = (await call(manager, 'POST', '/admin/keys', { name: 'rolled child', scopes: ['users:read'] })).json()
      .result;
    const rolled = await call(manager, 'POST', `/admin/keys/${child.id}/roll`, { gracePeriodSeconds: 0 });
    expect(rolled.statusCode, rolled.body).toBe(200);
    expect(rolled.json().result.expiresAtMS).toBeLessThanOrEqual(managerExpiry);
    // Rolling itself renews nothing either.
    const self = await call(manager, 'POST', `/admin/keys/${managerId}/roll`, { gracePeriodSeconds: 60 });
    expect(self.statusCode, self.body).toBe(200);
    expect(self.json().result).toMatchObject({ expiresAtMS: managerExpiry, allowedIps: ['127.0.0.0/8'] });
  });

  it('regenerating the client key needs config:write as well as keys:manage', async () => {
    const keysOnly = await t.createKey({ name: 'keys only', scopes: ['keys:manage'] });
    const before = (await t.admin('GET', '/admin/keys/client-key')).json().result.clientKey;
    const refused = await call(keysOnly, 'POST', '/admin/keys/client-key');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    expect((await t.admin('GET', '/admin/keys/client-key')).json().result.clientKey).toBe(before);
    const both = await t.createKey({ name: 'keys and config', scopes: ['keys:manage', 'config:write'] });
    expect((await call(both, 'POST', '/admin/keys/client-key')).statusCode).toBe(200);
  });
});

describe('item 10: rolling needs a live, not-yet-rolled key', () => {
  it('refuses to roll an expired key (409 KEY_EXPIRED)', async () => {
    const expiring = await t.createKey({ name: 'soon expired', expiresAt: Date.now() + 100 });
    const id = await keyIdOf(expiring);
    await sleep(150);
    const response = await t.admin('POST', `/admin/keys/${id}/roll`, { gracePeriodSeconds: 0 });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json().error.code).toBe('KEY_EXPIRED');
    expect((await t.services.keys.list(t.appId, true)).filter((key) => key.rolledFrom === id)).toHaveLength(0);
  });

  it('refuses to roll a key that was already rolled, even during its grace (409 KEY_ROLLED)', async () => {
    const once = await t.createKey({ name: 'rolled once' });
    const id = await keyIdOf(once);
    expect((await t.admin('POST', `/admin/keys/${id}/roll`, { gracePeriodSeconds: 3600 })).statusCode).toBe(200);
    const again = await t.admin('POST', `/admin/keys/${id}/roll`, { gracePeriodSeconds: 0 });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error.code).toBe('KEY_ROLLED');
    expect((await t.services.keys.list(t.appId, true)).filter((key) => key.rolledFrom === id)).toHaveLength(1);
  });

  it('refuses to roll a revoked key (409 KEY_REVOKED)', async () => {
    const revoked = await t.createKey({ name: 'revoked then rolled' });
    const id = await keyIdOf(revoked);
    expect((await t.admin('DELETE', `/admin/keys/${id}`)).statusCode).toBe(200);
    const response = await t.admin('POST', `/admin/keys/${id}/roll`, {});
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('KEY_REVOKED');
  });
});

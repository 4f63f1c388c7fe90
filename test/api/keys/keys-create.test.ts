import { beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { shapeB } from '../../helpers/errors.js';
import { call, createKey, expectInvalidRequest, INSUFFICIENT, KEY_FIELDS, keyIdOf } from '../../helpers/keys-suite.js';
import { sha256, t, useKeysApp } from '../../helpers/keys-suite.js';

const CANNOT_GRANT = shapeB(403, 'Forbidden', 'FORBIDDEN', 'A key cannot grant scopes it does not hold itself');

useKeysApp();

describe('creating keys', () => {
  it('returns the plain key once, with the key view, and the key works at once', async () => {
    const before = Date.now();
    const response = await t.admin('POST', '/admin/keys', { name: 'ci deploy' });
    const after = Date.now();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.RC).toBe(0);
    expect(body.RM).toBe('OK');
    const { key, ...view } = body.result;
    expect(Object.keys(view).sort()).toStrictEqual(KEY_FIELDS);
    expect(key).toMatch(/^UGFybGV5[A-Za-z0-9+/]{52}$/);
    expect(view).toMatchObject({
      name: 'ci deploy',
      last4: key.slice(-4),
      status: 'active',
      scopes: ['*'],
      allowedIps: null,
      rateLimitPerMinute: 1000,
      expiresAt: null,
      expiresAtMS: null,
      revokedAt: null,
      revokedAtMS: null,
      createdBy: await keyIdOf(t.apiKey),
      lastUsedAt: null,
      lastUsedAtMS: null,
      lastUsedIp: null,
      rolledFrom: null,
      rolledTo: null,
      origin: 'generated',
    });
    expect(view.id).toMatch(/^key_/);
    expect(view.createdAtMS).toBeGreaterThanOrEqual(before);
    expect(view.createdAtMS).toBeLessThanOrEqual(after);
    expect(view.createdAt).toBe(new Date(view.createdAtMS).toISOString());

    const used = await call(key, 'GET', '/admin/clients');
    expect(used.statusCode).toBe(200);
    expect(used.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { totalCount: 0, data: [] } });
  });

  it('stores only the SHA-256 hash and the last four characters', async () => {
    const { id, key } = await createKey({ name: 'stored' });
    const row = await t.services.storage.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(sha256(key));
    expect(row.last4).toBe(key.slice(-4));
    for (const [column, value] of Object.entries(row)) {
      expect(String(value), column).not.toContain(key);
      expect(String(value), column).not.toContain(key.slice(0, 20));
    }
    // No row anywhere holds a plain key, the first-start key included.
    const everything = JSON.stringify(await t.services.storage.db.selectFrom('api_keys').selectAll().execute());
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(t.apiKey);
    expect(everything).toContain(sha256(t.apiKey));
  });

  it('never shows the plain key or its hash again: list, get, update, revoke', async () => {
    const { id, key } = await createKey({ name: 'secret-check' });
    const responses = [
      await t.admin('GET', '/admin/keys'),
      await t.admin('GET', '/admin/keys?includeRevoked=true'),
      await t.admin('GET', `/admin/keys/${id}`),
      await t.admin('PATCH', `/admin/keys/${id}`, { name: 'secret-check 2' }),
      await t.admin('DELETE', `/admin/keys/${id}`),
      await t.admin('GET', '/admin/keys?includeRevoked=true'),
    ];
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      for (const secret of [key, t.apiKey]) {
        expect(response.body).not.toContain(secret);
        expect(response.body).not.toContain(sha256(secret));
      }
      expect(response.body).not.toMatch(/"key"\s*:|keyHash|key_hash/);
    }
    const listed = responses[1]!.json().result;
    expect(listed.totalCount).toBe(listed.data.length);
    for (const view of listed.data) expect(Object.keys(view).sort()).toStrictEqual(KEY_FIELDS);
  });

  it('accepts every setting and normalises it', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const { view, key } = await createKey({
      name: '  trimmed  ',
      scopes: ['users:read', 'users:read', 'tokens:write', 'rooms:*'],
      allowedIps: ['10.0.0.1', '2001:DB8::/32'],
      rateLimitPerMinute: 42,
      expiresAt,
    });
    expect(view).toMatchObject({
      name: 'trimmed',
      scopes: ['users:read', 'tokens:write', 'rooms:*'],
      allowedIps: ['10.0.0.1/32', '2001:db8::/32'],
      rateLimitPerMinute: 42,
      expiresAt,
      expiresAtMS: Date.parse(expiresAt),
      status: 'active',
    });
    // The allow-list is in force: the creating address (127.0.0.1) is outside it.
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(403);
    expect((await call(key, 'GET', '/admin/clients', undefined, '10.0.0.1')).statusCode).toBe(200);

    const epoch = Date.now() + 3_600_000;
    const byEpoch = await createKey({ name: 'epoch expiry', expiresAt: epoch, allowedIps: [] });
    expect(byEpoch.view).toMatchObject({
      expiresAtMS: epoch,
      expiresAt: new Date(epoch).toISOString(),
      allowedIps: null,
    });
  });

  it('validates the body', async () => {
    expectInvalidRequest(await t.admin('POST', '/admin/keys', {}));
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: '' }));
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: '   ' }), 'name');
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x'.repeat(101) }));
    expectInvalidRequest(
      await t.admin('POST', '/admin/keys', { name: 'x', scopes: ['users:delete'] }),
      'Unknown scope "users:delete"',
    );
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', scopes: ['users:*:x'] }), 'Unknown scope');
    expectInvalidRequest(
      await t.admin('POST', '/admin/keys', { name: 'x', scopes: ['*', 'nope'] }),
      'Unknown scope "nope"',
    );
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', scopes: [] }), 'scopes must not be empty');
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', scopes: 'users:read' }));
    expectInvalidRequest(
      await t.admin('POST', '/admin/keys', { name: 'x', allowedIps: ['10.0.0.0/33'] }),
      'allowedIps',
    );
    expectInvalidRequest(
      await t.admin('POST', '/admin/keys', { name: 'x', allowedIps: ['not-an-ip'] }),
      '"not-an-ip" is not an IP address or CIDR',
    );
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', rateLimitPerMinute: 0 }));
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', rateLimitPerMinute: 1.5 }));
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', rateLimitPerMinute: '5' }));
    expectInvalidRequest(
      await t.admin('POST', '/admin/keys', { name: 'x', expiresAt: Date.now() - 1000 }),
      'expiresAt must be in the future',
    );
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', expiresAt: 'tomorrow' }), 'expiresAt');
    expectInvalidRequest(await t.admin('POST', '/admin/keys', { name: 'x', expiresAt: 1e20 }), 'expiresAt');
    expectInvalidRequest(
      await t.admin('POST', '/admin/keys', { name: 'x', expiresAt: '2999-02-30T00:00:00Z' }),
      'expiresAt',
    );
    // Nothing was created by any of these.
    const names = (await t.services.keys.list(t.appId, true)).map((key) => key.name);
    expect(names).not.toContain('x');
  });
});

describe('a key cannot grant more than it holds', () => {
  let limited: string;
  let limitedId: string;

  beforeAll(async () => {
    limited = await t.createKey({ name: 'key manager', scopes: ['keys:manage', 'users:read'] });
    limitedId = await keyIdOf(limited);
  });

  it('refuses "*", scopes it lacks and area wildcards with 403', async () => {
    for (const scopes of [
      ['*'],
      ['users:write'],
      ['users:read', 'users:write'],
      ['users:*'],
      ['keys:*'],
      ['audit:read'],
    ]) {
      const response = await call(limited, 'POST', '/admin/keys', { name: 'escalated', scopes });
      expect(response.statusCode, JSON.stringify(scopes)).toBe(403);
      expect(response.json(), JSON.stringify(scopes)).toStrictEqual(CANNOT_GRANT);
    }
  });

  it('refuses to create a key with the default scopes ("*") when scopes are omitted', async () => {
    const response = await call(limited, 'POST', '/admin/keys', { name: 'escalated by default' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toStrictEqual(CANNOT_GRANT);
    const names = (await t.services.keys.list(t.appId, true)).map((key) => key.name);
    expect(names).not.toContain('escalated');
    expect(names).not.toContain('escalated by default');
  });

  it('creates keys within its own scopes', async () => {
    const response = await call(limited, 'POST', '/admin/keys', { name: 'reader', scopes: ['users:read'] });
    expect(response.statusCode).toBe(200);
    const created = response.json().result;
    expect(created.scopes).toStrictEqual(['users:read']);
    expect(created.createdBy).toBe(limitedId);
    expect((await call(created.key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(created.key, 'GET', '/admin/keys')).json()).toStrictEqual(INSUFFICIENT);

    // It may change, roll and revoke that key, but not widen it.
    const widened = await call(limited, 'PATCH', `/admin/keys/${created.id}`, { scopes: ['users:write'] });
    expect(widened.statusCode).toBe(403);
    expect(widened.json()).toStrictEqual(CANNOT_GRANT);
    expect(
      (
        await call(limited, 'PATCH', `/admin/keys/${created.id}`, {
          name: 'reader 2',
          scopes: ['users:read', 'keys:manage'],
        })
      ).statusCode,
    ).toBe(200);
    expect((await call(limited, 'POST', `/admin/keys/${created.id}/roll`, { gracePeriodSeconds: 0 })).statusCode).toBe(
      200,
    );
  });

  it('cannot change, roll or revoke a key with wider scopes, nor widen itself', async () => {
    const full = await keyIdOf(t.apiKey);
    const attempts: Array<[InjectOptions['method'], string, unknown]> = [
      ['PATCH', `/admin/keys/${full}`, { name: 'taken over' }],
      ['PUT', `/admin/keys/${full}`, { rateLimitPerMinute: 1 }],
      ['POST', `/admin/keys/${full}/roll`, { gracePeriodSeconds: 0 }],
      ['DELETE', `/admin/keys/${full}`, undefined],
      ['PATCH', `/admin/keys/${limitedId}`, { scopes: ['*'] }],
      ['PATCH', `/admin/keys/${limitedId}`, { scopes: ['keys:manage', 'users:read', 'users:write'] }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await call(limited, method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().error.code, `${method} ${url}`).toBe('FORBIDDEN');
    }
    const unchanged = await t.services.keys.get(t.appId, full);
    expect(unchanged).toMatchObject({
      name: 'Initial key',
      scopes: ['*'],
      revokedAt: null,
      rolledTo: null,
      expiresAt: null,
      rateLimit: 1000,
    });
    expect((await t.admin('GET', '/admin/keys')).statusCode).toBe(200);
  });

  it('needs keys:manage for every key route', async () => {
    const reader = await t.createKey({ name: 'no keys scope', scopes: ['users:*', 'audit:read', 'stats:read'] });
    for (const [method, url] of [
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys'],
      ['GET', `/admin/keys/${limitedId}`],
      ['GET', '/admin/keys/client-key'],
    ] as const) {
      const response = await call(
        reader,
        method,
        url,
        method === 'POST' ? { name: 'x', scopes: ['users:read'] } : undefined,
      );
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json()).toStrictEqual(INSUFFICIENT);
    }
  });
});

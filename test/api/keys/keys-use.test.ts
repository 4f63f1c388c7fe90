import { describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { buildTestApp } from '../../helpers/test-app.js';
import { shapeB } from '../../helpers/errors.js';
import { call, createKey, expectInvalidRequest, keyIdOf, t, useKeysApp } from '../../helpers/keys-suite.js';

const KEY_NOT_FOUND = shapeB(404, 'Not Found', 'KEY_NOT_FOUND', 'The specified API key does not exist');

useKeysApp();

describe('unknown keys and other applications', () => {
  it('answers 404 KEY_NOT_FOUND for an unknown key id on every key route', async () => {
    const attempts: Array<[InjectOptions['method'], string, unknown]> = [
      ['GET', '/admin/keys/key_doesnotexist', undefined],
      ['PATCH', '/admin/keys/key_doesnotexist', { name: 'x' }],
      ['PUT', '/admin/keys/key_doesnotexist', { name: 'x' }],
      ['POST', '/admin/keys/key_doesnotexist/roll', { gracePeriodSeconds: 0 }],
      ['DELETE', '/admin/keys/key_doesnotexist', undefined],
      ['GET', '/admin/keys/key_doesnotexist/usage', undefined],
    ];
    for (const [method, url, body] of attempts) {
      const response = await t.admin(method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json(), `${method} ${url}`).toStrictEqual(KEY_NOT_FOUND);
    }
  });

  it("never shows or changes another application's keys", async () => {
    await t.services.apps.create('B', 'app-b');
    const other = await t.services.keys.create('app-b', { name: 'b' }, 'test');
    const attempts: Array<[InjectOptions['method'], string, unknown]> = [
      ['GET', `/admin/keys/${other.key.id}`, undefined],
      ['PATCH', `/admin/keys/${other.key.id}`, { name: 'hijacked' }],
      ['PUT', `/admin/keys/${other.key.id}`, { scopes: ['users:read'] }],
      ['POST', `/admin/keys/${other.key.id}/roll`, { gracePeriodSeconds: 0 }],
      ['DELETE', `/admin/keys/${other.key.id}`, undefined],
      ['GET', `/admin/keys/${other.key.id}/usage`, undefined],
    ];
    for (const [method, url, body] of attempts) {
      const response = await t.admin(method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json(), `${method} ${url}`).toStrictEqual(KEY_NOT_FOUND);
    }
    const listed = (await t.admin('GET', '/admin/keys?includeRevoked=true'))
      .json()
      .result.data.map((key: { id: string }) => key.id);
    expect(listed).not.toContain(other.key.id);

    // B's key is untouched and sees only B's keys.
    const bList = await call(other.secret, 'GET', '/admin/keys?includeRevoked=true');
    expect(bList.statusCode).toBe(200);
    expect(bList.json().result).toMatchObject({
      totalCount: 1,
      data: [{ id: other.key.id, name: 'b', status: 'active', rolledTo: null }],
    });
    const ownId = await keyIdOf(t.apiKey);
    expect((await call(other.secret, 'GET', `/admin/keys/${ownId}`)).json()).toStrictEqual(KEY_NOT_FOUND);
    expect((await call(other.secret, 'DELETE', `/admin/keys/${ownId}`)).statusCode).toBe(404);
    expect((await t.admin('GET', '/admin/keys')).statusCode).toBe(200);

    const clientKey = (await call(other.secret, 'GET', '/admin/keys/client-key')).json().result;
    expect(clientKey.appID).toBe('app-b');
    expect(clientKey.clientKey).not.toBe(t.clientKey);
  });
});

describe('rate limit per key', () => {
  it('lets the limit through with decreasing RateLimit headers, then answers 429 with Retry-After', async () => {
    const { key } = await createKey({ name: 'five a minute', rateLimitPerMinute: 5 });
    for (let i = 1; i <= 5; i++) {
      const before = Date.now();
      const response = await call(key, 'GET', '/admin/keys');
      expect(response.statusCode, `request ${i}`).toBe(200);
      expect(response.headers['ratelimit-policy']).toBe('5;w=60');
      const match = /^limit=5, remaining=(\d+), reset=(\d+)$/.exec(String(response.headers.ratelimit));
      expect(match, String(response.headers.ratelimit)).not.toBeNull();
      expect(Number(match![1])).toBe(5 - i);
      const reset = Number(match![2]);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
      expect(response.headers['x-ratelimit-limit']).toBe('5');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(5 - i));
      const resetAt = Number(response.headers['x-ratelimit-reset']);
      expect(resetAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 1);
      expect(resetAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 61);
    }
    const limited = await call(key, 'GET', '/admin/keys');
    expect(limited.statusCode).toBe(429);
    const body = limited.json();
    expect(Object.keys(body).sort()).toStrictEqual(['error', 'message', 'retryAfter']);
    expect(body).toStrictEqual({
      error: 'RATE_LIMIT_EXCEEDED',
      message: 'Too many requests, please try again later',
      retryAfter: body.retryAfter,
    });
    expect(Number.isInteger(body.retryAfter)).toBe(true);
    expect(body.retryAfter).toBeGreaterThanOrEqual(1);
    expect(body.retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['retry-after']).toBe(String(body.retryAfter));
    expect(limited.headers['ratelimit-policy']).toBe('5;w=60');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(String(limited.headers.ratelimit)).toMatch(/^limit=5, remaining=0, reset=\d+$/);
    // It stays refused, on every route.
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(429);
    expect((await call(key, 'POST', '/admin/keys', { name: 'x', scopes: ['users:read'] })).statusCode).toBe(429);
  });

  it('counts each key on its own', async () => {
    const a = await createKey({ name: 'limited a', rateLimitPerMinute: 2 });
    const b = await createKey({ name: 'limited b', rateLimitPerMinute: 2 });
    expect((await call(a.key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(a.key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(a.key, 'GET', '/admin/clients')).statusCode).toBe(429);
    const other = await call(b.key, 'GET', '/admin/clients');
    expect(other.statusCode).toBe(200);
    expect(other.headers['x-ratelimit-remaining']).toBe('1');
    const full = await t.admin('GET', '/admin/clients');
    expect(full.statusCode).toBe(200);
    expect(full.headers['ratelimit-policy']).toBe('1000;w=60');
    expect(Number(full.headers['x-ratelimit-remaining'])).toBeLessThan(1000);
  });

  it('applies a changed limit at once, without resetting the count', async () => {
    const { id, key } = await createKey({ name: 'raised', rateLimitPerMinute: 2 });
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(429);

    expect((await t.admin('PATCH', `/admin/keys/${id}`, { rateLimitPerMinute: 5 })).statusCode).toBe(200);
    const raised = await call(key, 'GET', '/admin/clients');
    expect(raised.statusCode).toBe(200);
    expect(raised.headers['ratelimit-policy']).toBe('5;w=60');
    expect(raised.headers['x-ratelimit-remaining']).toBe('1'); // four counted so far
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(429);

    expect((await t.admin('PATCH', `/admin/keys/${id}`, { rateLimitPerMinute: 100 })).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await t.admin('PATCH', `/admin/keys/${id}`, { rateLimitPerMinute: 3 })).statusCode).toBe(200);
    const lowered = await call(key, 'GET', '/admin/clients');
    expect(lowered.statusCode).toBe(429);
    expect(lowered.headers['ratelimit-policy']).toBe('3;w=60');
  });

  it('sends the rate-limit headers on every key-authenticated response, errors included', async () => {
    const responses = [
      await t.admin('GET', '/admin/keys/key_missing'),
      await t.admin('POST', '/admin/keys', { name: '' }),
      await t.admin('GET', '/me', undefined, { 'im-client-id': 'nobody' }),
    ];
    const scoped = await t.createKey({ name: 'headers scoped', scopes: ['users:read'] });
    responses.push(await call(scoped, 'GET', '/admin/keys'));
    for (const response of responses) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.headers['ratelimit-policy'], response.body).toMatch(/^\d+;w=60$/);
      expect(String(response.headers.ratelimit)).toMatch(/^limit=\d+, remaining=\d+, reset=\d+$/);
      for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
        expect(response.headers[name], name).toMatch(/^\d+$/);
    }
    // Client-key requests are not counted against an API key: they carry the user's own budget
    // (USER_RATE_LIMIT_PER_MINUTE, issue 9 item 7).
    const token = await t.createUser('header-user');
    const user = await t.asUser(token, 'GET', '/me');
    expect(user.statusCode).toBe(200);
    expect(user.headers['ratelimit-policy']).toBe(`${t.config.userRateLimitPerMinute};w=60`);
    expect(user.headers['x-ratelimit-remaining']).toBe(String(t.config.userRateLimitPerMinute - 1));
  });
});

describe('client key', () => {
  it('shows the client key and regenerates it; the old one is refused at once, the new one works with existing tokens', async () => {
    const c = await buildTestApp();
    try {
      const token = await c.createUser('ck-user');
      expect((await c.asUser(token, 'GET', '/me')).statusCode).toBe(200);

      const shown = await c.admin('GET', '/admin/keys/client-key');
      expect(shown.statusCode).toBe(200);
      const current = shown.json().result;
      expect(Object.keys(current).sort()).toStrictEqual(['appID', 'clientKey', 'createdAt', 'createdAtMS']);
      expect(current).toMatchObject({ appID: c.appId, clientKey: c.clientKey });
      expect(current.createdAt).toBe(new Date(current.createdAtMS).toISOString());

      const before = Date.now();
      const regenerated = await c.admin('POST', '/admin/keys/client-key');
      expect(regenerated.statusCode).toBe(200);
      const fresh = regenerated.json().result;
      expect(fresh.appID).toBe(c.appId);
      expect(fresh.clientKey).toMatch(/^ck_/);
      expect(fresh.clientKey).not.toBe(c.clientKey);
      expect(fresh.createdAtMS).toBeGreaterThanOrEqual(before);
      expect((await c.admin('GET', '/admin/keys/client-key')).json().result).toStrictEqual(fresh);

      const old = await c.app.inject({
        method: 'GET',
        url: '/me',
        headers: { 'im-client-key': c.clientKey, 'im-authorization': token },
      });
      expect(old.statusCode).toBe(403);
      expect(old.json()).toStrictEqual({
        error: 'INVALID_CLIENT_KEY',
        message: 'The provided client key is invalid or expired',
      });
      const now = await c.app.inject({
        method: 'GET',
        url: '/me',
        headers: { 'im-client-key': fresh.clientKey, 'im-authorization': token },
      });
      expect(now.statusCode).toBe(200);
      expect(now.json().result._id).toBe('ck-user');
      // The API key is unaffected.
      expect((await c.admin('GET', '/admin/clients')).statusCode).toBe(200);
    } finally {
      await c.close();
    }
  });
});

describe('usage', () => {
  it('counts requests, errors and rate-limited requests per minute, and records the last use', async () => {
    const { id, key, view } = await createKey({ name: 'metered', rateLimitPerMinute: 4 });
    expect(view).toMatchObject({ lastUsedAt: null, lastUsedIp: null });
    const before = Date.now();
    for (let i = 0; i < 3; i++)
      expect((await call(key, 'GET', '/admin/clients', undefined, '203.0.113.7')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/keys/key_nope', undefined, '203.0.113.7')).statusCode).toBe(404);
    expect((await call(key, 'GET', '/admin/clients', undefined, '203.0.113.7')).statusCode).toBe(429);
    expect((await call(key, 'GET', '/admin/clients', undefined, '203.0.113.7')).statusCode).toBe(429);
    const after = Date.now();

    const response = await t.admin('GET', `/admin/keys/${id}/usage`);
    expect(response.statusCode).toBe(200);
    const usage = response.json().result;
    expect(Object.keys(usage).sort()).toStrictEqual(['data', 'from', 'keyId', 'to', 'totals']);
    expect(usage.keyId).toBe(id);
    expect(usage.totals).toStrictEqual({ requests: 6, errors: 3, rateLimited: 2 });
    expect(Date.parse(usage.to) - Date.parse(usage.from)).toBe(3_600_000);
    expect(usage.data.length).toBeGreaterThanOrEqual(1);
    expect(usage.data.length).toBeLessThanOrEqual(2);
    const sum = { requests: 0, errors: 0, rateLimited: 0 };
    for (const row of usage.data) {
      expect(Object.keys(row).sort()).toStrictEqual(['errors', 'minute', 'minuteMS', 'rateLimited', 'requests']);
      expect(row.minuteMS % 60_000).toBe(0);
      expect(row.minute).toBe(new Date(row.minuteMS).toISOString());
      expect(row.minuteMS).toBeGreaterThanOrEqual(Math.floor(before / 60_000) * 60_000);
      expect(row.minuteMS).toBeLessThanOrEqual(after);
      sum.requests += row.requests;
      sum.errors += row.errors;
      sum.rateLimited += row.rateLimited;
    }
    expect(sum).toStrictEqual(usage.totals);

    await t.services.activity.flush();
    const shown = (await t.admin('GET', `/admin/keys/${id}`)).json().result;
    expect(shown.lastUsedIp).toBe('203.0.113.7');
    expect(shown.lastUsedAtMS).toBeGreaterThanOrEqual(before);
    expect(shown.lastUsedAtMS).toBeLessThanOrEqual(after);
    expect(shown.lastUsedAt).toBe(new Date(shown.lastUsedAtMS).toISOString());

    // Another key's usage is its own.
    const untouched = await createKey({ name: 'unused' });
    const empty = (await t.admin('GET', `/admin/keys/${untouched.id}/usage`)).json().result;
    expect(empty.totals).toStrictEqual({ requests: 0, errors: 0, rateLimited: 0 });
    expect(empty.data).toStrictEqual([]);
    expect((await t.admin('GET', `/admin/keys/${untouched.id}`)).json().result).toMatchObject({
      lastUsedAt: null,
      lastUsedAtMS: null,
      lastUsedIp: null,
    });
  });

  it('takes a from/to range as ISO or ms and validates it', async () => {
    const { id, key } = await createKey({ name: 'ranged' });
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    const now = Date.now();
    const wide = await t.admin(
      'GET',
      `/admin/keys/${id}/usage?from=${new Date(now - 120_000).toISOString()}&to=${now + 120_000}`,
    );
    expect(wide.statusCode).toBe(200);
    expect(wide.json().result).toMatchObject({
      from: new Date(now - 120_000).toISOString(),
      to: new Date(now + 120_000).toISOString(),
      totals: { requests: 1, errors: 0, rateLimited: 0 },
    });
    const earlier = await t.admin('GET', `/admin/keys/${id}/usage?from=${now - 7_200_000}&to=${now - 3_600_000}`);
    expect(earlier.json().result).toMatchObject({ totals: { requests: 0, errors: 0, rateLimited: 0 }, data: [] });

    for (const query of [
      `from=${now}&to=${now}`,
      `from=${now}&to=${now - 1}`,
      'from=yesterday',
      'to=soon',
      `from=${now - 32 * 86_400_000}&to=${now}`,
      'to=99999999999999999999',
      'from=2024-02-30T00:00:00Z',
    ]) {
      expectInvalidRequest(await t.admin('GET', `/admin/keys/${id}/usage?${query}`));
    }
  });
});

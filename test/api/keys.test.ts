import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { callWithKey, shapeA, shapeB } from '../helpers/wire.js';

const INVALID = shapeA('INVALID_API_KEY', 'The provided API key is invalid or expired');
const INSUFFICIENT = shapeA('INSUFFICIENT_PERMISSIONS', 'API key does not have permission for this operation');
const KEY_NOT_FOUND = shapeB(404, 'Not Found', 'KEY_NOT_FOUND', 'The specified API key does not exist');
const KEY_REVOKED = shapeB(409, 'Conflict', 'KEY_REVOKED', 'The API key has been revoked');
const CANNOT_GRANT = shapeB(403, 'Forbidden', 'FORBIDDEN', 'A key cannot grant scopes it does not hold itself');
const KEY_FIELDS = [
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

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

let t: TestApp;

/** A request with any API key, from any address. */
const call = (key: string, method: InjectOptions['method'], url: string, body?: unknown, remoteAddress?: string) =>
  callWithKey(t, key, method, url, body, remoteAddress);

function expectInvalidRequest(response: LightMyRequestResponse, messagePart?: string): void {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json();
  expect(Object.keys(body).sort()).toStrictEqual(['RC', 'RM', 'error']);
  expect(body).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_REQUEST' } });
  if (messagePart !== undefined) expect(body.error.message).toContain(messagePart);
}

/** Creates a key over HTTP with the full-permission key; returns its view and plain key. */
async function createKey(
  body: Record<string, unknown>,
): Promise<{ id: string; key: string; view: Record<string, unknown> }> {
  const response = await t.admin('POST', '/admin/keys', body);
  expect(response.statusCode, response.body).toBe(200);
  const { key, ...view } = response.json().result;
  return { id: view.id as string, key: key as string, view };
}

async function keyIdOf(plain: string): Promise<string> {
  const row = await t.services.storage.db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', sha256(plain))
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

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

describe('updating keys', () => {
  it('changes name, scopes, allowedIps, rate limit and expiry, with PATCH or PUT', async () => {
    const { id } = await createKey({ name: 'to update' });
    const expiresAt = Date.now() + 7 * 86_400_000;
    const patched = await t.admin('PATCH', `/admin/keys/${id}`, {
      name: 'updated',
      scopes: ['users:read'],
      allowedIps: ['192.0.2.0/24'],
      rateLimitPerMinute: 77,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().result).toMatchObject({
      id,
      name: 'updated',
      scopes: ['users:read'],
      allowedIps: ['192.0.2.0/24'],
      rateLimitPerMinute: 77,
      expiresAtMS: expiresAt,
      status: 'active',
    });
    expect((await t.admin('GET', `/admin/keys/${id}`)).json().result).toStrictEqual(patched.json().result);

    // Fields not sent stay as they are; null clears the expiry and the allow-list.
    const put = await t.admin('PUT', `/admin/keys/${id}`, { expiresAt: null, allowedIps: null });
    expect(put.statusCode).toBe(200);
    expect(put.json().result).toMatchObject({
      name: 'updated',
      scopes: ['users:read'],
      rateLimitPerMinute: 77,
      allowedIps: null,
      expiresAt: null,
      expiresAtMS: null,
    });
    const empty = await t.admin('PATCH', `/admin/keys/${id}`, {});
    expect(empty.statusCode).toBe(200);
    expect(empty.json().result).toStrictEqual(put.json().result);
  });

  it('refuses invalid changes with 400 and changes nothing', async () => {
    const { id } = await createKey({ name: 'guarded', scopes: ['users:read'] });
    expectInvalidRequest(
      await t.admin('PATCH', `/admin/keys/${id}`, { expiresAt: Date.now() - 1 }),
      'expiresAt must be in the future',
    );
    expectInvalidRequest(
      await t.admin('PATCH', `/admin/keys/${id}`, { expiresAt: '2020-01-01T00:00:00Z' }),
      'expiresAt must be in the future',
    );
    expectInvalidRequest(await t.admin('PATCH', `/admin/keys/${id}`, { expiresAt: 'soon' }), 'expiresAt');
    expectInvalidRequest(await t.admin('PATCH', `/admin/keys/${id}`, { expiresAt: 1e20 }), 'expiresAt');
    expectInvalidRequest(
      await t.admin('PATCH', `/admin/keys/${id}`, { allowedIps: ['10.0.0.0/8', '300.1.1.1'] }),
      '"300.1.1.1"',
    );
    expectInvalidRequest(
      await t.admin('PATCH', `/admin/keys/${id}`, { allowedIps: ['2001:db8::/129'] }),
      'invalid prefix length',
    );
    expectInvalidRequest(
      await t.admin('PATCH', `/admin/keys/${id}`, { allowedIps: ['10.0.0.0/8/9'] }),
      'invalid prefix length',
    );
    expectInvalidRequest(
      await t.admin('PATCH', `/admin/keys/${id}`, { scopes: ['users:read', 'everything'] }),
      'Unknown scope "everything"',
    );
    expectInvalidRequest(await t.admin('PATCH', `/admin/keys/${id}`, { scopes: [] }));
    expectInvalidRequest(await t.admin('PATCH', `/admin/keys/${id}`, { rateLimitPerMinute: 0 }));
    expectInvalidRequest(await t.admin('PATCH', `/admin/keys/${id}`, { rateLimitPerMinute: 10_000_001 }));
    expectInvalidRequest(await t.admin('PATCH', `/admin/keys/${id}`, { name: '' }));
    const key = (await t.admin('GET', `/admin/keys/${id}`)).json().result;
    expect(key).toMatchObject({
      name: 'guarded',
      scopes: ['users:read'],
      allowedIps: null,
      expiresAt: null,
      rateLimitPerMinute: 1000,
    });
  });

  it('applies a scope change on the very next request', async () => {
    const { id, key } = await createKey({ name: 'shifting', scopes: ['users:read'] });
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/keys')).statusCode).toBe(403);

    expect((await t.admin('PATCH', `/admin/keys/${id}`, { scopes: ['keys:manage'] })).statusCode).toBe(200);
    const refused = await call(key, 'GET', '/admin/clients');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual(INSUFFICIENT);
    expect((await call(key, 'GET', '/admin/keys')).statusCode).toBe(200);

    expect((await t.admin('PATCH', `/admin/keys/${id}`, { scopes: ['users:*'] })).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/keys')).statusCode).toBe(403);
  });

  it('applies an allow-list change on the very next request', async () => {
    const { id, key } = await createKey({ name: 'fenced later' });
    expect((await call(key, 'GET', '/admin/clients', undefined, '198.51.100.20')).statusCode).toBe(200);
    expect((await t.admin('PATCH', `/admin/keys/${id}`, { allowedIps: ['203.0.113.0/24'] })).statusCode).toBe(200);
    const outside = await call(key, 'GET', '/admin/clients', undefined, '198.51.100.20');
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toStrictEqual(INSUFFICIENT);
    expect((await call(key, 'GET', '/admin/clients', undefined, '203.0.113.9')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/admin/clients', undefined, '::ffff:203.0.113.9')).statusCode).toBe(200);
  });

  it('refuses to change a revoked key (409)', async () => {
    const { id } = await createKey({ name: 'gone' });
    expect((await t.admin('DELETE', `/admin/keys/${id}`)).statusCode).toBe(200);
    const response = await t.admin('PATCH', `/admin/keys/${id}`, { name: 'back' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toStrictEqual(KEY_REVOKED);
  });

  it('cannot bring an expired key back with a new expiry (409 KEY_EXPIRED)', async () => {
    const { id, key } = await createKey({ name: 'short-lived', expiresAt: Date.now() + 150 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await t.admin('PATCH', `/admin/keys/${id}`, { expiresAt: null });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('KEY_EXPIRED');
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(401);
  });

  it("keeps a rolled key's end fixed by its rotation (409 KEY_ROLLED), other settings may change", async () => {
    const { id, key } = await createKey({ name: 'rolling' });
    expect((await t.admin('POST', `/admin/keys/${id}/roll`, { gracePeriodSeconds: 600 })).statusCode).toBe(200);
    for (const expiresAt of [null, Date.now() + 86_400_000]) {
      const response = await t.admin('PATCH', `/admin/keys/${id}`, { expiresAt });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('KEY_ROLLED');
    }
    expect((await t.admin('PATCH', `/admin/keys/${id}`, { name: 'rolling (old)' })).json().result.status).toBe(
      'expiring',
    );
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
  });
});

describe('rolling keys', () => {
  it('issues a new key with the same settings; the old one works during the grace period', async () => {
    const expiresAt = Date.now() + 10 * 86_400_000;
    const old = await createKey({
      name: 'rolled',
      scopes: ['users:read', 'keys:manage'],
      allowedIps: ['127.0.0.0/8'],
      rateLimitPerMinute: 500,
      expiresAt,
    });
    const before = Date.now();
    const response = await t.admin('POST', `/admin/keys/${old.id}/roll`, {});
    const after = Date.now();
    expect(response.statusCode).toBe(200);
    const { key: fresh, previous, ...view } = response.json().result;
    expect(fresh).toMatch(/^UGFybGV5/);
    expect(fresh).not.toBe(old.key);
    expect(Object.keys(view).sort()).toStrictEqual(KEY_FIELDS);
    expect(view).toMatchObject({
      name: 'rolled',
      scopes: ['users:read', 'keys:manage'],
      allowedIps: ['127.0.0.0/8'],
      rateLimitPerMinute: 500,
      status: 'active',
      rolledFrom: old.id,
      rolledTo: null,
      last4: fresh.slice(-4),
    });
    expect(view.id).not.toBe(old.id);
    // The new key keeps the old key's lifetime, counted from now.
    const lifetime = expiresAt - (old.view.createdAtMS as number);
    expect(view.expiresAtMS).toBe((view.createdAtMS as number) + lifetime);

    // The old key: expiring, pointing at its successor; its expiry is the earlier of its own and the grace end.
    expect(Object.keys(previous).sort()).toStrictEqual(KEY_FIELDS);
    expect(previous).toMatchObject({ id: old.id, status: 'expiring', rolledTo: view.id, revokedAt: null });
    expect(previous.expiresAtMS).toBeGreaterThanOrEqual(before + 86_400_000);
    expect(previous.expiresAtMS).toBeLessThanOrEqual(after + 86_400_000);

    expect((await call(fresh, 'GET', '/admin/clients')).statusCode).toBe(200);
    expect((await call(old.key, 'GET', '/admin/clients')).statusCode).toBe(200);
    const shown = (await t.admin('GET', `/admin/keys/${old.id}`)).json().result;
    expect(shown).toMatchObject({ status: 'expiring', rolledTo: view.id, expiresAtMS: previous.expiresAtMS });
    const listed = (await t.admin('GET', '/admin/keys')).json().result.data.map((key: { id: string }) => key.id);
    expect(listed).toContain(old.id);
    expect(listed).toContain(view.id);
  });

  it('keeps an earlier expiry of the old key, and accepts a roll without a body', async () => {
    const soon = Date.now() + 3_600_000;
    const old = await createKey({ name: 'short-lived', expiresAt: soon });
    const response = await t.app.inject({
      method: 'POST',
      url: `/admin/keys/${old.id}/roll`,
      headers: { 'im-api-key': t.apiKey },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().result.previous.expiresAtMS).toBe(soon);
  });

  it('ends the old key at once with gracePeriodSeconds: 0', async () => {
    const old = await createKey({ name: 'rolled now' });
    expect((await call(old.key, 'GET', '/admin/clients')).statusCode).toBe(200);
    const response = await t.admin('POST', `/admin/keys/${old.id}/roll`, { gracePeriodSeconds: 0 });
    expect(response.statusCode).toBe(200);
    const { key: fresh, previous } = response.json().result;
    expect(previous.status).toBe('expired');
    const refused = await call(old.key, 'GET', '/admin/clients');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toStrictEqual(INVALID);
    expect((await call(fresh, 'GET', '/admin/clients')).statusCode).toBe(200);
  });

  it('validates the grace period', async () => {
    const old = await createKey({ name: 'grace checks' });
    expectInvalidRequest(await t.admin('POST', `/admin/keys/${old.id}/roll`, { gracePeriodSeconds: -1 }));
    expectInvalidRequest(await t.admin('POST', `/admin/keys/${old.id}/roll`, { gracePeriodSeconds: 30 * 86_400 + 1 }));
    expectInvalidRequest(await t.admin('POST', `/admin/keys/${old.id}/roll`, { gracePeriodSeconds: 1.5 }));
    expectInvalidRequest(await t.admin('POST', `/admin/keys/${old.id}/roll`, { gracePeriodSeconds: '60' }));
    expect((await t.admin('GET', `/admin/keys/${old.id}`)).json().result).toMatchObject({
      status: 'active',
      rolledTo: null,
    });
  });

  it('refuses to roll a revoked key (409)', async () => {
    const old = await createKey({ name: 'revoked then rolled' });
    expect((await t.admin('DELETE', `/admin/keys/${old.id}`)).statusCode).toBe(200);
    const response = await t.admin('POST', `/admin/keys/${old.id}/roll`, { gracePeriodSeconds: 60 });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toStrictEqual(KEY_REVOKED);
    expect((await call(old.key, 'GET', '/admin/clients')).statusCode).toBe(401);
  });
});

describe('revoking keys', () => {
  it('stops the key on the very next request and hides it from the default list', async () => {
    const { id, key } = await createKey({ name: 'to revoke' });
    expect((await call(key, 'GET', '/admin/clients')).statusCode).toBe(200);
    const before = Date.now();
    const response = await t.admin('DELETE', `/admin/keys/${id}`);
    expect(response.statusCode).toBe(200);
    const revoked = response.json().result;
    expect(revoked).toMatchObject({ id, status: 'revoked' });
    expect(revoked.revokedAtMS).toBeGreaterThanOrEqual(before);
    expect(revoked.revokedAt).toBe(new Date(revoked.revokedAtMS).toISOString());

    const refused = await call(key, 'GET', '/admin/clients');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toStrictEqual(INVALID);

    const active = (await t.admin('GET', '/admin/keys')).json().result.data.map((entry: { id: string }) => entry.id);
    expect(active).not.toContain(id);
    const all = (await t.admin('GET', '/admin/keys?includeRevoked=true')).json().result;
    expect(all.data.find((entry: { id: string }) => entry.id === id)).toMatchObject({ status: 'revoked' });
    expect(all.totalCount).toBe(all.data.length);

    // Revoking again changes nothing.
    const again = await t.admin('DELETE', `/admin/keys/${id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json().result.revokedAtMS).toBe(revoked.revokedAtMS);
  });

  it('lets a key revoke itself; that response still succeeds and the next request is refused', async () => {
    const key = await t.createKey({ name: 'self-revoker' });
    const id = await keyIdOf(key);
    const response = await call(key, 'DELETE', `/admin/keys/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().result).toMatchObject({ id, status: 'revoked' });
    const next = await call(key, 'GET', '/admin/keys');
    expect(next.statusCode).toBe(401);
    expect(next.json()).toStrictEqual(INVALID);
  });
});

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

import { describe, expect, it } from 'vitest';
import { shapeA, shapeB } from '../../helpers/errors.js';
import {
  call,
  createKey,
  expectInvalidRequest,
  INSUFFICIENT,
  KEY_FIELDS,
  keyIdOf,
  t,
} from '../../helpers/keys-suite.js';
import { useKeysApp } from '../../helpers/keys-suite.js';

const INVALID = shapeA('INVALID_API_KEY', 'The provided API key is invalid or expired');

const KEY_REVOKED = shapeB(409, 'Conflict', 'KEY_REVOKED', 'The API key has been revoked');

useKeysApp();

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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { asOperator, type OperatorSession, operatorSession, PASSWORD } from '../../helpers/operators.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let grace: OperatorSession;
beforeAll(async () => {
  t = await buildTestApp();
  grace = await operatorSession(t, 'grace');
});
afterAll(() => t.close());

describe('the admin API through an operator session', () => {
  it('creates an API key with cookie + X-Parley-App + CSRF; the key then works over HTTP; the audit names the operator', async () => {
    const created = await asOperator(t, grace, 'POST', '/admin/keys', {
      name: 'made in the dashboard',
      scopes: ['users:read'],
    });
    const key = expectOk(created);
    expect(key.key.length).toBeGreaterThan(40);
    expect(key.createdBy).toBe('operator:grace');

    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const listed = await fetch(`${url}/admin/clients`, { headers: { 'IM-API-KEY': key.key } });
    expect(listed.status).toBe(200);
    const refused = await fetch(`${url}/admin/keys`, { headers: { 'IM-API-KEY': key.key } });
    expect(refused.status).toBe(403);

    const audit = expectOk(await t.admin('GET', `/admin/audit?operatorId=${grace.operator.id}`));
    expect(audit.data.length).toBeGreaterThanOrEqual(1);
    for (const record of audit.data)
      expect(record).toMatchObject({ keyId: null, keyName: 'operator:grace', operatorId: grace.operator.id });
    expect(audit.data).toContainEqual(
      expect.objectContaining({ method: 'POST', route: '/admin/keys', status: 200, targetIds: [key.id] }),
    );
    const byKey = expectOk(await t.admin('GET', `/admin/audit?keyId=${key.id}`));
    expect(byKey.data[0]).toMatchObject({ keyId: key.id, keyName: 'made in the dashboard', operatorId: null });
  });

  it('reads with the session alone (GET needs no CSRF token) and acts as the platform admin on user routes', async () => {
    expectOk(await asOperator(t, grace, 'GET', '/admin/keys', undefined, { 'x-csrf-token': '' }));
    expectOk(await asOperator(t, grace, 'POST', '/admin/clients', { _id: 'heidi', nickname: 'Heidi' }));
    const room = expectOk(
      await asOperator(
        t,
        grace,
        'POST',
        '/rooms',
        { _id: 'op-room', name: 'Ops', members: ['heidi'] },
        { 'im-client-id': 'heidi' },
      ),
    );
    expect(room._id).toBe('op-room');
    const frozen = await asOperator(t, grace, 'PUT', '/rooms/op-room', { status: 0 });
    expect(frozen.statusCode, frozen.body).toBe(200);
    expect(frozen.json().result.status).toBe(0);
  });

  it('refuses a state change without the CSRF token, or with a wrong one: 403 on admin routes too', async () => {
    for (const headers of [
      { 'x-csrf-token': '' },
      { 'x-csrf-token': 'x'.repeat(43) },
      { 'x-csrf-token': grace.csrfToken.slice(1) },
    ]) {
      const response = await asOperator(t, grace, 'POST', '/admin/keys', { name: 'forged' }, headers);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toStrictEqual({
        RC: 403,
        RM: 'Forbidden',
        error: { code: 'CSRF_TOKEN_INVALID', message: expect.any(String) },
      });
      expect((await asOperator(t, grace, 'DELETE', '/admin/clients/heidi', undefined, headers)).statusCode).toBe(403);
    }
    const keys = expectOk(await t.admin('GET', '/admin/keys'));
    expect(keys.data.map((key: { name: string }) => key.name)).not.toContain('forged');
  });

  it('needs X-Parley-App (400) naming an existing application (404)', async () => {
    const missing = await asOperator(t, grace, 'GET', '/admin/keys', undefined, { 'x-parley-app': '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('INVALID_REQUEST');
    for (const app of ['no-such-app', 'a'.repeat(300)]) {
      const unknown = await asOperator(t, grace, 'GET', '/admin/keys', undefined, { 'x-parley-app': app });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toStrictEqual({
        RC: 404,
        RM: 'Not Found',
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
    }
  });

  it('acts in the application named: another app’s keys are its own', async () => {
    const other = await t.services.apps.create('Second app', 'second-app');
    const created = expectOk(
      await asOperator(t, grace, 'POST', '/admin/keys', { name: 'second' }, { 'x-parley-app': other.id }),
    );
    const inOther = expectOk(await asOperator(t, grace, 'GET', '/admin/keys', undefined, { 'x-parley-app': other.id }));
    expect(inOther.data.map((key: { id: string }) => key.id)).toContain(created.id);
    const inDefault = expectOk(await asOperator(t, grace, 'GET', '/admin/keys'));
    expect(inDefault.data.map((key: { id: string }) => key.id)).not.toContain(created.id);
  });

  it('prefers the API key when both are sent, and refuses a bad cookie with 401', async () => {
    const both = await t.app.inject({
      method: 'GET',
      url: '/admin/keys',
      headers: { cookie: grace.cookie, 'im-api-key': 'wrong-key-wrong-key' },
    });
    expect(both.statusCode).toBe(401);
    expect(both.json().error).toBe('INVALID_API_KEY');
    const bad = await t.app.inject({
      method: 'GET',
      url: '/admin/keys',
      headers: { cookie: 'parley_session=forged', 'x-parley-app': t.appId },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('SESSION_REQUIRED');
  });

  it('gives each operator a request budget (429 with Retry-After)', async () => {
    const budgeted = await buildTestApp({ dashboard: { ...t.config.dashboard, operatorRateLimitPerMinute: 3 } });
    try {
      const session = await operatorSession(budgeted, 'ivan');
      for (let i = 0; i < 3; i++) expectOk(await asOperator(budgeted, session, 'GET', '/admin/keys'));
      const over = await asOperator(budgeted, session, 'GET', '/admin/keys');
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await budgeted.close();
    }
  });
});

describe('refused operator requests in the audit trail', () => {
  it('records a forged cookie in the default application, a missing CSRF token under the operator', async () => {
    await t.app.inject({
      method: 'GET',
      url: '/admin/keys?probe=forged',
      headers: { cookie: 'parley_session=forged-token', 'x-parley-app': t.appId },
    });
    await asOperator(t, grace, 'POST', '/admin/keys?probe=csrf', { name: 'x' }, { 'x-csrf-token': '' });
    const forged = expectOk(await t.admin('GET', `/admin/audit?status=401&route=${encodeURIComponent('/admin/keys')}`));
    expect(forged.data).toContainEqual(
      expect.objectContaining({ url: '/admin/keys?probe=forged', keyId: null, keyName: null, operatorId: null }),
    );
    const csrf = expectOk(await t.admin('GET', `/admin/audit?operatorId=${grace.operator.id}&status=403`));
    expect(csrf.data).toContainEqual(
      expect.objectContaining({ url: '/admin/keys?probe=csrf', method: 'POST', keyName: 'operator:grace' }),
    );
  });
});

describe('applications in the dashboard', () => {
  it('lists, creates (the plain key once, usable) and renames', async () => {
    const list = await asOperator(t, grace, 'GET', '/dashboard/api/apps');
    expect(list.statusCode).toBe(200);
    expect(list.json().apps).toContainEqual({ id: t.appId, name: expect.any(String), createdAt: expect.any(String) });

    const created = await asOperator(t, grace, 'POST', '/dashboard/api/apps', { name: 'Shop Chat' });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    expect(body).toStrictEqual({
      app: { id: 'Shop-Chat', name: 'Shop Chat', createdAt: expect.any(String) },
      apiKey: expect.any(String),
      clientKey: expect.any(String),
    });
    const withKey = await t.app.inject({ method: 'GET', url: '/admin/app', headers: { 'im-api-key': body.apiKey } });
    expect(expectOk(withKey).appID).toBe('Shop-Chat');
    const keys = await asOperator(t, grace, 'GET', '/admin/keys', undefined, { 'x-parley-app': 'Shop-Chat' });
    expect(keys.body).not.toContain(body.apiKey);

    const renamed = await asOperator(t, grace, 'PATCH', '/dashboard/api/apps/Shop-Chat', { name: 'Shop support' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toStrictEqual({
      app: { id: 'Shop-Chat', name: 'Shop support', createdAt: expect.any(String) },
    });
    expect((await asOperator(t, grace, 'PATCH', '/dashboard/api/apps/nope', { name: 'x' })).statusCode).toBe(404);
    expect((await asOperator(t, grace, 'POST', '/dashboard/api/apps', { name: 'Shop Chat' })).statusCode).toBe(400);
    expect(
      (await asOperator(t, grace, 'POST', '/dashboard/api/apps', { name: 'x' }, { 'x-csrf-token': '' })).statusCode,
    ).toBe(403);
    for (const bad of [{}, { name: 5 }, { name: '' }, { name: 'ok', admin: true }])
      expect((await asOperator(t, grace, 'POST', '/dashboard/api/apps', bad)).statusCode, JSON.stringify(bad)).toBe(
        400,
      );

    const audit = expectOk(
      await asOperator(t, grace, 'GET', '/admin/audit?route=/dashboard/api/apps', undefined, {
        'x-parley-app': 'Shop-Chat',
      }),
    );
    expect(audit.data[0]).toMatchObject({
      method: 'POST',
      keyName: 'operator:grace',
      operatorId: grace.operator.id,
      status: 201,
    });
  });
});

describe('secrets in the logs', () => {
  it('never logs an operator password, session token or CSRF token', () => {
    const text = t.logs.join('\n');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(grace.cookie.split('=')[1]);
    expect(text).not.toContain(grace.csrfToken);
  });
});

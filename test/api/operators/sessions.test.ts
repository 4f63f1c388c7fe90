import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../helpers/expect.js';
import { asOperator, login, operatorSession, PASSWORD } from '../../helpers/operators.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await t.services.operators.create('carol', PASSWORD);
});
afterAll(() => t.close());

const SESSION_REQUIRED = {
  RC: 401,
  RM: 'Unauthorized',
  error: { code: 'SESSION_REQUIRED', message: expect.any(String) },
};
const CSRF = { RC: 403, RM: 'Forbidden', error: { code: 'CSRF_TOKEN_INVALID', message: expect.any(String) } };

describe('sessions', () => {
  it('lists the operator’s live sessions (ids, never tokens) with the current one marked', async () => {
    const first = await login(t, 'carol');
    const second = await login(t, 'carol', PASSWORD, '192.0.2.77');
    const response = await t.app.inject({
      method: 'GET',
      url: '/dashboard/api/sessions',
      headers: { cookie: second.cookie, 'user-agent': 'test-agent/1' },
    });
    expect(response.statusCode).toBe(200);
    const { sessions } = response.json();
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    const current = sessions.filter((session: { current: boolean }) => session.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toStrictEqual({
      id: expect.stringMatching(/^ses_/),
      createdAt: expect.any(String),
      lastSeen: expect.any(String),
      ip: '192.0.2.77',
      userAgent: expect.any(String),
      current: true,
    });
    const token = first.cookie.split('=')[1]!;
    expect(response.body).not.toContain(token);
  });

  it('revokes one session: it is refused at once (401); revoking it again is a 404', async () => {
    const keep = await login(t, 'carol');
    const doomed = await login(t, 'carol');
    const { sessions } = (await asOperator(t, doomed, 'GET', '/dashboard/api/sessions')).json();
    const doomedId = sessions.find((session: { current: boolean }) => session.current).id;

    const withoutCsrf = await asOperator(t, keep, 'DELETE', `/dashboard/api/sessions/${doomedId}`, undefined, {
      'x-csrf-token': '',
    });
    expect(withoutCsrf.statusCode).toBe(403);
    expect(withoutCsrf.json()).toStrictEqual(CSRF);

    expect((await asOperator(t, keep, 'DELETE', `/dashboard/api/sessions/${doomedId}`)).statusCode).toBe(204);
    const refused = await asOperator(t, doomed, 'GET', '/dashboard/api/session');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toStrictEqual(SESSION_REQUIRED);
    expect((await asOperator(t, keep, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
    expect((await asOperator(t, keep, 'DELETE', `/dashboard/api/sessions/${doomedId}`)).statusCode).toBe(404);
  });

  it('cannot revoke another operator’s session', async () => {
    const mine = await login(t, 'carol');
    const other = await operatorSession(t, 'dave');
    const { sessions } = (await asOperator(t, other, 'GET', '/dashboard/api/sessions')).json();
    expect((await asOperator(t, mine, 'DELETE', `/dashboard/api/sessions/${sessions[0].id}`)).statusCode).toBe(404);
    expect((await asOperator(t, other, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
  });

  it('logs out: 204, the cookie cleared, the session ended', async () => {
    const session = await login(t, 'carol');
    const noCsrf = await asOperator(t, session, 'POST', '/dashboard/api/logout', undefined, {
      'x-csrf-token': 'wrong',
    });
    expect(noCsrf.statusCode).toBe(403);
    const out = await asOperator(t, session, 'POST', '/dashboard/api/logout');
    expect(out.statusCode).toBe(204);
    const cleared = [out.headers['set-cookie']].flat().find((line) => line?.startsWith('parley_session='))!;
    expect(cleared).toMatch(/^parley_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await asOperator(t, session, 'GET', '/dashboard/api/session')).statusCode).toBe(401);
  });

  it('changes the password: CSRF needed, the current one checked, the other sessions ended', async () => {
    await t.services.operators.create('erin', PASSWORD);
    const here = await login(t, 'erin');
    const elsewhere = await login(t, 'erin');
    const body = { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' };
    expect(
      (await asOperator(t, here, 'POST', '/dashboard/api/password', body, { 'x-csrf-token': '' })).statusCode,
    ).toBe(403);
    expect(
      (await asOperator(t, here, 'POST', '/dashboard/api/password', { ...body, newPassword: 'too short' })).statusCode,
    ).toBe(400);
    expect(
      (await asOperator(t, here, 'POST', '/dashboard/api/password', { ...body, newPassword: 'n'.repeat(1025) }))
        .statusCode,
    ).toBe(400);
    const wrong = await asOperator(t, here, 'POST', '/dashboard/api/password', {
      ...body,
      currentPassword: 'not it at all',
    });
    expect(wrong.statusCode).toBe(401);
    expect((await asOperator(t, elsewhere, 'GET', '/dashboard/api/session')).statusCode).toBe(200);

    expect((await asOperator(t, here, 'POST', '/dashboard/api/password', body)).statusCode).toBe(204);
    expect((await asOperator(t, here, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
    expect((await asOperator(t, elsewhere, 'GET', '/dashboard/api/session')).statusCode).toBe(401);
    await expect(login(t, 'erin', PASSWORD)).rejects.toThrow(/401/);
    expect((await login(t, 'erin', 'a brand new passphrase')).operator.name).toBe('erin');
  });

  it('refuses a session cookie from another site on a state change (Origin), even with the CSRF token', async () => {
    const session = await login(t, 'carol');
    const response = await asOperator(t, session, 'POST', '/dashboard/api/logout', undefined, {
      origin: 'https://evil.example',
    });
    expect(response.statusCode).toBe(403);
    expect((await asOperator(t, session, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
  });
});

describe('session expiry', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await buildTestApp({
      dashboard: { ...t.config.dashboard, sessionIdleSeconds: 1, sessionMaxSeconds: 3 },
    });
    await short.services.operators.create('frank', PASSWORD);
  });
  afterAll(() => short.close());

  it('ends a session left idle longer than the idle time', async () => {
    const session = await login(short, 'frank');
    expect((await asOperator(short, session, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
    await sleep(1300);
    const response = await asOperator(short, session, 'GET', '/dashboard/api/session');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toStrictEqual(SESSION_REQUIRED);
  });

  it('ends a session in use at its absolute expiry', async () => {
    const session = await login(short, 'frank');
    const started = Date.now();
    // Used every 400 ms (within the idle second) until past the 3 s absolute expiry.
    while (Date.now() - started < 2700) {
      expect((await asOperator(short, session, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
      await sleep(400);
    }
    await sleep(Math.max(0, 3200 - (Date.now() - started)));
    expect((await asOperator(short, session, 'GET', '/dashboard/api/session')).statusCode).toBe(401);
    expect((await asOperator(short, session, 'GET', '/admin/keys')).statusCode).toBe(401);
  });
});

describe('every dashboard route needs a session', () => {
  const concrete = (url: string) => url.replace(/:([A-Za-z_]+)/g, 'x1');

  it('answers 401 SESSION_REQUIRED without a cookie, and with an ended or forged one', async () => {
    const routes = t.app.routeTable.filter((route) => route.auth === 'operator');
    expect(routes.length).toBeGreaterThanOrEqual(8);
    const ended = await login(t, 'carol');
    expect((await asOperator(t, ended, 'POST', '/dashboard/api/logout')).statusCode).toBe(204);
    const cookies = [undefined, ended.cookie, 'parley_session=ses_forged.0000000000000000000000'];
    for (const route of routes)
      for (const cookie of cookies) {
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' },
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
        });
        expect(response.statusCode, `${route.method} ${route.url} with ${cookie ?? 'no cookie'}`).toBe(401);
        expect(response.json(), `${route.method} ${route.url}`).toMatchObject(SESSION_REQUIRED);
      }
  });
});

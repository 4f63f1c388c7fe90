import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { login, PASSWORD, sessionCookieOf } from '../../helpers/operators.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const post = (url: string, body: unknown, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    remoteAddress,
  });

const refused = (status: number, code: string) => ({
  RC: status,
  RM: expect.any(String),
  error: { code, message: expect.any(String) },
});

describe('the first start: a one-time setup link', () => {
  it('is made on a fresh database, and a later start does not replace one still valid', async () => {
    expect(t.operatorSetupToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await t.services.operators.firstStartSetup()).toBe('pending');
  });

  it('is made afresh by a later start when none is left valid and there is still no operator', async () => {
    const fresh = await buildTestApp();
    try {
      expect(await fresh.services.operators.firstStartSetup()).toBe('pending');
      await fresh.services.storage.db
        .updateTable('operator_setup_tokens')
        .set({ expires_at: Date.now() - 1 })
        .execute();
      const again = await fresh.services.operators.firstStartSetup();
      expect(again).toStrictEqual({ token: expect.any(String), expiresAt: expect.any(Number) });
      expect(typeof again === 'object' && again.token).not.toBe(fresh.operatorSetupToken);
      const stale = await fresh.app.inject({
        method: 'POST',
        url: '/dashboard/api/setup',
        payload: { token: fresh.operatorSetupToken, name: 'late', password: PASSWORD },
      });
      expect(stale.statusCode).toBe(401);
    } finally {
      await fresh.close();
    }
  });

  it('creates the operator once: 201, the session cookie and a CSRF token; the link is then spent', async () => {
    const wrong = await post('/dashboard/api/setup', { token: 'not-the-token', name: 'root', password: PASSWORD });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toStrictEqual(refused(401, 'INVALID_TOKEN'));

    const weak = await post('/dashboard/api/setup', { token: t.operatorSetupToken, name: 'root', password: 'short' });
    expect(weak.statusCode).toBe(400);

    const created = await post('/dashboard/api/setup', {
      token: t.operatorSetupToken,
      name: 'root',
      password: PASSWORD,
    });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    expect(body).toStrictEqual({
      operator: { id: expect.stringMatching(/^op_/), name: 'root' },
      csrfToken: expect.any(String),
    });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(43);
    const cookie = sessionCookieOf(created);
    const session = await t.app.inject({ method: 'GET', url: '/dashboard/api/session', headers: { cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toStrictEqual({
      operator: body.operator,
      csrfToken: body.csrfToken,
      expiresAt: expect.any(String),
    });

    const again = await post('/dashboard/api/setup', {
      token: t.operatorSetupToken,
      name: 'root2',
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(401);
    expect(await t.services.operators.firstStartSetup()).toBeUndefined();
  });

  it('keeps a link whose name was taken usable once more, and refuses other origins', async () => {
    const { token } = await t.services.operators.createSetupToken();
    const taken = await post('/dashboard/api/setup', { token, name: 'root', password: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toStrictEqual(refused(409, 'OPERATOR_EXISTS'));
    const crossSite = await post(
      '/dashboard/api/setup',
      { token, name: 'second', password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.statusCode).toBe(403);
    for (const origin of ['null', 'http://localhost.evil.example', 'http://localhost:81'])
      expect(
        (await post('/dashboard/api/login', { name: 'root', password: PASSWORD }, { origin, host: 'localhost:80' }))
          .statusCode,
        origin,
      ).toBe(403);
    // Behind a TLS-terminating proxy the page is https while the request arrives over http.
    expect(
      (
        await post(
          '/dashboard/api/login',
          { name: 'root', password: PASSWORD },
          { origin: 'https://localhost', host: 'localhost' },
        )
      ).statusCode,
    ).toBe(200);
    const sameSite = await post(
      '/dashboard/api/setup',
      { token, name: 'second', password: PASSWORD },
      { origin: 'http://localhost:80', host: 'localhost:80' },
    );
    expect(sameSite.statusCode, sameSite.body).toBe(201);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP, with the absolute expiry', async () => {
    const response = await post('/dashboard/api/login', { name: 'root', password: PASSWORD });
    expect(response.statusCode).toBe(200);
    const header = [response.headers['set-cookie']].flat().find((line) => line?.startsWith('parley_session='))!;
    const attributes = header.split(';').map((part) => part.trim());
    expect(attributes).toContain('HttpOnly');
    expect(attributes).toContain('SameSite=Strict');
    expect(attributes).toContain('Path=/');
    expect(attributes).not.toContain('Secure');
    const expires = Date.parse(attributes.find((part) => part.startsWith('Expires='))!.slice('Expires='.length));
    expect(expires - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(attributes[0]!.length).toBeGreaterThan('parley_session='.length + 40);
  });

  it('is Secure when the request came over TLS (through a trusted proxy)', async () => {
    const behindProxy = await buildTestApp({ trustProxy: 1 });
    try {
      await behindProxy.services.operators.create('tls-op', PASSWORD);
      const response = await behindProxy.app.inject({
        method: 'POST',
        url: '/dashboard/api/login',
        payload: { name: 'tls-op', password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' },
      });
      expect(response.statusCode, response.body).toBe(200);
      const header = [response.headers['set-cookie']].flat().find((line) => line?.startsWith('parley_session='))!;
      expect(header.split(';').map((part) => part.trim())).toContain('Secure');
    } finally {
      await behindProxy.close();
    }
  });
});

describe('sign-in', () => {
  it('answers a wrong password and an unknown name alike, taking as long', async () => {
    await t.services.operators.create('alice', PASSWORD);
    const timed = async (body: unknown) => {
      const started = performance.now();
      const response = await post('/dashboard/api/login', body, {}, '192.0.2.40');
      return { response, ms: performance.now() - started };
    };
    const wrongPassword = await timed({ name: 'alice', password: 'wrong password here' });
    const unknownName = await timed({ name: 'nobody-at-all', password: 'wrong password here' });
    for (const { response } of [wrongPassword, unknownName]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(unknownName.response.json()).toStrictEqual(wrongPassword.response.json());
    expect(wrongPassword.response.json()).toStrictEqual(refused(401, 'INVALID_CREDENTIALS'));
    // Both verify one argon2id hash. The fastest of several tries (the least disturbed by other work
    // on the machine) of each is within a factor of the other's; a skipped hash would be ~20x faster.
    const fastest = { wrong: wrongPassword.ms, unknown: unknownName.ms };
    for (let i = 0; i < 4; i++) {
      fastest.wrong = Math.min(fastest.wrong, (await timed({ name: 'alice', password: `wrong password ${i}` })).ms);
      fastest.unknown = Math.min(
        fastest.unknown,
        (await timed({ name: `nobody-${i}`, password: 'wrong password' })).ms,
      );
    }
    expect(fastest.unknown).toBeGreaterThan(fastest.wrong / 3);
    expect(fastest.wrong).toBeGreaterThan(fastest.unknown / 3);
    const right = await login(t, 'alice', PASSWORD, '192.0.2.41');
    expect(right.operator.name).toBe('alice');
  });

  it('refuses bad input with a 400 in the error shape', async () => {
    for (const body of [
      {},
      { name: 'alice' },
      { name: 7, password: PASSWORD },
      { name: 'alice', password: 'p'.repeat(1025) },
      { name: 'alice', password: PASSWORD, extra: 1 },
      ['alice'],
    ]) {
      const response = await post('/dashboard/api/login', body, {}, '192.0.2.42');
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toStrictEqual(refused(400, 'INVALID_REQUEST'));
    }
    const huge = await post(
      '/dashboard/api/login',
      { name: 'alice', password: 'p'.repeat(2_000_000) },
      {},
      '192.0.2.42',
    );
    expect(huge.statusCode).toBeGreaterThanOrEqual(400);
    expect(huge.statusCode).toBeLessThan(500);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('sign-in attempts are limited', () => {
  it('per address and per name, with 429 and Retry-After', async () => {
    const limited = await buildTestApp({ dashboard: { ...t.config.dashboard, loginAttemptsPerMinute: 3 } });
    try {
      await limited.services.operators.create('bob', PASSWORD);
      const attempt = (name: string, password: string, remoteAddress: string) =>
        limited.app.inject({ method: 'POST', url: '/dashboard/api/login', payload: { name, password }, remoteAddress });
      for (let i = 0; i < 3; i++)
        expect((await attempt(`guess${i}`, 'wrong password!', '192.0.2.50')).statusCode).toBe(401);
      const blocked = await attempt('bob', PASSWORD, '192.0.2.50');
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.json()).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED' });

      // One name guessed from many addresses.
      for (let i = 0; i < 3; i++)
        expect((await attempt('bob', 'wrong password!', `198.51.100.${i}`)).statusCode).toBe(401);
      const byName = await attempt('bob', PASSWORD, '198.51.100.99');
      expect(byName.statusCode).toBe(429);
      expect(Number(byName.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

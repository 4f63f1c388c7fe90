import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { generateApiKey } from '../../../src/modules/keys/key-format.js';
import type { RouteEntry } from '../../../src/http/types.js';
import { INVALID_TOKEN } from '../../helpers/errors.js';
import { login, PASSWORD, type OperatorSession } from '../../helpers/operators.js';

const MISSING = { error: 'MISSING_API_KEY', message: 'IM-API-KEY header is required' };
const INVALID = { error: 'INVALID_API_KEY', message: 'The provided API key is invalid or expired' };
const FORBIDDEN = { error: 'INSUFFICIENT_PERMISSIONS', message: 'API key does not have permission for this operation' };

let t: TestApp;
let revokedKey: string;
let expiredKey: string;
let scopedKey: string;
let fencedKey: string;
let userToken: string;
let adminRoutes: RouteEntry[];

function concrete(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, 'x1');
}

beforeAll(async () => {
  t = await buildTestApp();
  revokedKey = await t.createKey({ name: 'revoked' });
  const revoked = (await t.services.keys.list(t.appId)).find((key) => key.name === 'revoked')!;
  await t.services.keys.revoke(t.appId, revoked.id);
  expiredKey = await t.createKey({ name: 'expired', expiresAt: Date.now() + 50 });
  scopedKey = await t.createKey({ name: 'scoped', scopes: ['webhooks:read'] });
  fencedKey = await t.createKey({ name: 'fenced', allowedIps: ['10.1.0.0/16', '2001:db8::/32'] });
  userToken = await t.createUser('matrix-user');
  await new Promise((resolve) => setTimeout(resolve, 60));
  adminRoutes = t.app.routeTable.filter((route) => route.auth === 'admin');
});
afterAll(() => t.close());

describe('auth matrix: every admin route', () => {
  it('covers the admin API', () => {
    expect(adminRoutes.length).toBeGreaterThanOrEqual(20);
    for (const route of adminRoutes) expect(route.scope, `${route.method} ${route.url} declares a scope`).toBeDefined();
  });

  const cases: Array<[string, () => Record<string, string>, number, object, string?]> = [
    ['no key', () => ({}), 401, MISSING],
    ['an empty key', () => ({ 'im-api-key': '' }), 401, MISSING],
    [
      'a mistyped key (bad checksum)',
      () => ({ 'im-api-key': t.apiKey.slice(0, -2) + (t.apiKey.endsWith('AA') ? 'BB' : 'AA') }),
      401,
      INVALID,
    ],
    ['a wrong key', () => ({ 'im-api-key': generateApiKey() }), 401, INVALID],
    ['a foreign-format key', () => ({ 'im-api-key': 'not-a-key-at-all-0123456789' }), 401, INVALID],
    ['a revoked key', () => ({ 'im-api-key': revokedKey }), 401, INVALID],
    ['an expired key', () => ({ 'im-api-key': expiredKey }), 401, INVALID],
    ['a key without the scope', () => ({ 'im-api-key': scopedKey }), 403, FORBIDDEN],
    ['a key used outside its IP allow-list', () => ({ 'im-api-key': fencedKey }), 403, FORBIDDEN],
    [
      'client credentials instead of the API key',
      () => ({ 'im-client-key': t.clientKey, 'im-authorization': userToken }),
      401,
      MISSING,
    ],
  ];

  for (const [name, headers, status, body] of cases) {
    it(`refuses ${name} with ${status}`, async () => {
      for (const route of adminRoutes) {
        if (name === 'a key without the scope' && route.scope?.startsWith('webhooks:read')) continue;
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: { ...headers(), 'content-type': 'application/json' },
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
          remoteAddress: '127.0.0.1',
        });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(status);
        expect(response.json(), `${route.method} ${route.url}`).toStrictEqual(body);
      }
    });
  }

  it('accepts the legacy API_KEY header name', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/admin/clients', headers: { api_key: t.apiKey } });
    expect(response.statusCode).toBe(200);
  });

  it('lets a fenced key in from an allowed IPv4 or IPv6 address, and IPv4-mapped IPv6', async () => {
    for (const remoteAddress of ['10.1.2.3', '2001:db8::7', '::ffff:10.1.9.9']) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/admin/clients',
        headers: { 'im-api-key': fencedKey },
        remoteAddress,
      });
      expect(response.statusCode, remoteAddress).toBe(200);
    }
    const outside = await t.app.inject({
      method: 'GET',
      url: '/admin/clients',
      headers: { 'im-api-key': fencedKey },
      remoteAddress: '10.2.0.1',
    });
    expect(outside.statusCode).toBe(403);
  });
});

describe('auth matrix: every client-key route (sandbox sign-in, [hist] 2.1)', () => {
  const DISABLED = {
    RC: 403,
    RM: 'Forbidden',
    error: { code: 'INSUFFICIENT_PERMISSIONS', message: expect.stringContaining('Sandbox sign-in is disabled') },
  };
  const routes = () => t.app.routeTable.filter((route) => route.auth === 'clientKey');

  it('lists exactly the two sign-in routes, each with a scope for the API key', () => {
    expect(
      routes()
        .map((route) => `${route.method} ${route.url}`)
        .sort(),
    ).toStrictEqual(['POST /auths/sign', 'POST /auths/sign/v2']);
    for (const route of routes()) expect(route.scope, route.url).toBe('tokens:write');
  });

  const cases: Array<[string, () => Record<string, string>, number, object]> = [
    ['no credentials', () => ({}), 401, { error: 'MISSING_CLIENT_KEY', message: expect.any(String) }],
    [
      'a wrong client key',
      () => ({ 'im-client-key': 'ck_wrong' }),
      403,
      { error: 'INVALID_CLIENT_KEY', message: expect.any(String) },
    ],
    ['the client key alone (sandbox off)', () => ({ 'im-client-key': t.clientKey }), 403, DISABLED],
    [
      'the client key with a user token (sandbox off)',
      () => ({ 'im-client-key': t.clientKey, 'im-authorization': userToken }),
      403,
      DISABLED,
    ],
    ['a wrong API key', () => ({ 'im-api-key': generateApiKey() }), 401, INVALID],
    ['a revoked API key', () => ({ 'im-api-key': revokedKey }), 401, INVALID],
    ['an API key without the scope', () => ({ 'im-api-key': scopedKey }), 403, FORBIDDEN],
    ['an API key used outside its IP allow-list', () => ({ 'im-api-key': fencedKey }), 403, FORBIDDEN],
  ];
  for (const [name, headers, status, body] of cases) {
    it(`refuses ${name} with ${status}`, async () => {
      for (const route of routes()) {
        const response = await t.app.inject({
          method: route.method as 'POST',
          url: route.url,
          headers: { ...headers(), 'content-type': 'application/json' },
          payload: JSON.stringify({ id: 'matrix-minted' }),
          remoteAddress: '127.0.0.1',
        });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(status);
        expect(response.json(), `${route.method} ${route.url}`).toStrictEqual(body);
      }
    });
  }

  it('lets the API key in', async () => {
    for (const route of routes()) {
      const response = await t.admin(route.method as 'POST', route.url, { id: 'matrix-minted' });
      expect(response.statusCode, route.url).toBe(200);
    }
  });
});

describe("auth matrix: every route of users' tokens in the body (badges of several users, [hist] 8.2)", () => {
  const MISSING_CLIENT_KEY = { error: 'MISSING_CLIENT_KEY', message: expect.any(String) };
  const routes = () => t.app.routeTable.filter((route) => route.auth === 'bodyTokens');
  const call = (route: RouteEntry, headers: Record<string, string>, tokens: string[]) =>
    t.app.inject({
      method: route.method as 'POST',
      url: route.url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ tokens }),
      remoteAddress: '127.0.0.1',
    });

  it('lists exactly POST /badges, with a scope for the API key', () => {
    expect(routes().map((route) => `${route.method} ${route.url}`)).toStrictEqual(['POST /badges']);
    for (const route of routes()) expect(route.scope, route.url).toBe('messages:read');
  });

  const cases: Array<[string, () => Record<string, string>, number, object]> = [
    ['no credentials', () => ({}), 401, MISSING_CLIENT_KEY],
    ['a user token alone', () => ({ 'im-authorization': userToken }), 401, MISSING_CLIENT_KEY],
    ['a user token alone, in the legacy header', () => ({ authorization: userToken }), 401, MISSING_CLIENT_KEY],
    ['an empty client key', () => ({ 'im-client-key': '' }), 401, MISSING_CLIENT_KEY],
    [
      'a wrong client key',
      () => ({ 'im-client-key': 'ck_wrong', 'im-authorization': userToken }),
      403,
      { error: 'INVALID_CLIENT_KEY', message: expect.any(String) },
    ],
    ['a wrong API key', () => ({ 'im-api-key': generateApiKey() }), 401, INVALID],
    ['a revoked API key', () => ({ 'im-api-key': revokedKey }), 401, INVALID],
    ['an expired API key', () => ({ 'im-api-key': expiredKey }), 401, INVALID],
    ['an API key without the scope', () => ({ 'im-api-key': scopedKey }), 403, FORBIDDEN],
    ['an API key used outside its IP allow-list', () => ({ 'im-api-key': fencedKey }), 403, FORBIDDEN],
  ];
  for (const [name, headers, status, body] of cases) {
    it(`refuses ${name} with ${status}`, async () => {
      for (const route of routes()) {
        const response = await call(route, headers(), [userToken]);
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(status);
        expect(response.json(), `${route.method} ${route.url}`).toStrictEqual(body);
      }
    });
  }

  it('refuses a dashboard session: it is no credential here', async () => {
    await t.services.operators.create('tokens-op', PASSWORD);
    const session = await login(t, 'tokens-op');
    for (const route of routes()) {
      const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'x-parley-app': t.appId };
      const response = await call(route, headers, [userToken]);
      expect(response.statusCode, route.url).toBe(401);
      expect(response.json(), route.url).toStrictEqual(MISSING_CLIENT_KEY);
    }
  });

  it("lets the client key in, and the API key (spec 12 item 10); only the body's valid tokens name users", async () => {
    const expected = { data: [{ client: 'matrix-user', badge: 0 }], totalBadge: 0 };
    for (const route of routes()) {
      for (const headers of [{ 'im-client-key': t.clientKey }, { 'im-api-key': t.apiKey }] as Record<
        string,
        string
      >[]) {
        const response = await call(route, headers, [userToken, 'not-a-token']);
        expect(response.statusCode, `${route.url} ${Object.keys(headers)}`).toBe(200);
        expect(response.json().result, route.url).toStrictEqual(expected);
      }
      // A user token in the headers does not stand in for the body's.
      const headerOnly = await call(route, { 'im-client-key': t.clientKey, 'im-authorization': userToken }, []);
      expect(headerOnly.json().result, route.url).toStrictEqual({ data: [], totalBadge: 0 });
    }
  });
});

describe('auth on user routes (client key + token)', () => {
  const ENVELOPED_INVALID_TOKEN = INVALID_TOKEN;

  it('answers the client-key errors exactly', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toStrictEqual({
      error: 'MISSING_CLIENT_KEY',
      message: 'Client key is required for SDK initialization',
    });

    const wrong = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': 'ck_wrong', 'im-authorization': userToken },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toStrictEqual({
      error: 'INVALID_CLIENT_KEY',
      message: 'The provided client key is invalid or expired',
    });

    const noToken = await t.app.inject({ method: 'GET', url: '/me', headers: { 'im-client-key': t.clientKey } });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json()).toStrictEqual(ENVELOPED_INVALID_TOKEN);

    const badToken = await t.asUser('nope', 'GET', '/me');
    expect(badToken.statusCode).toBe(401);
    expect(badToken.json()).toStrictEqual(ENVELOPED_INVALID_TOKEN);
  });

  it('accepts the Authorization header, a Bearer prefix and the legacy CLIENT_KEY header', async () => {
    for (const headers of [
      { 'im-client-key': t.clientKey, authorization: userToken },
      { 'im-client-key': t.clientKey, 'im-authorization': `Bearer ${userToken}` },
      { client_key: t.clientKey, authorization: `bearer ${userToken}` },
    ]) {
      const response = await t.app.inject({ method: 'GET', url: '/me', headers });
      expect(response.statusCode, JSON.stringify(Object.keys(headers))).toBe(200);
      expect(response.json().result._id).toBe('matrix-user');
    }
  });

  it('answers CLIENT_KEY_MISMATCH for a token of another application', async () => {
    const other = await t.services.apps.create('Other app', 'other-app');
    const response = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': other.clientKey, 'im-authorization': userToken },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toStrictEqual({
      error: 'CLIENT_KEY_MISMATCH',
      message: 'Client key does not match the specified domain',
    });
  });

  it('lets the API key call user routes as the user named by IM-CLIENT-ID', async () => {
    const missing = await t.admin('GET', '/me');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('INVALID_REQUEST');
    const named = await t.admin('GET', '/me', undefined, { 'im-client-id': 'matrix-user' });
    expect(named.statusCode).toBe(200);
    expect(named.json().result.id).toBe('matrix-user');
  });

  it('refuses an IM-CLIENT-ID that differs from the token user', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': userToken, 'im-client-id': 'someone-else' },
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('failed authentications are limited per source address', () => {
  it('turns an address away after too many failures, with Retry-After', async () => {
    const limited = await buildTestApp({ authFailuresPerMinute: 5 });
    try {
      const attempt = (remoteAddress: string, key = 'wrong-key-wrong-key') =>
        limited.app.inject({ method: 'GET', url: '/admin/clients', headers: { 'im-api-key': key }, remoteAddress });
      for (let i = 0; i < 5; i++) expect((await attempt('192.0.2.10')).statusCode).toBe(401);
      const blocked = await attempt('192.0.2.10');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({
        error: 'RATE_LIMIT_EXCEEDED',
        message: 'Too many requests, please try again later',
      });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Guesses stay refused for the rest of the window, but a right generated key is still
      // served: the budget stops guessing, not other clients behind the same address (issue 9 item 12)…
      expect((await attempt('192.0.2.10', 'another-wrong-key')).statusCode).toBe(429);
      expect((await attempt('192.0.2.10', limited.apiKey)).statusCode).toBe(200);
      // …and other addresses are unaffected.
      expect((await attempt('192.0.2.11', limited.apiKey)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('auth matrix: operator sessions (the dashboard, issue 12)', () => {
  const SESSION_REQUIRED = {
    RC: 401,
    RM: 'Unauthorized',
    error: { code: 'SESSION_REQUIRED', message: expect.any(String) },
  };
  const CSRF = { RC: 403, RM: 'Forbidden', error: { code: 'CSRF_TOKEN_INVALID', message: expect.any(String) } };
  let live: OperatorSession;
  let revoked: OperatorSession;
  let expired: OperatorSession;
  let idle: OperatorSession;
  const operatorRoutes = () => t.app.routeTable.filter((route) => route.auth === 'operator');
  const changes = (route: RouteEntry) => route.method !== 'GET';

  /** A session of the operator ended in the database as the given columns say. */
  async function ended(columns: { revoked_at?: number; expires_at?: number; idle_expires_at?: number }) {
    const session = await login(t, 'matrix-op');
    const { sessions } = (
      await t.app.inject({ method: 'GET', url: '/dashboard/api/sessions', headers: { cookie: session.cookie } })
    ).json();
    const id = sessions.find((entry: { current: boolean }) => entry.current).id;
    await t.services.storage.db.updateTable('operator_sessions').set(columns).where('id', '=', id).execute();
    return session;
  }

  beforeAll(async () => {
    await t.services.operators.create('matrix-op', PASSWORD);
    live = await login(t, 'matrix-op');
    revoked = await ended({ revoked_at: Date.now() });
    expired = await ended({ expires_at: Date.now() - 1 });
    idle = await ended({ idle_expires_at: Date.now() - 1 });
  });

  /** The query a read route cannot do without. */
  const requiredQuery: Record<string, string> = { '/messages/batch': '?batchID=x1' };
  const call = (route: RouteEntry, headers: Record<string, string>) =>
    t.app.inject({
      method: route.method as 'GET',
      url: concrete(route.url) + (requiredQuery[route.url] ?? ''),
      headers: { ...headers, 'content-type': 'application/json' },
      payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
      remoteAddress: '127.0.0.1',
    });

  it('lists the dashboard routes: sign-in and setup public, every other one needs a session', () => {
    const dashboard = t.app.routeTable.filter((route) => route.url.startsWith('/dashboard/api/'));
    expect(
      dashboard
        .filter((route) => route.auth === 'public')
        .map((route) => `${route.method} ${route.url}`)
        .sort(),
    ).toStrictEqual(['POST /dashboard/api/login', 'POST /dashboard/api/setup']);
    expect(operatorRoutes().length).toBeGreaterThanOrEqual(8);
    for (const route of dashboard) expect(['public', 'operator'], route.url).toContain(route.auth);
    for (const route of operatorRoutes()) expect(route.url.startsWith('/dashboard/api/'), route.url).toBe(true);
  });

  const refusals: Array<[string, () => Record<string, string>]> = [
    ['no cookie', () => ({})],
    ['an empty session cookie', () => ({ cookie: 'parley_session=' })],
    ['a forged session cookie', () => ({ cookie: `parley_session=${'A'.repeat(43)}` })],
    ['a revoked session', () => ({ cookie: revoked.cookie, 'x-csrf-token': revoked.csrfToken })],
    ['an expired session', () => ({ cookie: expired.cookie, 'x-csrf-token': expired.csrfToken })],
    ['a session left idle too long', () => ({ cookie: idle.cookie, 'x-csrf-token': idle.csrfToken })],
    ['the API key', () => ({ 'im-api-key': t.apiKey })],
    ['a client key with a user token', () => ({ 'im-client-key': t.clientKey, 'im-authorization': userToken })],
  ];
  for (const [name, headers] of refusals) {
    it(`refuses ${name} on every operator route with 401`, async () => {
      for (const route of operatorRoutes()) {
        const response = await call(route, headers());
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
        expect(response.json(), `${route.method} ${route.url}`).toStrictEqual(SESSION_REQUIRED);
      }
    });
  }

  it('refuses a state change without the CSRF token, or with a wrong one, on every operator route (403)', async () => {
    for (const route of operatorRoutes().filter(changes)) {
      const wrong: Array<Record<string, string>> = [
        {},
        { 'x-csrf-token': 'wrong' },
        { 'x-csrf-token': live.csrfToken.toUpperCase() },
      ];
      for (const csrf of wrong) {
        const response = await call(route, { cookie: live.cookie, ...csrf });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(response.json()).toStrictEqual(CSRF);
      }
    }
    expect(
      (await call({ method: 'GET', url: '/dashboard/api/session' } as RouteEntry, { cookie: live.cookie })).statusCode,
    ).toBe(200);
  });

  it('refuses ended or forged sessions on every admin and user route (401), as it does missing keys', async () => {
    const routes = t.app.routeTable.filter((route) => route.auth === 'admin' || route.auth === 'user');
    for (const session of [revoked, expired, idle]) {
      for (const route of routes) {
        const response = await call(route, {
          cookie: session.cookie,
          'x-csrf-token': session.csrfToken,
          'x-parley-app': t.appId,
        });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
        expect(response.json(), `${route.method} ${route.url}`).toStrictEqual(SESSION_REQUIRED);
      }
    }
  });

  it('refuses a live session on admin and user routes without the CSRF token (403) or X-Parley-App (400)', async () => {
    const routes = t.app.routeTable.filter((route) => route.auth === 'admin' || route.auth === 'user');
    for (const route of routes) {
      if (changes(route)) {
        const response = await call(route, { cookie: live.cookie, 'x-parley-app': t.appId });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(response.json()).toStrictEqual(CSRF);
      }
      const noApp = await call(route, { cookie: live.cookie, 'x-csrf-token': live.csrfToken });
      expect(noApp.statusCode, `${route.method} ${route.url}`).toBe(400);
      expect(noApp.json().error.code).toBe('INVALID_REQUEST');
    }
  });

  it('lets the live session in on admin routes that read', async () => {
    for (const route of adminRoutes.filter((entry) => entry.method === 'GET' && !entry.url.includes(':'))) {
      const response = await call(route, { cookie: live.cookie, 'x-parley-app': t.appId });
      expect(response.statusCode, `${route.method} ${route.url} ${response.body.slice(0, 100)}`).toBe(200);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { asOperator, type OperatorSession, operatorSession, PASSWORD } from '../../helpers/operators.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

interface RequestLine {
  level: number;
  msg: string;
  request: {
    id: string;
    method: string;
    route: string;
    status: number;
    ms: number;
    appId?: string;
    keyId?: string;
    keyLast4?: string;
    userId?: string;
    operator?: string;
  };
}

const requestLines = (lines: string[]): RequestLine[] =>
  lines.map((line) => JSON.parse(line) as RequestLine).filter((entry) => entry.request !== undefined);

/** The request lines logged while `call` ran: each request is logged once its answer is sent. */
async function logged(t: TestApp, call: () => Promise<unknown>): Promise<RequestLine[]> {
  const before = t.logs.length;
  await call();
  return requestLines(t.logs.slice(before));
}

describe('one log line per request (LOG_REQUESTS, on by default)', () => {
  let t: TestApp;
  let token: string;
  let grace: OperatorSession;
  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('alice');
    grace = await operatorSession(t, 'grace');
  });
  afterAll(() => t.close());

  it('logs method, route pattern, status, time and the API key by id and last 4 characters', async () => {
    const lines = await logged(t, () => t.admin('GET', '/admin/clients/alice'));
    expect(lines).toHaveLength(1);
    const [line] = lines;
    const key = (await t.services.keyVerifier.verify(t.apiKey))!;
    expect(line).toMatchObject({
      level: 30,
      request: {
        method: 'GET',
        route: '/admin/clients/:id',
        status: 200,
        appId: t.appId,
        keyId: key.id,
        keyLast4: t.apiKey.slice(-4),
      },
    });
    expect(line!.request.ms).toBeGreaterThanOrEqual(0);
    expect(line!.msg).toBe(`GET /admin/clients/:id 200 ${line!.request.ms} ms key ${key.id} (…${t.apiKey.slice(-4)})`);
  });

  it('names the user of a user token, and the operator of a dashboard session', async () => {
    const asUser = await logged(t, () => t.asUser(token, 'GET', '/me'));
    expect(asUser).toHaveLength(1);
    expect(asUser[0]!.request).toMatchObject({ method: 'GET', route: '/me', status: 200, userId: 'alice' });
    expect(asUser[0]!.msg).toMatch(/^GET \/me 200 [\d.]+ ms user alice$/);

    const dashboard = await logged(t, () => asOperator(t, grace, 'GET', '/dashboard/api/session'));
    expect(dashboard).toHaveLength(1);
    expect(dashboard[0]!.request).toMatchObject({ route: '/dashboard/api/session', status: 200, operator: 'grace' });
    const admin = await logged(t, () => asOperator(t, grace, 'GET', '/admin/clients'));
    expect(admin[0]!.request).toMatchObject({
      route: '/admin/clients',
      status: 200,
      operator: 'grace',
      appId: t.appId,
    });
  });

  it('logs refusals and unknown routes too, by pattern: never the URL or its query', async () => {
    const lines = await logged(t, async () => {
      await t.app.inject({ method: 'GET', url: '/admin/clients', headers: { 'im-api-key': 'wrong-key-0123456789' } });
      await t.admin('GET', `/rooms/nowhere?token=${token}`);
      await t.app.inject({ method: 'GET', url: `/no/such/route?api_key=${t.apiKey}` });
    });
    expect(lines.map(({ request }) => [request.route, request.status])).toStrictEqual([
      ['/admin/clients', 401],
      ['/rooms/:id', 404],
      ['unmatched', 404],
    ]);
    expect(lines[0]!.msg).toMatch(/ anonymous$/);
  });

  it('logs successful probes at debug only', async () => {
    const probes = await logged(t, async () => {
      await t.app.inject({ method: 'GET', url: '/healthz' });
      await t.app.inject({ method: 'GET', url: '/readyz' });
    });
    expect(probes).toStrictEqual([]);
  });

  it('never logs the API key, a user token, the client key, the session cookie, CSRF token or password', async () => {
    await t.asUser(token, 'POST', '/rooms', { name: 'logged room' });
    await t.app.inject({ method: 'POST', url: '/auths/sign', headers: { 'im-client-key': t.clientKey } });
    await asOperator(t, grace, 'POST', '/admin/keys', { name: 'k', scopes: ['users:read'] });
    const text = t.logs.join('\n');
    expect(requestLines(t.logs).length).toBeGreaterThanOrEqual(10);
    const secrets = [t.apiKey, token, t.clientKey, grace.cookie.split('=')[1]!, grace.csrfToken, PASSWORD];
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 16));
    }
  });
});

describe('LOG_REQUESTS=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ logRequests: false });
  });
  afterAll(() => t.close());

  it('writes no request line', async () => {
    const lines = await logged(t, async () => {
      expectOk(await t.admin('GET', '/admin/clients'));
      await t.admin('GET', '/rooms/nowhere');
    });
    expect(lines).toStrictEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { io } from 'socket.io-client';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, insufficient, shapeA } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { ISO } from '../../helpers/wire.js';

/**
 * Sandbox sign-in, `POST /auths/sign` and `/auths/sign/v2` ([hist] 2.1, 2.2, 14 item 3): the Flutter
 * SDK calls v2 with `{id}` when the app gives no token. Off by default: a clear 403 then, whatever
 * user headers come along; the API key may always mint (an admin operation like issueAccessToken).
 */

const PATHS = ['/auths/sign', '/auths/sign/v2'] as const;
const DISABLED = insufficient(expect.stringContaining('Sandbox sign-in is disabled on this server'));
const SEVEN_DAYS_S = 7 * 86_400;

function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

function post(t: TestApp, url: string, body: unknown, headers: Record<string, string>, remoteAddress = '127.0.0.1') {
  const options: InjectOptions = {
    method: 'POST',
    url,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    remoteAddress,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
  return t.app.inject(options);
}

/** The headers the Flutter SDK replaces every request's with; no token yet at sign-in. */
const flutterHeaders = (t: TestApp, uid: string, token = '') => ({
  'IM-CLIENT-KEY': t.clientKey,
  'IM-Authorization': token,
  'IM-CLIENT-ID': uid,
});

describe('POST /auths/sign with the sandbox off (the default)', () => {
  let t: TestApp;
  let userToken: string;
  beforeAll(async () => {
    t = await buildTestApp();
    userToken = await t.createUser('known', { nickname: 'Known' });
  });
  afterAll(() => t.close());

  it('is off unless configured, and the start says nothing of it', () => {
    expect(t.config.sandbox).toBe(false);
    expect(t.logs.filter((line) => line.includes('PARLEY_SANDBOX'))).toStrictEqual([]);
  });

  it('refuses the client key with a 403 that says why, with or without user headers, and creates no user', async () => {
    for (const url of PATHS) {
      const attempts: Array<Record<string, string>> = [
        { 'im-client-key': t.clientKey },
        flutterHeaders(t, 'flutter-user'),
        flutterHeaders(t, 'known', userToken),
        { 'im-client-key': t.clientKey, 'im-authorization': 'expired-or-bogus' },
      ];
      for (const headers of attempts) {
        const response = await post(t, url, { id: 'flutter-user' }, headers);
        expectBody(response, 403, DISABLED);
        expect(response.json().error.message).toMatch(/the app must supply a user token/);
      }
      // Without a body too: the switch is what answers first.
      expectBody(await post(t, url, undefined, { 'im-client-key': t.clientKey }), 403, DISABLED);
    }
    expect((await t.admin('GET', '/admin/clients/flutter-user')).statusCode).toBe(404);
  });

  it('answers the client-key errors of every client call', async () => {
    expectBody(
      await post(t, '/auths/sign/v2', { id: 'x' }, {}),
      401,
      shapeA('MISSING_CLIENT_KEY', 'Client key is required for SDK initialization'),
    );
    expectBody(
      await post(t, '/auths/sign/v2', { id: 'x' }, { 'im-client-key': 'ck_wrong' }),
      403,
      shapeA('INVALID_CLIENT_KEY', 'The provided client key is invalid or expired'),
    );
  });

  it('lets the API key mint a token of the user, v1 bare and v2 enveloped with the token on top', async () => {
    const before = Math.floor(Date.now() / 1000);
    const v1 = await post(
      t,
      '/auths/sign',
      { id: 'minted', nickname: 'Minted', avatarUrl: 'http://a/1.png' },
      { 'im-api-key': t.apiKey },
    );
    expect(v1.statusCode, v1.body).toBe(200);
    const bare = v1.json();
    expect(bare).toStrictEqual({
      authType: 'Standalone JWT',
      token: expect.any(String),
      expirationDate: expect.stringMatching(ISO),
      expirationDateMS: expect.any(Number),
      id: 'minted',
      nickname: 'Minted',
      avatarUrl: 'http://a/1.png',
      exp: expect.any(Number),
    });
    expect(bare.exp).toBe(Math.floor(bare.expirationDateMS / 1000));
    expect(new Date(bare.expirationDate).getTime()).toBe(bare.expirationDateMS);
    const claims = jwtClaims(bare.token);
    expect(claims).toMatchObject({ id: 'minted', exp: bare.exp });
    expect((claims.exp as number) - (claims.iat as number)).toBe(SEVEN_DAYS_S);
    expect(claims.iat as number).toBeGreaterThanOrEqual(before);
    expect(expectOk(await t.asUser(bare.token, 'GET', '/me'))).toMatchObject({ _id: 'minted', nickname: 'Minted' });

    const v2 = await post(t, '/auths/sign/v2', { id: 'minted' }, { 'im-api-key': t.apiKey });
    expect(v2.statusCode, v2.body).toBe(200);
    const body = v2.json();
    expect(body).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: {
        ...bare,
        token: body.token,
        expirationDate: expect.any(String),
        expirationDateMS: expect.any(Number),
        exp: expect.any(Number),
      },
      token: body.result.token,
    });
    expect(body.token).not.toBe(bare.token);
    expect(expectOk(await t.asUser(body.token, 'GET', '/me'))._id).toBe('minted');
    // The earlier token stays valid: several tokens per user unless the app says otherwise.
    expect((await t.asUser(bare.token, 'GET', '/me')).statusCode).toBe(200);
  });

  it('holds the API key to its scope and the body to its id', async () => {
    const scoped = await t.createKey({ name: 'readers', scopes: ['users:read'] });
    expectBody(
      await post(t, '/auths/sign', { id: 'minted' }, { 'im-api-key': scoped }),
      403,
      shapeA('INSUFFICIENT_PERMISSIONS', 'API key does not have permission for this operation'),
    );
    const missing = badRequest('Missing required field: id');
    expectBody(await post(t, '/auths/sign', {}, { 'im-api-key': t.apiKey }), 400, missing);
    expectBody(await post(t, '/auths/sign/v2', { id: '' }, { 'im-api-key': t.apiKey }), 400, missing);
    expectBody(await post(t, '/auths/sign/v2', undefined, { 'im-api-key': t.apiKey }), 400, missing);
    expect((await post(t, '/auths/sign/v2', { id: 42 }, { 'im-api-key': t.apiKey })).statusCode).toBe(400);
    expect((await post(t, '/auths/sign/v2', { id: 'x'.repeat(256) }, { 'im-api-key': t.apiKey })).statusCode).toBe(400);
  });
});

describe('POST /auths/sign with PARLEY_SANDBOX=true', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ sandbox: true });
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'robot', nickname: 'Robot', isRobot: true }));
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'Crew', members: [] }));
  });
  afterAll(() => t.close());

  it('warns loudly at start that anyone with the client key can sign in as anyone', () => {
    const warnings = t.logs
      .map((line) => JSON.parse(line))
      .filter((entry) => String(entry.msg).includes('PARLEY_SANDBOX'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      msg: 'PARLEY_SANDBOX is on: anyone holding a client key can sign in as any user (POST /auths/sign)',
    });
  });

  it("signs a new user in with the client key alone, as Flutter's login does, and the token works", async () => {
    const response = await post(t, '/auths/sign/v2', { id: 'newbie' }, flutterHeaders(t, 'newbie'));
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.result).toMatchObject({ authType: 'Standalone JWT', id: 'newbie', nickname: '', avatarUrl: '' });
    expect(body.token).toBe(body.result.token);
    expect(expectOk(await t.asUser(body.token, 'GET', '/me'))._id).toBe('newbie');
    expect(expectOk(await t.admin('GET', '/admin/clients/newbie'))._id).toBe('newbie');

    // Then the socket, as the SDK connects it: conf base64, auth2 with IM-* keys.
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      const emit = (event: string, ...args: unknown[]) =>
        new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 3000);
          socket.emit(event, ...args, (answer: unknown) => {
            clearTimeout(timer);
            resolve(answer);
          });
        });
      await emit('conf', { encoding: 'base64' });
      const ack = await emit('auth2', body.token, { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': body.token });
      expect(JSON.parse(Buffer.from(String(ack), 'base64').toString('utf8'))).toMatchObject({
        RC: 0,
        result: { client: 'newbie' },
      });
    } finally {
      socket.close();
    }
  });

  it('answers v1 bare; sets the profile when given and keeps it when not', async () => {
    const first = await post(
      t,
      '/auths/sign',
      { id: 'dev', nickname: 'Dev', avatarUrl: 'http://a/d.png' },
      { 'im-client-key': t.clientKey },
    );
    expect(first.json()).toMatchObject({
      authType: 'Standalone JWT',
      id: 'dev',
      nickname: 'Dev',
      avatarUrl: 'http://a/d.png',
    });
    expect(first.json()).not.toHaveProperty('RC');
    const again = await post(t, '/auths/sign', { id: 'dev' }, { 'im-client-key': t.clientKey });
    expect(again.json()).toMatchObject({ nickname: 'Dev', avatarUrl: 'http://a/d.png' });
    const renamed = await post(
      t,
      '/auths/sign',
      { id: 'dev', nickname: 'Developer' },
      { 'im-client-key': t.clientKey },
    );
    expect(renamed.json()).toMatchObject({ nickname: 'Developer', avatarUrl: 'http://a/d.png' });
  });

  it('refuses a missing id, a robot and a group', async () => {
    const key = { 'im-client-key': t.clientKey };
    expectBody(await post(t, '/auths/sign/v2', {}, key), 400, badRequest('Missing required field: id'));
    expectBody(await post(t, '/auths/sign/v2', undefined, key), 400, badRequest('Missing required field: id'));
    expectBody(
      await post(t, '/auths/sign/v2', { id: 'robot' }, key),
      403,
      insufficient('A robot user cannot sign in through the sandbox'),
    );
    expect((await post(t, '/auths/sign/v2', { id: 'crew' }, key)).statusCode).toBe(400);
    // The API key may mint for any user, as POST /admin/clients may.
    expect((await post(t, '/auths/sign/v2', { id: 'robot' }, { 'im-api-key': t.apiKey })).statusCode).toBe(200);
  });

  it('records sign-ins in the audit trail', async () => {
    expect((await post(t, '/auths/sign/v2', { id: 'audited' }, { 'im-client-key': t.clientKey })).statusCode).toBe(200);
    await t.services.activity.flush();
    const records = expectOk(await t.admin('GET', '/admin/audit?targetId=audited')).data;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ keyId: null, method: 'POST', route: '/auths/sign/v2', status: 200 });
  });
});

describe('POST /auths/sign budget', () => {
  it('gives each address a user budget of client-key sign-ins', async () => {
    const t = await buildTestApp({ sandbox: true, userRateLimitPerMinute: 3 });
    try {
      const sign = (remoteAddress: string) =>
        post(t, '/auths/sign/v2', { id: 'someone' }, { 'im-client-key': t.clientKey }, remoteAddress);
      for (let i = 0; i < 3; i++) expect((await sign('192.0.2.40')).statusCode).toBe(200);
      const over = await sign('192.0.2.40');
      expect(over.statusCode).toBe(429);
      expect(over.json()).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED' });
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect((await sign('192.0.2.41')).statusCode).toBe(200);
      // The user's own budget is another: the token still works.
      const token = (await sign('192.0.2.42')).json().token;
      expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

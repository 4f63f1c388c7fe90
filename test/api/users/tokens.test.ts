import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, clientNotFound, INVALID_TOKEN, shapeB } from '../../helpers/errors.js';
import { ISO } from '../../helpers/wire.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';

/** User tokens (spec 1.3, 3.1, 3.2, 12 items 15-20): issue, bind, update, revoke, expiry, storage. */

const DAY_MS = 86_400_000;
const FAR_FUTURE = '2099-01-01T00:00:00Z';
const FAR_FUTURE_ISO = '2099-01-01T00:00:00.000Z';
const FORBIDDEN = { error: 'INSUFFICIENT_PERMISSIONS', message: 'API key does not have permission for this operation' };
const TOKEN_CONFLICT = shapeB(409, 'Conflict', 'TOKEN_CONFLICT', 'Token already exists for another client');
const TOKEN_NOT_FOUND = shapeB(404, 'Not Found', 'TOKEN_NOT_FOUND', 'Specified token not found for this client');

const notFound = (id: string) => clientNotFound(id);

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function works(t: TestApp, token: string): Promise<string | undefined> {
  const response = await t.asUser(token, 'GET', '/me');
  if (response.statusCode === 200) return response.json().result._id as string;
  expect(response.statusCode, response.body).toBe(401);
  expect(response.json()).toStrictEqual(INVALID_TOKEN);
  return undefined;
}

async function issue(t: TestApp, id: string, fields: Record<string, unknown> = {}): Promise<{ [key: string]: any }> {
  return expectOk(await t.admin('POST', '/admin/clients', { _id: id, ...fields, issueAccessToken: true }));
}

async function tokenSecret(t: TestApp): Promise<Uint8Array> {
  return new TextEncoder().encode((await t.services.apps.get(t.appId)).tokenSecret);
}

describe('issued tokens (spec 1.3, 3.2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('are HS256 JWTs with id, nickname, avatarUrl, iat and exp seven days apart', async () => {
    const before = Date.now();
    const result = await issue(t, 'jwt-user', { nickname: 'Jay', avatarUrl: 'http://x/j.png' });
    const after = Date.now();
    expect(result).toMatchObject({
      _id: 'jwt-user',
      nickname: 'Jay',
      avatarUrl: 'http://x/j.png',
      issueAccessToken: true,
    });
    const token = result.token as string;
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    expect(decodeSegment(parts[0])).toMatchObject({ alg: 'HS256' });
    expect(decodeProtectedHeader(token).alg).toBe('HS256');

    const { payload } = await jwtVerify(token, await tokenSecret(t), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ id: 'jwt-user', nickname: 'Jay', avatarUrl: 'http://x/j.png' });
    expect(typeof payload.iat).toBe('number');
    expect(payload.exp! - payload.iat!).toBe(7 * 86_400);
    expect(payload.iat! * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(payload.iat! * 1000).toBeLessThanOrEqual(after);

    expect(result.expirationDate).toMatch(ISO);
    expect(result.expirationDateMS).toBe(Date.parse(result.expirationDate));
    expect(result.expirationDateMS).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(result.expirationDateMS).toBeLessThanOrEqual(after + 7 * DAY_MS);
    expect(Math.floor(result.expirationDateMS / 1000)).toBe(payload.exp);

    expect(await works(t, token)).toBe('jwt-user');
  });

  it('carry the profile as updated by the same call', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'renamed', nickname: 'Old' });
    const result = await issue(t, 'renamed', { nickname: 'New' });
    const { payload } = await jwtVerify(result.token, await tokenSecret(t));
    expect(payload.nickname).toBe('New');
    expect(payload.id).toBe('renamed');
  });

  it('are different on every call, and a user holds several valid ones by default', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await issue(t, 'multi')).token);
    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) expect(await works(t, token)).toBe('multi');
    const rows = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('app_id', '=', t.appId)
      .where('user_id', '=', 'multi')
      .execute();
    expect(rows).toHaveLength(3);
  });

  it('follow TOKEN_TTL_DAYS', async () => {
    const short = await buildTestApp({ tokenTtlDays: 2 });
    try {
      const before = Date.now();
      const result = await issue(short, 'two-days');
      const { payload } = await jwtVerify(result.token, await tokenSecret(short));
      expect(payload.exp! - payload.iat!).toBe(2 * 86_400);
      expect(result.expirationDateMS).toBeGreaterThanOrEqual(before + 2 * DAY_MS);
      expect(result.expirationDateMS).toBeLessThan(before + 2 * DAY_MS + 60_000);
      // The default lifetime of a bound token without expirationDate follows it too.
      const bound = expectOk(await short.admin('POST', '/admin/clients', { _id: 'two-days', token: 'two-days-bound' }));
      expect(bound.expirationDateMS).toBeGreaterThanOrEqual(before + 2 * DAY_MS);
      expect(bound.expirationDateMS).toBeLessThan(before + 2 * DAY_MS + 60_000);
    } finally {
      await short.close();
    }
  });
});

describe('bound tokens (POST /admin/clients with token, PUT /admin/clients/:id/token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('binds a token of the integrator with its expirationDate on POST /admin/clients', async () => {
    const result = expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'binder',
        nickname: 'B',
        token: 'binder-token-1',
        expirationDate: FAR_FUTURE,
      }),
    );
    expect(result).toMatchObject({
      _id: 'binder',
      id: 'binder',
      nickname: 'B',
      issueAccessToken: false,
      token: 'binder-token-1',
      expirationDate: FAR_FUTURE_ISO,
      expirationDateMS: Date.parse(FAR_FUTURE),
    });
    expect(await works(t, 'binder-token-1')).toBe('binder');
  });

  it('accepts any token format and an expirationDate in milliseconds', async () => {
    const ms = Date.now() + 30 * DAY_MS;
    for (const token of [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'opaque token with spaces',
      'ü-unicode-✓',
    ]) {
      const result = expectOk(await t.admin('POST', '/admin/clients', { _id: 'formats', token, expirationDate: ms }));
      expect(result.token).toBe(token);
      expect(result.expirationDateMS).toBe(ms);
      expect(result.expirationDate).toBe(new Date(ms).toISOString());
    }
    for (const token of [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'opaque token with spaces',
    ]) {
      expect(await works(t, token), token).toBe('formats');
    }
  });

  it('gives a bound token without expirationDate the default lifetime', async () => {
    const before = Date.now();
    const result = expectOk(await t.admin('POST', '/admin/clients', { _id: 'no-expiry', token: 'no-expiry-token' }));
    const after = Date.now();
    expect(result.token).toBe('no-expiry-token');
    expect(result.expirationDate).toMatch(ISO);
    expect(result.expirationDateMS).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(result.expirationDateMS).toBeLessThanOrEqual(after + 7 * DAY_MS);
    expect(await works(t, 'no-expiry-token')).toBe('no-expiry');
  });

  it('refuses an invalid or past expirationDate with 400 on both routes, binding nothing', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'dates' });
    for (const expirationDate of ['tomorrow', '2099-13-01T00:00:00Z', '01/02/2099', 'not a date']) {
      expectBody(
        await t.admin('POST', '/admin/clients', { _id: 'dates', token: 'dates-token', expirationDate }),
        400,
        badRequest('Invalid expirationDate format'),
      );
      expectBody(
        await t.admin('PUT', '/admin/clients/dates/token', { token: 'dates-token', expirationDate }),
        400,
        badRequest('Invalid expirationDate format'),
      );
    }
    for (const expirationDate of [true, { at: 1 }, ['2099-01-01']]) {
      expect(
        (await t.admin('POST', '/admin/clients', { _id: 'dates', token: 'dates-token', expirationDate })).json().error
          .code,
      ).toBe('INVALID_REQUEST');
      expect(
        (await t.admin('PUT', '/admin/clients/dates/token', { token: 'dates-token', expirationDate })).statusCode,
      ).toBe(400);
    }
    for (const expirationDate of [
      '2000-01-01T00:00:00Z',
      new Date(Date.now() - 1000).toISOString(),
      Date.now() - 1000,
    ]) {
      expectBody(
        await t.admin('POST', '/admin/clients', { _id: 'dates', token: 'dates-token', expirationDate }),
        400,
        badRequest('expirationDate must be in the future'),
      );
      expectBody(
        await t.admin('PUT', '/admin/clients/dates/token', { token: 'dates-token', expirationDate }),
        400,
        badRequest('expirationDate must be in the future'),
      );
    }
    expect(await works(t, 'dates-token')).toBeUndefined();
  });

  it('answers 409 TOKEN_CONFLICT (shape B) when the token belongs to another user, on both routes', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'owner', token: 'owned-token', expirationDate: FAR_FUTURE });
    await t.admin('POST', '/admin/clients', { _id: 'thief', nickname: 'Thief' });

    expectBody(
      await t.admin('POST', '/admin/clients', { _id: 'thief', token: 'owned-token', expirationDate: FAR_FUTURE }),
      409,
      TOKEN_CONFLICT,
    );
    expectBody(await t.admin('POST', '/admin/clients', { _id: 'thief', token: 'owned-token' }), 409, TOKEN_CONFLICT);
    expectBody(
      await t.admin('PUT', '/admin/clients/thief/token', { token: 'owned-token', expirationDate: FAR_FUTURE }),
      409,
      TOKEN_CONFLICT,
    );

    // The failed call changed nothing: the token still belongs to its owner, no new user was created.
    expectBody(
      await t.admin('POST', '/admin/clients', { _id: 'new-thief', nickname: 'N', token: 'owned-token' }),
      409,
      TOKEN_CONFLICT,
    );
    expectBody(await t.admin('GET', '/admin/clients/new-thief'), 404, notFound('new-thief'));
    expectBody(
      await t.admin('POST', '/admin/clients', { _id: 'thief', nickname: 'Changed', token: 'owned-token' }),
      409,
      TOKEN_CONFLICT,
    );
    expect(expectOk(await t.admin('GET', '/admin/clients/thief')).nickname).toBe('Thief');
    expect(await works(t, 'owned-token')).toBe('owner');

    // A server-issued token cannot be claimed either.
    const issued = (await issue(t, 'owner')).token as string;
    expectBody(
      await t.admin('PUT', '/admin/clients/thief/token', { token: issued, expirationDate: FAR_FUTURE }),
      409,
      TOKEN_CONFLICT,
    );
    expect(await works(t, issued)).toBe('owner');
  });

  it('answers one 200 and 409s when several users bind one new token at the same time, on both routes', async () => {
    const ids = ['racer-1', 'racer-2', 'racer-3'];
    for (const id of ids) await t.admin('POST', '/admin/clients', { _id: id });
    for (let round = 0; round < 5; round++) {
      const sends: Array<[string, (id: string, token: string) => Promise<LightMyRequestResponse>]> = [
        ['PUT', (id, token) => t.admin('PUT', `/admin/clients/${id}/token`, { token, expirationDate: FAR_FUTURE })],
        ['POST', (id, token) => t.admin('POST', '/admin/clients', { _id: id, token, expirationDate: FAR_FUTURE })],
      ];
      for (const [route, send] of sends) {
        const token = `raced-${route}-${round}`;
        const responses = await Promise.all(ids.map((id) => send(id, token)));
        expect(responses.map((response) => response.statusCode).sort(), `${route} round ${round}`).toStrictEqual([
          200, 409, 409,
        ]);
        for (const response of responses)
          if (response.statusCode === 409) expect(response.json()).toStrictEqual(TOKEN_CONFLICT);
        const winner = ids[responses.findIndex((response) => response.statusCode === 200)];
        expect(await works(t, token)).toBe(winner);
      }
    }
  });

  it('lets the same user bind the same token again, moving its expiry', async () => {
    const first = expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'rebinder',
        token: 'rebind-token',
        expirationDate: '2098-01-01T00:00:00Z',
      }),
    );
    expect(first.expirationDate).toBe('2098-01-01T00:00:00.000Z');
    expect(await works(t, 'rebind-token')).toBe('rebinder');
    const again = expectOk(
      await t.admin('POST', '/admin/clients', { _id: 'rebinder', token: 'rebind-token', expirationDate: FAR_FUTURE }),
    );
    expect(again.expirationDate).toBe(FAR_FUTURE_ISO);
    const put = expectOk(
      await t.admin('PUT', '/admin/clients/rebinder/token', {
        token: 'rebind-token',
        expirationDate: '2097-01-01T00:00:00Z',
      }),
    );
    expect(put.expirationDate).toBe('2097-01-01T00:00:00.000Z');
    expect(await works(t, 'rebind-token')).toBe('rebinder');
    const rows = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('app_id', '=', t.appId)
      .where('user_id', '=', 'rebinder')
      .execute();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.expires_at)).toBe(Date.parse('2097-01-01T00:00:00Z'));
  });

  it('PUT answers the union result of spec 3.2.1', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'put-user', nickname: 'Putter', avatarUrl: 'http://x/p.png' });
    const before = Date.now();
    const response = await t.admin('PUT', '/admin/clients/put-user/token', {
      token: 'put-token-1',
      expirationDate: '2030-05-06T07:08:09Z',
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: {
        _id: 'put-user',
        client: 'put-user',
        nickname: 'Putter',
        avatarUrl: 'http://x/p.png',
        issueAccessToken: false,
        token: 'put-token-1',
        expirationDate: '2030-05-06T07:08:09.000Z',
        expirationDateMS: Date.parse('2030-05-06T07:08:09Z'),
        updatedAt: expect.stringMatching(ISO),
      },
    });
    expect(Date.parse(body.result.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await works(t, 'put-token-1')).toBe('put-user');
  });

  it('PUT adds a token: the user keeps the others by default', async () => {
    const issued = (await issue(t, 'put-keeps')).token as string;
    expectOk(
      await t.admin('PUT', '/admin/clients/put-keeps/token', { token: 'put-keeps-a', expirationDate: FAR_FUTURE }),
    );
    expectOk(
      await t.admin('PUT', '/admin/clients/put-keeps/token', { token: 'put-keeps-b', expirationDate: FAR_FUTURE }),
    );
    for (const token of [issued, 'put-keeps-a', 'put-keeps-b']) expect(await works(t, token)).toBe('put-keeps');
  });

  it('PUT refuses missing fields with the documented messages', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'put-missing' });
    expectBody(
      await t.admin('PUT', '/admin/clients/put-missing/token', { expirationDate: FAR_FUTURE }),
      400,
      badRequest('Missing required field: token'),
    );
    expectBody(
      await t.admin('PUT', '/admin/clients/put-missing/token', { token: '', expirationDate: FAR_FUTURE }),
      400,
      badRequest('Missing required field: token'),
    );
    expectBody(
      await t.admin('PUT', '/admin/clients/put-missing/token', {}),
      400,
      badRequest('Missing required field: token'),
    );
    expectBody(
      await t.admin('PUT', '/admin/clients/put-missing/token', { token: 'put-missing-token' }),
      400,
      badRequest('Missing required field: expirationDate'),
    );
    const wrongType = await t.admin('PUT', '/admin/clients/put-missing/token', {
      token: 42,
      expirationDate: FAR_FUTURE,
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.code).toBe('INVALID_REQUEST');
    const noBody = await t.app.inject({
      method: 'PUT',
      url: '/admin/clients/put-missing/token',
      headers: { 'im-api-key': t.apiKey },
    });
    expect(noBody.statusCode).toBe(400);
    expect(noBody.json()).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_REQUEST' } });
    expect(await works(t, 'put-missing-token')).toBeUndefined();
  });

  it('PUT accepts a trailing slash (spec 1.1)', async () => {
    expectOk(
      await t.admin('PUT', '/admin/clients/put-user/token/', {
        token: 'trailing-slash-token',
        expirationDate: FAR_FUTURE,
      }),
    );
    expect(await works(t, 'trailing-slash-token')).toBe('put-user');
  });

  it('PUT answers 404 CLIENT_NOT_FOUND for an unknown user', async () => {
    expectBody(
      await t.admin('PUT', '/admin/clients/ghost/token', { token: 'ghost-token', expirationDate: FAR_FUTURE }),
      404,
      notFound('ghost'),
    );
    expectBody(await t.admin('GET', '/admin/clients/ghost'), 404, notFound('ghost'));
    expect(await works(t, 'ghost-token')).toBeUndefined();
  });

  it('refuses an empty or oversized token', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'sizes' });
    expectBody(
      await t.admin('POST', '/admin/clients', { _id: 'sizes', token: '' }),
      400,
      badRequest('token must be a non-empty string'),
    );
    expectBody(
      await t.admin('POST', '/admin/clients', { _id: 'sizes', token: 'x'.repeat(4097) }),
      400,
      badRequest('token must be 1 to 4096 characters'),
    );
    expectBody(
      await t.admin('PUT', '/admin/clients/sizes/token', { token: 'x'.repeat(4097), expirationDate: FAR_FUTURE }),
      400,
      badRequest('token must be 1 to 4096 characters'),
    );
    expectOk(
      await t.admin('PUT', '/admin/clients/sizes/token', { token: 'y'.repeat(4096), expirationDate: FAR_FUTURE }),
    );
    expect(await works(t, 'y'.repeat(4096))).toBe('sizes');
  });

  it('stops accepting a bound token once its expirationDate has passed', async () => {
    const expiresAt = Date.now() + 1500;
    expectOk(
      await t.admin('PUT', '/admin/clients/put-user/token', {
        token: 'short-lived',
        expirationDate: new Date(expiresAt).toISOString(),
      }),
    );
    expect(await works(t, 'short-lived')).toBe('put-user');
    await sleep(Math.max(0, expiresAt - Date.now()) + 100);
    expect(await works(t, 'short-lived')).toBeUndefined();
    // Other tokens of the user are unaffected.
    expect(await works(t, 'put-token-1')).toBe('put-user');
  });
});

describe('DELETE /admin/clients/:client_id/token (spec 3.2.2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  const revoke = (id: string, body?: unknown) =>
    t.admin('DELETE', `/admin/clients/${encodeURIComponent(id)}/token`, body);

  it('revokes one token: it fails at once, the others keep working', async () => {
    const tokens = [(await issue(t, 'revoke-one')).token as string, (await issue(t, 'revoke-one')).token as string];
    expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'revoke-one',
        token: 'revoke-one-bound',
        expirationDate: FAR_FUTURE,
      }),
    );
    // Verified (and so cached) before the revocation.
    for (const token of [...tokens, 'revoke-one-bound']) expect(await works(t, token)).toBe('revoke-one');

    const response = await revoke('revoke-one', { token: tokens[1] });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toStrictEqual({
      RC: 0,
      RM: 'OK',
      success: true,
      message: 'Token revoked successfully',
      revokedTokens: 1,
      result: {
        revokedTokens: 1,
        data: [
          {
            token: expect.any(String),
            client: 'revoke-one',
            kind: 'issued',
            createdAt: expect.stringMatching(ISO),
            updatedAt: expect.stringMatching(ISO),
            expirationDate: expect.stringMatching(ISO),
            expirationDateMS: expect.any(Number),
          },
        ],
      },
    });
    const record = body.result.data[0];
    expect(record.expirationDateMS).toBe(Date.parse(record.expirationDate));
    // Stored hashed: the record can only show the end of the token.
    expect(record.token).not.toBe(tokens[1]);
    expect(record.token.endsWith(tokens[1]!.slice(-4))).toBe(true);

    expect(await works(t, tokens[1]!)).toBeUndefined();
    expect(await works(t, tokens[0]!)).toBe('revoke-one');
    expect(await works(t, 'revoke-one-bound')).toBe('revoke-one');

    // A bound token is revoked by its value just the same.
    const bound = (await revoke('revoke-one', { token: 'revoke-one-bound' })).json();
    expect(bound).toMatchObject({ success: true, message: 'Token revoked successfully', revokedTokens: 1 });
    expect(bound.result.data[0]).toMatchObject({
      client: 'revoke-one',
      kind: 'assigned',
      expirationDate: FAR_FUTURE_ISO,
    });
    expect(await works(t, 'revoke-one-bound')).toBeUndefined();
    expect(await works(t, tokens[0]!)).toBe('revoke-one');

    // Revoked is gone for good: a second revocation does not find it.
    expectBody(await revoke('revoke-one', { token: tokens[1] }), 404, TOKEN_NOT_FOUND);
  });

  const allVariants: Array<[string, (id: string) => Promise<LightMyRequestResponse>]> = [
    [
      'an empty body with a JSON content type',
      (id) =>
        t.app.inject({
          method: 'DELETE',
          url: `/admin/clients/${id}/token`,
          payload: '',
          headers: { 'im-api-key': t.apiKey, 'content-type': 'application/json' },
        }),
    ],
    ['an empty JSON object', (id) => revoke(id, {})],
    [
      'no body at all',
      (id) =>
        t.app.inject({ method: 'DELETE', url: `/admin/clients/${id}/token`, headers: { 'im-api-key': t.apiKey } }),
    ],
    ['a JSON null', (id) => revoke(id, null)],
  ];

  for (const [name, send] of allVariants) {
    it(`revokes all of a user's tokens with ${name}`, async () => {
      const id = `all-${name.replace(/\W+/g, '-')}`;
      const tokens = [(await issue(t, id)).token as string, (await issue(t, id)).token as string];
      expectOk(await t.admin('POST', '/admin/clients', { _id: id, token: `${id}-bound`, expirationDate: FAR_FUTURE }));
      tokens.push(`${id}-bound`);
      const bystander = (await issue(t, `${id}-other`)).token as string;
      for (const token of tokens) expect(await works(t, token)).toBe(id);

      const response = await send(id);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({
        RC: 0,
        RM: 'OK',
        success: true,
        message: 'All tokens revoked successfully',
        revokedTokens: 3,
        result: { revokedTokens: 3 },
      });
      expect(Object.keys(body).sort()).toStrictEqual(['RC', 'RM', 'message', 'result', 'revokedTokens', 'success']);
      expect(body.result.data).toHaveLength(3);
      for (const record of body.result.data) expect(record.client).toBe(id);
      expect(JSON.stringify(body)).not.toContain(tokens[0]);

      for (const token of tokens) expect(await works(t, token)).toBeUndefined();
      expect(await works(t, bystander)).toBe(`${id}-other`);
      // The user itself stays.
      expectOk(await t.admin('GET', `/admin/clients/${id}`));
    });
  }

  it('answers revokedTokens 0 when the user has no token', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'tokenless' });
    const response = await revoke('tokenless', {});
    expectBody(response, 200, {
      RC: 0,
      RM: 'OK',
      success: true,
      message: 'All tokens revoked successfully',
      revokedTokens: 0,
      result: { revokedTokens: 0, data: [] },
    });
  });

  it('answers 404 TOKEN_NOT_FOUND for an unknown token or one of another user, revoking nothing', async () => {
    const mine = (await issue(t, 'tnf-mine')).token as string;
    const theirs = (await issue(t, 'tnf-theirs')).token as string;
    expectBody(await revoke('tnf-mine', { token: 'never-issued' }), 404, TOKEN_NOT_FOUND);
    expectBody(await revoke('tnf-mine', { token: theirs }), 404, TOKEN_NOT_FOUND);
    expect(await works(t, mine)).toBe('tnf-mine');
    expect(await works(t, theirs)).toBe('tnf-theirs');
  });

  it('answers 404 CLIENT_NOT_FOUND for an unknown user, with or without a token', async () => {
    const someone = (await issue(t, 'cnf-someone')).token as string;
    expectBody(await revoke('cnf-ghost', {}), 404, notFound('cnf-ghost'));
    expectBody(await revoke('cnf-ghost', { token: someone }), 404, notFound('cnf-ghost'));
    expect(await works(t, someone)).toBe('cnf-someone');
  });

  it('refuses a token that is not a non-empty string', async () => {
    for (const body of [{ token: '' }, { token: 5 }, { token: null }, [1]]) {
      const response = await revoke('cnf-someone', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_REQUEST' } });
    }
  });

  it('lets a revoked token be bound again afterwards, to anyone', async () => {
    expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'first-holder',
        token: 'recycled-token',
        expirationDate: FAR_FUTURE,
      }),
    );
    expectOk(await revoke('first-holder', { token: 'recycled-token' }));
    expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'second-holder',
        token: 'recycled-token',
        expirationDate: FAR_FUTURE,
      }),
    );
    expect(await works(t, 'recycled-token')).toBe('second-holder');
  });
});

describe('singleTokenPerUser (spec 12 item 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('is off by default', async () => {
    expect(expectOk(await t.admin('GET', '/admin/app')).settings).toStrictEqual({
      singleTokenPerUser: false,
      defaultGroupOpening: 1,
      defaultHistoryVisibility: 'shared',
      defaultInvitationRequired: false,
    });
  });

  it("when on, issuing, binding or updating a token revokes the user's other tokens", async () => {
    const before = [(await issue(t, 'single')).token as string, (await issue(t, 'single')).token as string];
    const other = (await issue(t, 'single-bystander')).token as string;
    expect(expectOk(await t.admin('PATCH', '/admin/app', { singleTokenPerUser: true })).settings).toStrictEqual({
      singleTokenPerUser: true,
      defaultGroupOpening: 1,
      defaultHistoryVisibility: 'shared',
      defaultInvitationRequired: false,
    });
    try {
      for (const token of before) expect(await works(t, token)).toBe('single');

      const issued = (await issue(t, 'single')).token as string;
      for (const token of before) expect(await works(t, token)).toBeUndefined();
      expect(await works(t, issued)).toBe('single');

      expectOk(
        await t.admin('POST', '/admin/clients', { _id: 'single', token: 'single-bound', expirationDate: FAR_FUTURE }),
      );
      expect(await works(t, issued)).toBeUndefined();
      expect(await works(t, 'single-bound')).toBe('single');

      expectOk(
        await t.admin('PUT', '/admin/clients/single/token', { token: 'single-put', expirationDate: FAR_FUTURE }),
      );
      expect(await works(t, 'single-bound')).toBeUndefined();
      expect(await works(t, 'single-put')).toBe('single');

      // Rebinding the one remaining token keeps it.
      expectOk(
        await t.admin('PUT', '/admin/clients/single/token', {
          token: 'single-put',
          expirationDate: '2098-01-01T00:00:00Z',
        }),
      );
      expect(await works(t, 'single-put')).toBe('single');

      // Other users are untouched; a profile update without a token revokes nothing.
      expect(await works(t, other)).toBe('single-bystander');
      expectOk(await t.admin('POST', '/admin/clients', { _id: 'single', nickname: 'still' }));
      expect(await works(t, 'single-put')).toBe('single');
      const rows = await t.services.storage.db
        .selectFrom('user_tokens')
        .selectAll()
        .where('app_id', '=', t.appId)
        .where('user_id', '=', 'single')
        .execute();
      expect(rows).toHaveLength(1);
    } finally {
      expectOk(await t.admin('PATCH', '/admin/app', { singleTokenPerUser: false }));
    }
    const again = [(await issue(t, 'single')).token as string, (await issue(t, 'single')).token as string];
    for (const token of [...again, 'single-put']) expect(await works(t, token)).toBe('single');
  });
});

describe('token scopes and storage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('a key with users:write but not tokens:write can create users but not issue or bind tokens', async () => {
    const usersOnly = await t.createKey({ name: 'users only', scopes: ['users:write'] });
    const as = (method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown) =>
      t.admin(method, url, body, { 'im-api-key': usersOnly });

    expectBody(await as('POST', '/admin/clients', { _id: 'scoped-1', issueAccessToken: true }), 403, FORBIDDEN);
    expectBody(
      await as('POST', '/admin/clients', { _id: 'scoped-1', token: 'scoped-token', expirationDate: FAR_FUTURE }),
      403,
      FORBIDDEN,
    );
    expectBody(await t.admin('GET', '/admin/clients/scoped-1'), 404, notFound('scoped-1'));

    const created = expectOk(await as('POST', '/admin/clients', { _id: 'scoped-1', nickname: 'Scoped' }));
    expect(created).toMatchObject({ _id: 'scoped-1', nickname: 'Scoped' });
    expect(created).not.toHaveProperty('token');
    const explicitFalse = expectOk(await as('POST', '/admin/clients', { _id: 'scoped-1', issueAccessToken: false }));
    expect(explicitFalse).not.toHaveProperty('token');

    expectBody(
      await as('PUT', '/admin/clients/scoped-1/token', { token: 'scoped-token', expirationDate: FAR_FUTURE }),
      403,
      FORBIDDEN,
    );
    expectBody(await as('DELETE', '/admin/clients/scoped-1/token', {}), 403, FORBIDDEN);
    expect(await works(t, 'scoped-token')).toBeUndefined();
    const rows = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('app_id', '=', t.appId)
      .where('user_id', '=', 'scoped-1')
      .execute();
    expect(rows).toHaveLength(0);

    const both = await t.createKey({ name: 'users and tokens', scopes: ['users:write', 'tokens:write'] });
    const issued = expectOk(
      await t.admin('POST', '/admin/clients', { _id: 'scoped-1', issueAccessToken: true }, { 'im-api-key': both }),
    );
    expect(await works(t, issued.token)).toBe('scoped-1');
  });

  it('stores tokens hashed: no row holds a plain token', async () => {
    const plain: string[] = [];
    for (const id of ['hash-a', 'hash-b']) plain.push((await issue(t, id)).token as string);
    expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'hash-a',
        token: 'plain-bound-token-0001',
        expirationDate: FAR_FUTURE,
      }),
    );
    expectOk(
      await t.admin('PUT', '/admin/clients/hash-b/token', {
        token: 'plain-bound-token-0002',
        expirationDate: FAR_FUTURE,
      }),
    );
    plain.push('plain-bound-token-0001', 'plain-bound-token-0002');
    for (const token of plain) expect(await works(t, token)).toBeDefined();

    const rows = await t.services.storage.db.selectFrom('user_tokens').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const stored = JSON.stringify(rows);
    for (const token of plain) {
      expect(stored).not.toContain(token);
      // Nor a large part of one (the JWT's signature or payload).
      for (const part of token.split('.')) if (part.length > 8) expect(stored).not.toContain(part);
    }
    // Nor anywhere else in the database's user rows.
    const users = JSON.stringify(await t.services.storage.db.selectFrom('users').selectAll().execute());
    for (const token of plain) expect(users).not.toContain(token);
  });
});

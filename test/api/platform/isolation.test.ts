import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';

/** Every table is scoped to an application; a key or client key of one app never reaches another's data. */
describe('applications are isolated from each other', () => {
  let t: TestApp;
  let keyB: string;
  let clientKeyB: string;
  let tokenA: string;

  const asB = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        'im-api-key': keyB,
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    t = await buildTestApp();
    const appB = await t.services.apps.create('Second app', 'second');
    keyB = (await t.services.keys.create(appB.id, { name: 'b' }, 'test')).secret;
    clientKeyB = appB.clientKey;
    tokenA = await t.createUser('alice', { email: 'alice@a.example' });
    await t.admin('POST', '/admin/groups', { _id: 'team-a', nickname: 'Team A', members: ['alice'] });
  });
  afterAll(() => t.close());

  it("lists none of the other app's users, groups, keys or audit records", async () => {
    expect(expectOk(await asB('GET', '/admin/clients'))).toStrictEqual({ totalCount: 0, data: [] });
    expect(expectOk(await asB('GET', `/admin/clients?q=${encodeURIComponent('{"_id":"alice"}')}`)).totalCount).toBe(0);
    expect(expectOk(await asB('GET', '/admin/groups')).totalCount).toBe(0);
    expect(expectOk(await asB('GET', '/admin/keys')).data.map((key: { name: string }) => key.name)).toStrictEqual([
      'b',
    ]);
    const audit = expectOk(await asB('GET', '/admin/audit?limit=500')).data as Array<{ targetIds: string[] }>;
    expect(audit.some((entry) => entry.targetIds.includes('alice'))).toBe(false);
    expect(expectOk(await asB('GET', '/admin/stats')).totalUserCount).toBe(0);
  });

  it("cannot read, change or delete the other app's user, tokens or group by id", async () => {
    expect((await asB('GET', '/admin/clients/alice')).statusCode).toBe(404);
    expect((await asB('DELETE', '/admin/clients/alice')).statusCode).toBe(404);
    expect(
      (
        await asB('PUT', '/admin/clients/alice/token', {
          token: 'stolen-token-123',
          expirationDate: '2099-01-01T00:00:00Z',
        })
      ).statusCode,
    ).toBe(404);
    expect((await asB('DELETE', '/admin/clients/alice/token')).statusCode).toBe(404);
    expect((await asB('GET', '/admin/groups/team-a')).statusCode).toBe(404);
    expect((await asB('PUT', '/admin/groups/team-a', { nickname: 'Taken' })).statusCode).toBe(404);
    expect((await asB('GET', '/me', undefined, { 'im-client-id': 'alice' })).statusCode).toBe(404);
    const ownKeyIds = (await t.services.keys.list(t.appId)).map((key) => key.id);
    for (const id of ownKeyIds) {
      expect((await asB('GET', `/admin/keys/${id}`)).statusCode).toBe(404);
      expect((await asB('DELETE', `/admin/keys/${id}`)).statusCode).toBe(404);
    }
    // Nothing of app A changed.
    expect((await t.asUser(tokenA, 'GET', '/me')).statusCode).toBe(200);
    expect(expectOk(await t.admin('GET', '/admin/groups/team-a')).nickname).toBe('Team A');
    expect((await t.admin('GET', '/admin/clients')).json().result.totalCount).toBe(1);
  });

  it('keeps the same user id apart in two apps, tokens included', async () => {
    const created = expectOk(
      await asB('POST', '/admin/clients', { _id: 'alice', nickname: 'Other Alice', issueAccessToken: true }),
    );
    expect(created.appID).toBe('second');
    const tokenB = created.token as string;
    const meB = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': clientKeyB, 'im-authorization': tokenB },
    });
    expect(meB.json().result).toMatchObject({ _id: 'alice', nickname: 'Other Alice', appID: 'second' });
    expect(expectOk(await t.asUser(tokenA, 'GET', '/me'))).toMatchObject({
      nickname: 'alice',
      appID: t.appId,
      email: 'alice@a.example',
    });
    // A token is only good with its own app's client key.
    const crossed = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': clientKeyB, 'im-authorization': tokenA },
    });
    expect(crossed.statusCode).toBe(403);
    expect(crossed.json().error).toBe('CLIENT_KEY_MISMATCH');
    // Binding the same token string in both apps is allowed: uniqueness is per application.
    expect(
      (
        await asB('PUT', '/admin/clients/alice/token', {
          token: 'shared-string-0001',
          expirationDate: '2099-01-01T00:00:00Z',
        })
      ).statusCode,
    ).toBe(200);
    // App A sees it as another app's token until A binds it too (and then at once, cache or not).
    expect((await t.asUser('shared-string-0001', 'GET', '/me')).json().error).toBe('CLIENT_KEY_MISMATCH');
    expect(
      (
        await t.admin('PUT', '/admin/clients/alice/token', {
          token: 'shared-string-0001',
          expirationDate: '2099-01-01T00:00:00Z',
        })
      ).statusCode,
    ).toBe(200);
    expect(expectOk(await t.asUser('shared-string-0001', 'GET', '/me')).appID).toBe(t.appId);
  });
});

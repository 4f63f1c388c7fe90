import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, clientNotFound, INVALID_TOKEN } from '../../helpers/errors.js';
import { expectOkEnvelope, ISO } from '../../helpers/wire.js';
import { expectError } from '../../helpers/users-suite.js';

/** Users (spec 3.1, 3.3, 3.4, 3.5, 12 items 17-24): upsert, batch, list and search, get, delete, `GET /me`. */

const notFound = (id: string) => clientNotFound(id);

describe('GET/DELETE /admin/clients/:id and GET /me (spec 3.5, 12 item 23)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('gets a user by id, URL-decoded and case-sensitive', async () => {
    for (const id of ['mail@example.com', 'with space', 'slash/inside', 'ünï', 'CaseSensitive']) {
      expectOk(await t.admin('POST', '/admin/clients', { _id: id, nickname: id }));
      const result = expectOk(await t.admin('GET', `/admin/clients/${encodeURIComponent(id)}`));
      expect(result._id).toBe(id);
      expect(result.id).toBe(id);
      expect(result.nickname).toBe(id);
    }
    const wrongCase = await t.admin('GET', '/admin/clients/casesensitive');
    expect(wrongCase.statusCode).toBe(404);
    expect(wrongCase.json()).toStrictEqual(notFound('casesensitive'));
  });

  it('answers 404 CLIENT_NOT_FOUND for an unknown user', async () => {
    const response = await t.admin('GET', '/admin/clients/nobody-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toStrictEqual(notFound('nobody-here'));
  });

  it('deletes a user: answers the user, forgets it, and its tokens stop working at once', async () => {
    const token = await t.createUser('doomed', { email: 'doomed@example.com' });
    const bound = 'doomed-bound-token';
    expectOk(
      await t.admin('PUT', '/admin/clients/doomed/token', { token: bound, expirationDate: '2099-01-01T00:00:00Z' }),
    );
    // Both tokens are verified (and so cached) before the deletion.
    expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(200);
    expect((await t.asUser(bound, 'GET', '/me')).statusCode).toBe(200);

    const deleted = expectOk(await t.admin('DELETE', '/admin/clients/doomed'));
    expect(deleted).toMatchObject({
      _id: 'doomed',
      id: 'doomed',
      nickname: 'doomed',
      email: 'doomed@example.com',
      appID: t.appId,
    });
    expect(deleted).not.toHaveProperty('token');

    for (const old of [token, bound]) {
      const me = await t.asUser(old, 'GET', '/me');
      expect(me.statusCode).toBe(401);
      expect(me.json()).toStrictEqual(INVALID_TOKEN);
    }
    expect((await t.admin('GET', '/admin/clients/doomed')).json()).toStrictEqual(notFound('doomed'));
    expect(
      expectOk(await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"_id":"doomed"}')}`)).totalCount,
    ).toBe(0);
    const rows = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('user_id', '=', 'doomed')
      .execute();
    expect(rows).toHaveLength(0);

    const again = await t.admin('DELETE', '/admin/clients/doomed');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toStrictEqual(notFound('doomed'));

    // Re-creating the id does not bring the old tokens back.
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'doomed' }));
    expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(401);
    expect((await t.asUser(bound, 'GET', '/me')).statusCode).toBe(401);
  });

  it('keeps other users and their tokens when one user is deleted', async () => {
    const keep = await t.createUser('keeper');
    await t.createUser('goner');
    expectOk(await t.admin('DELETE', '/admin/clients/goner'));
    expect(expectOk(await t.asUser(keep, 'GET', '/me'))._id).toBe('keeper');
  });

  it('GET /me answers the current user with the documented fields and no secrets', async () => {
    const token = await t.createUser('me-user', {
      nickname: 'Me',
      avatarUrl: 'http://x/me.png',
      email: 'me@example.com',
      favourite: 'tea',
    });
    const response = await t.asUser(token, 'GET', '/me');
    const result = expectOkEnvelope(response);
    expect(result).toStrictEqual({
      _id: 'me-user',
      id: 'me-user',
      appID: t.appId,
      __v: 0,
      nickname: 'Me',
      avatarUrl: 'http://x/me.png',
      clientType: 'user',
      email: 'me@example.com',
      lastLoginTimeMS: 0,
      isRobot: false,
      mute: [],
      notificationEnabled: true,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      favourite: 'tea',
    });
    expect(response.body).not.toContain(token);
  });

  it('GET /me follows profile updates', async () => {
    const token = await t.createUser('me-later', { nickname: 'Old' });
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'me-later', nickname: 'New', notificationEnabled: false }));
    expect(expectOk(await t.asUser(token, 'GET', '/me'))).toMatchObject({
      nickname: 'New',
      notificationEnabled: false,
    });
  });

  it('GET /me refuses missing and unknown tokens with 401 INVALID_TOKEN', async () => {
    for (const token of ['', 'not-a-token', 'eyJhbGciOiJIUzI1NiJ9.e30.x']) {
      const response =
        token === ''
          ? await t.app.inject({ method: 'GET', url: '/me', headers: { 'im-client-key': t.clientKey } })
          : await t.asUser(token, 'GET', '/me');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toStrictEqual(INVALID_TOKEN);
    }
  });

  it('GET /me with the API key acts for the user named by IM-CLIENT-ID', async () => {
    await t.createUser('named-user');
    expect(expectOk(await t.admin('GET', '/me', undefined, { 'im-client-id': 'named-user' }))._id).toBe('named-user');
    const missing = await t.admin('GET', '/me');
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toStrictEqual(badRequest('IM-CLIENT-ID header is required with IM-API-KEY'));
    const unknown = await t.admin('GET', '/me', undefined, { 'im-client-id': 'ghost-user' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toStrictEqual(notFound('ghost-user'));
  });

  it('GET /me refuses an IM-CLIENT-ID that names someone else with 403 INSUFFICIENT_PERMISSIONS (shape B)', async () => {
    const token = await t.createUser('header-owner');
    await t.createUser('header-other');
    const response = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': token, 'im-client-id': 'header-other' },
    });
    expectError(response, 403, 'INSUFFICIENT_PERMISSIONS');
    const same = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': token, 'im-client-id': 'header-owner' },
    });
    expect(expectOk(same)._id).toBe('header-owner');
  });
});

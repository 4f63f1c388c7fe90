import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { INVALID_TOKEN, badRequest, clientNotFound, insufficient } from '../../helpers/errors.js';
import { connectCurrent, disconnected, isConnected } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';
import { ISO } from '../../helpers/wire.js';

/**
 * The caller's own sessions ([hist] 2.3 `POST /me/logout`, 2.4 `/me/logout-others`, with the device's
 * push registrations named by `IM-Device-ID`) and notification switch (3.2 `/me/notification/…`).
 */

const MASKED = /^….{4}$/;
const record = {
  token: expect.stringMatching(MASKED),
  createdAt: expect.stringMatching(ISO),
  updatedAt: expect.stringMatching(ISO),
  expirationDate: expect.stringMatching(ISO),
  expirationDateMS: expect.any(Number),
};

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

function asUser(token: string, url: string, headers: Record<string, string> = {}, method: 'POST' | 'GET' = 'POST') {
  return t.app.inject({
    method,
    url,
    remoteAddress: '127.0.0.1',
    headers: { 'im-client-key': t.clientKey, 'im-authorization': token, ...headers },
  });
}

const devicesOf = async (userId: string) =>
  (await t.services.devices.forUsers(t.appId, [userId])).map((device) => `${device.token}@${device.deviceId}`).sort();

async function subscribe(token: string, type: string, push: string, deviceId?: string) {
  expectOk(await t.asUser(token, 'POST', '/me/subscribe', { type, token: push, ...(deviceId ? { deviceId } : {}) }));
}

const works = async (token: string) => (await asUser(token, '/me', {}, 'GET')).statusCode === 200;

describe('POST /me/logout', () => {
  it("revokes the request's token and, with IM-Device-ID, only that device's registrations", async () => {
    const phone = await t.createUser('lou');
    const laptop = await t.createUser('lou');
    await subscribe(phone, 'ios', 'lou-phone', 'phone-1');
    await subscribe(phone, 'ios-voip', 'lou-phone-voip', 'phone-1');
    await subscribe(laptop, 'web', 'lou-laptop', 'laptop-1');
    const bobToken = await t.createUser('lou-friend');
    await subscribe(bobToken, 'fcm', 'friend-phone', 'phone-1');

    const response = await asUser(phone, '/me/logout', { 'im-device-id': 'phone-1' });
    expect(response.json()).toStrictEqual({ RC: 0, RM: 'OK', result: record });
    expect(response.json().result.token).toBe(`…${phone.slice(-4)}`);
    expect(new Date(response.json().result.expirationDate).getTime()).toBe(response.json().result.expirationDateMS);

    expectBody(await asUser(phone, '/me', {}, 'GET'), 401, INVALID_TOKEN);
    expect(await works(laptop)).toBe(true);
    expect(await devicesOf('lou')).toStrictEqual(['lou-laptop@laptop-1']);
    // Another user's registration under the same device ID is theirs.
    expect(await devicesOf('lou-friend')).toStrictEqual(['friend-phone@phone-1']);
    expect(await works(bobToken)).toBe(true);
  });

  it('without IM-Device-ID revokes the token only, and the revoked token cannot log out again', async () => {
    const token = await t.createUser('max');
    await subscribe(token, 'fcm', 'max-phone', 'max-1');
    expect(expectOk(await asUser(token, '/me/logout'))).toStrictEqual(record);
    expect(await devicesOf('max')).toStrictEqual(['max-phone@max-1']);
    expectBody(await asUser(token, '/me/logout'), 401, INVALID_TOKEN);
  });

  it('closes the sockets of the revoked token, not those of the others', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const first = await t.createUser('sol');
    const second = await t.createUser('sol');
    const ending = await connectCurrent(url, { token: first, clientKey: t.clientKey });
    const staying = await connectCurrent(url, { token: second, clientKey: t.clientKey });
    try {
      expect(isConnected(ending) && isConnected(staying)).toBe(true);
      expectOk(await asUser(first, '/me/logout'));
      await disconnected(ending);
      await sleep(100);
      expect(isConnected(staying)).toBe(true);
    } finally {
      ending.close();
      staying.close();
    }
  });

  it('refuses the API key (no session to end), another user named in IM-CLIENT-ID, and no token', async () => {
    const token = await t.createUser('ned');
    const apiKeyAnswer = badRequest('Logging out needs the user token to end; the API key has no session');
    for (const url of ['/me/logout', '/me/logout-others']) {
      expectBody(await t.admin('POST', url, undefined, { 'im-client-id': 'ned' }), 400, apiKeyAnswer);
      expectBody(await t.admin('POST', url), 400, apiKeyAnswer);
      const named = await asUser(token, url, { 'im-client-id': 'lou' });
      expect(named.statusCode).toBe(403);
      expect(named.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
      expect((await asUser('', url)).statusCode).toBe(401);
    }
    expect(await works(token)).toBe(true);
  });
});

describe('POST /me/logout-others', () => {
  it('revokes the other tokens and every other device’s registrations, and keeps this one', async () => {
    const here = await t.createUser('ivy');
    const there = await t.createUser('ivy');
    const elsewhere = await t.createUser('ivy');
    const friend = await t.createUser('ivy-friend');
    await subscribe(here, 'ios', 'ivy-here', 'here');
    await subscribe(there, 'fcm', 'ivy-there', 'there');
    await subscribe(there, 'web', 'ivy-unbound');
    await subscribe(friend, 'fcm', 'friend-there', 'there');

    const result = expectOk(await asUser(here, '/me/logout-others', { 'im-device-id': 'here' }));
    expect(result).toStrictEqual({ data: [record, record] });
    expect(result.data.map((entry: { token: string }) => entry.token).sort()).toStrictEqual(
      [`…${there.slice(-4)}`, `…${elsewhere.slice(-4)}`].sort(),
    );
    expect(await works(here)).toBe(true);
    expect(await works(there)).toBe(false);
    expect(await works(elsewhere)).toBe(false);
    expect(await works(friend)).toBe(true);
    expect(await devicesOf('ivy')).toStrictEqual(['ivy-here@here']);
    expect(await devicesOf('ivy-friend')).toStrictEqual(['friend-there@there']);

    // Nothing left to end: an empty list.
    expect(expectOk(await asUser(here, '/me/logout-others', { 'im-device-id': 'here' }))).toStrictEqual({ data: [] });
  });

  it('without IM-Device-ID leaves every registration alone', async () => {
    const here = await t.createUser('kai');
    const there = await t.createUser('kai');
    await subscribe(there, 'fcm', 'kai-there', 'there');
    expect(expectOk(await asUser(here, '/me/logout-others')).data).toHaveLength(1);
    expect(await works(there)).toBe(false);
    expect(await devicesOf('kai')).toStrictEqual(['kai-there@there']);
  });
});

async function pushLog(): Promise<Array<{ kind: string; clients: string[]; status: string }>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const data = expectOk(await t.admin('GET', '/admin/push/notifications?limit=100')).data;
    if (data.every((entry: { status: string }) => entry.status !== 'pending') || Date.now() > deadline) return data;
    await sleep(30);
  }
}

describe('POST /me/notification/enable and /disable', () => {
  let amy: string;
  let rob: string;
  beforeAll(async () => {
    amy = await t.createUser('amy', { nickname: 'Amy' });
    rob = await t.createUser('rob', { nickname: 'Rob' });
    await subscribe(amy, 'fcm', 'amy-phone', 'amy-1');
    await createRoom(t, { _id: 'amy-rob', members: ['amy', 'rob'] });
  });

  const say = async (message: string) =>
    expectOk(await t.asUser(rob, 'POST', '/rooms/amy-rob/message', { message, messageType: 'text' }));
  /** Who the automatic push of the latest message went to, if one was recorded after `count` entries. */
  const pushedSince = async (count: number) => {
    await sleep(150);
    const log = await pushLog();
    return log.length > count ? log[0]?.clients : undefined;
  };

  it('answers the user with the flag, idempotently, and GET /me shows it', async () => {
    for (const [path, enabled] of [
      ['disable', false],
      ['disable', false],
      ['enable', true],
      ['enable', true],
      ['disable', false],
    ] as const) {
      const user = expectOk(await asUser(amy, `/me/notification/${path}`));
      expect(user).toMatchObject({ _id: 'amy', nickname: 'Amy', notificationEnabled: enabled });
      expect(expectOk(await t.asUser(amy, 'GET', '/me')).notificationEnabled).toBe(enabled);
    }
  });

  it('stops automatic message pushes to a disabled user; explicit pushes still go; enabling resumes them', async () => {
    expectOk(await asUser(amy, '/me/notification/disable'));
    let count = (await pushLog()).length;
    await say('are you there?');
    expect(await pushedSince(count)).toBeUndefined();

    expectOk(await t.admin('POST', '/push/push2clients', { clients: ['amy'], payload: { title: 'explicit' } }));
    expect(await pushedSince(count)).toStrictEqual(['amy']);

    expectOk(await asUser(amy, '/me/notification/enable'));
    count = (await pushLog()).length;
    await say('now?');
    expect(await pushedSince(count)).toStrictEqual(['amy']);
    expect((await pushLog())[0]).toMatchObject({ kind: 'message' });
  });

  it('lets the API key switch the user named by IM-CLIENT-ID, and refuses what names no user', async () => {
    const user = expectOk(await t.admin('POST', '/me/notification/disable', undefined, { 'im-client-id': 'rob' }));
    expect(user).toMatchObject({ _id: 'rob', notificationEnabled: false });
    expect(expectOk(await t.admin('GET', '/admin/clients/rob')).notificationEnabled).toBe(false);
    expect(expectOk(await t.admin('GET', '/admin/clients/amy')).notificationEnabled).toBe(true);
    expectBody(
      await t.admin('POST', '/me/notification/enable'),
      400,
      badRequest('IM-CLIENT-ID header is required with IM-API-KEY'),
    );
    expectBody(
      await t.admin('POST', '/me/notification/enable', undefined, { 'im-client-id': 'nobody' }),
      404,
      clientNotFound('nobody'),
    );
  });

  it("refuses another user's switch and keeps their flag", async () => {
    for (const path of ['enable', 'disable']) {
      const response: LightMyRequestResponse = await asUser(amy, `/me/notification/${path}`, { 'im-client-id': 'rob' });
      expectBody(response, 403, insufficient('IM-CLIENT-ID does not match the user of the token'));
      expect((await asUser('', `/me/notification/${path}`)).statusCode).toBe(401);
    }
    expect(expectOk(await t.admin('GET', '/admin/clients/rob')).notificationEnabled).toBe(false);
  });
});

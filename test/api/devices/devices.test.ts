import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';

/** Push device registration (spec 10.2 [hist], 12 item 69; realtime protocol 6.2 `me.subscribe`). */
describe('POST /me/subscribe and /me/unsubscribe', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice');
    bob = await t.createUser('bob');
  });
  afterAll(() => t.close());

  const devicesOf = async (userId: string) =>
    (await t.services.devices.forUsers(t.appId, [userId])).map(
      (device) => `${device.type}:${device.token}:${device.deviceId}`,
    );

  it('registers a device for the token user, once per token, and moves a token to its new user', async () => {
    expect(expectOk(await t.asUser(alice, 'POST', '/me/subscribe', { type: 'web', token: 'fcm-1' }))).toStrictEqual({
      client: 'alice',
      type: 'web',
      deviceId: null,
    });
    expectOk(await t.asUser(alice, 'POST', '/me/subscribe', { type: 'web', token: 'fcm-1', deviceId: 'laptop' }));
    expectOk(await t.asUser(alice, 'POST', '/me/subscribe', { type: 'ios', token: 'apns-1', deviceId: 'phone' }));
    expect((await devicesOf('alice')).sort()).toStrictEqual(['ios:apns-1:phone', 'web:fcm-1:laptop']);
    // The same browser, now signed in as bob.
    expectOk(await t.asUser(bob, 'POST', '/me/subscribe', { type: 'web', token: 'fcm-1' }));
    expect(await devicesOf('alice')).toStrictEqual(['ios:apns-1:phone']);
    expect(await devicesOf('bob')).toStrictEqual(['web:fcm-1:null']);
  });

  it("unregisters by token or device id, only the caller's own", async () => {
    expect(expectOk(await t.asUser(alice, 'POST', '/me/unsubscribe', { type: 'web', token: 'fcm-1' })).removed).toBe(0);
    expect(await devicesOf('bob')).toStrictEqual(['web:fcm-1:null']);
    expect(
      expectOk(await t.asUser(alice, 'POST', '/me/unsubscribe', { type: 'ios', deviceId: 'phone' })),
    ).toStrictEqual({ client: 'alice', removed: 1 });
    expect(await devicesOf('alice')).toStrictEqual([]);
  });

  it('lets the API key register for a user named by clientId, and refuses bad input with 400', async () => {
    expectOk(await t.admin('POST', '/me/subscribe', { type: 'android', token: 'gcm-9', clientId: 'alice' }));
    expect(await devicesOf('alice')).toStrictEqual(['android:gcm-9:null']);
    expect(
      (await t.admin('POST', '/me/subscribe', { type: 'android', token: 'gcm-9', clientId: 'nobody' })).statusCode,
    ).toBe(404);
    expect((await t.admin('POST', '/me/subscribe', { type: 'android', token: 'x' })).statusCode).toBe(400);
    expect((await t.asUser(alice, 'POST', '/me/subscribe', { type: 'pager', token: 'x' })).statusCode).toBe(400);
    expect((await t.asUser(alice, 'POST', '/me/subscribe', { type: 'web' })).statusCode).toBe(400);
  });

  it('forgets the devices of a deleted user', async () => {
    const carol = await t.createUser('carol');
    expectOk(await t.asUser(carol, 'POST', '/me/subscribe', { type: 'web', token: 'carol-web' }));
    expectOk(await t.admin('DELETE', '/admin/clients/carol'));
    expect(await devicesOf('carol')).toStrictEqual([]);
  });
});

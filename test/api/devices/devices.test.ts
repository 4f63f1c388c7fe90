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
    ).toStrictEqual({ client: 'alice', removed: 1, n: 1, ok: 1 });
    expect(await devicesOf('alice')).toStrictEqual([]);
  });

  it('unregisters by deviceId before token ([hist] 3.3, 14 item 11), and answers {n, ok} with the count', async () => {
    const dora = await t.createUser('dora');
    expectOk(await t.asUser(dora, 'POST', '/me/subscribe', { type: 'fcm', token: 'dora-a', deviceId: 'tablet' }));
    expectOk(await t.asUser(dora, 'POST', '/me/subscribe', { type: 'fcm', token: 'dora-b', deviceId: 'phone' }));
    expectOk(await t.asUser(dora, 'POST', '/me/subscribe', { type: 'fcm', token: 'dora-c' }));
    // The page's form, {type, deviceId}: the device's registration goes, whatever token comes along.
    const byDevice = await t.asUser(dora, 'POST', '/me/unsubscribe', {
      type: 'fcm',
      deviceId: 'tablet',
      token: 'dora-b',
    });
    expect(byDevice.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { client: 'dora', removed: 1, n: 1, ok: 1 } });
    expect((await devicesOf('dora')).sort()).toStrictEqual(['fcm:dora-b:phone', 'fcm:dora-c:null']);
    // The SDKs' form, {type, token}.
    expect(expectOk(await t.asUser(dora, 'POST', '/me/unsubscribe', { type: 'fcm', token: 'dora-c' }))).toMatchObject({
      n: 1,
      ok: 1,
    });
    // A device of another type is not touched; nothing matched is n: 0.
    expect(expectOk(await t.asUser(dora, 'POST', '/me/unsubscribe', { type: 'web', deviceId: 'phone' }))).toMatchObject(
      { n: 0, ok: 1 },
    );
    expect(await devicesOf('dora')).toStrictEqual(['fcm:dora-b:phone']);
    // Neither: every registration of the type.
    expect(expectOk(await t.asUser(dora, 'POST', '/me/unsubscribe', { type: 'fcm' }))).toMatchObject({ n: 1 });
    expect(await devicesOf('dora')).toStrictEqual([]);
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

  it("replaces the user's token of a type on the same deviceId, not another type's or another user's", async () => {
    const gus = await t.createUser('gus');
    const hal = await t.createUser('hal');
    expectOk(await t.asUser(gus, 'POST', '/me/subscribe', { type: 'fcm', token: 'gus-old', deviceId: 'pad' }));
    expectOk(await t.asUser(gus, 'POST', '/me/subscribe', { type: 'ios-voip', token: 'gus-voip', deviceId: 'pad' }));
    expectOk(await t.asUser(hal, 'POST', '/me/subscribe', { type: 'fcm', token: 'hal-pad', deviceId: 'pad' }));
    // The push token rotated on gus's device.
    expectOk(await t.asUser(gus, 'POST', '/me/subscribe', { type: 'fcm', token: 'gus-new', deviceId: 'pad' }));
    expect((await devicesOf('gus')).sort()).toStrictEqual(['fcm:gus-new:pad', 'ios-voip:gus-voip:pad']);
    expect(await devicesOf('hal')).toStrictEqual(['fcm:hal-pad:pad']);
    // The same token again changes nothing.
    expectOk(await t.asUser(gus, 'POST', '/me/subscribe', { type: 'fcm', token: 'gus-new', deviceId: 'pad' }));
    expect((await devicesOf('gus')).sort()).toStrictEqual(['fcm:gus-new:pad', 'ios-voip:gus-voip:pad']);
  });

  it('forgets the devices of a deleted user', async () => {
    const carol = await t.createUser('carol');
    expectOk(await t.asUser(carol, 'POST', '/me/subscribe', { type: 'web', token: 'carol-web' }));
    expectOk(await t.admin('DELETE', '/admin/clients/carol'));
    expect(await devicesOf('carol')).toStrictEqual([]);
  });
});

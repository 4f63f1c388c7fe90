import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import type { RouteEntry } from '../../../src/http/types.js';
import { createRoom } from '../../helpers/factories.js';
import { CHAT_EVENTS } from '../../helpers/wire.js';
import {
  ALICE,
  type Attempt,
  B_DESCRIPTION,
  B_DEVICE,
  B_EXTRA,
  B_NAME,
  B_NAMES,
} from '../../helpers/chat-bola-cases.js';
import { B_PREF_KEYS, B_PREF_TEXT, B_PROFILE, B_ROOM_PREF_TAG, B_TAG, B_TEXTS } from '../../helpers/chat-bola-cases.js';
import {
  BOB,
  CAROL,
  casesFor,
  D_FILE_NAME,
  D_TEXT,
  DAVE,
  E_NAME,
  EVE,
  type Ids,
  isBolaRoute,
  isChatRoute,
} from '../../helpers/chat-bola-cases.js';
import { Multipart, type Method, NO_BLOCK, NO_CLIENT, NO_MESSAGE, NO_ROOM } from '../../helpers/chat-bola-cases.js';
import { NO_ROOM_OR_USER, NO_SUCH, NO_USER, NOT_ALLOWED, type Refusal, ROOM_A } from '../../helpers/chat-bola-cases.js';
import {
  ROOM_B,
  ROOM_EXISTS,
  ROOM_X,
  SECRETS,
  X_BUCKET,
  X_DEVICE,
  X_FILE_NAME,
} from '../../helpers/chat-bola-cases.js';
import { X_FILE_TEXT, X_NAME, X_ROOM_NAME, X_TAG, X_TEXT, XAVIER } from '../../helpers/chat-bola-cases.js';
import { A_GROUP, B_GROUP, B_GROUP_PREF_TEXT, NO_GROUP, ROOM_C } from '../../helpers/chat-bola-cases.js';

/**
 * Object-level authorization of the chat surface (OWASP API1 broken object level authorization,
 * API5 broken function level authorization), route by route: a user who is a member of room A only
 * tries every client route against room B (closed, owned by bob, with messages and a pin), against
 * a message of room B, and against the objects of a second application. Every attempt must be
 * refused and reveal nothing of room B; room B must be exactly as it was afterwards. The SDK routes
 * (realtime protocol 6) are in it too: room helpers, room preferences, bob's personal preferences
 * (`/me/pref`) and app 2's files. Files are shared within an application by design, so only app 2's
 * file is a target there. Moderation too (spec 7.1-7.4): room B's bans (bob banned eve there) and
 * bob's personal block of eve are neither readable nor changeable by alice.
 */

describe('chat authorization matrix (BOLA)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let xavierToken: string;
  let keyX: string;
  let clientKeyX: string;
  let xAppId: string;
  let ids: Ids;
  let cases: Record<string, Attempt[]>;
  let chatRoutes: RouteEntry[];
  let before: Awaited<ReturnType<typeof snapshot>>;
  /** Domain events about room B, the direct room, app 2 or bob's and carol's own state, published during the attempts. */
  const touched: Array<{ type: string; payload: unknown }> = [];
  let recording = false;

  const call = (
    token: string,
    method: Method,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
    clientKey = t.clientKey,
  ) => {
    const multipart = body instanceof Multipart ? body : undefined;
    return t.app.inject({
      method,
      url,
      remoteAddress: '127.0.0.1',
      headers: {
        'im-client-key': clientKey,
        'im-authorization': token,
        ...(body === undefined ? {} : { 'content-type': multipart ? multipart.contentType : 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: multipart ? multipart.payload : JSON.stringify(body) }),
    });
  };
  const asX = (method: Method, url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      remoteAddress: '127.0.0.1',
      headers: { 'im-api-key': keyX, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  /** Everything about rooms B, D and X that an attempt could have changed (timings aside). */
  async function snapshot() {
    const messagesOf = async (response: LightMyRequestResponse) => {
      const result = expectOk(response);
      delete result.inspect.tookMS;
      return result;
    };
    return {
      room: expectOk(await t.admin('GET', `/rooms/${ROOM_B}`)),
      messages: await messagesOf(await t.admin('GET', `/rooms/${ROOM_B}/messages/v3?limit=100`)),
      direct: expectOk(await t.admin('GET', `/rooms/${ids.direct}`)),
      directMessages: await messagesOf(await t.admin('GET', `/rooms/${ids.direct}/messages/v3?limit=100`)),
      x: expectOk(await asX('GET', `/rooms/${ROOM_X}`)),
      xMessages: await messagesOf(await asX('GET', `/rooms/${ROOM_X}/messages/v3?limit=100`)),
      bobPrefs: (expectOk(await t.admin('GET', '/me/pref', undefined, { 'im-client-id': BOB })) as any[]).sort((p, q) =>
        p.key.localeCompare(q.key),
      ),
      bobRoomPref: expectOk(await t.admin('GET', `/rooms/${ROOM_B}`, undefined, { 'im-client-id': BOB })).pref,
      bobRoomPrefs: expectOk(await t.admin('GET', '/roomPrefs', undefined, { 'im-client-id': BOB })),
      bGroupRoomPrefs: expectOk(await t.admin('GET', `/roomPrefs/group/${B_GROUP}`)),
      xFile: expectOk(await asX('GET', `/files/${X_BUCKET}/${ids.x.file}/metadata`)),
      xFileContent: (await asX('GET', `/files/${X_BUCKET}/${ids.x.file}`)).body,
      bans: expectOk(await t.admin('GET', `/blockStatus/room/${ROOM_B}`)),
      invitations: expectOk(await t.admin('GET', `/rooms/${ROOM_B}/invitations`)),
      bobBlocks: expectOk(await t.admin('GET', '/blockStatus/my', undefined, { 'im-client-id': BOB })),
      xBans: expectOk(await asX('GET', `/blockStatus/room/${ROOM_X}`)),
      bobProfile: expectOk(await t.admin('GET', `/admin/clients/${BOB}`)),
      xProfile: expectOk(await asX('GET', `/admin/clients/${XAVIER}`)),
      bobDevices: (await t.services.devices.forUsers(t.appId, [BOB])).map(({ type, token, userId, deviceId }) => ({
        type,
        token,
        userId,
        deviceId,
      })),
      xDevices: (await t.services.devices.forUsers(xAppId, [XAVIER])).map(({ type, token, userId, deviceId }) => ({
        type,
        token,
        userId,
        deviceId,
      })),
    };
  }

  /** The response names none of the secrets, except those the caller put in the request itself. */
  function expectNoLeak(response: LightMyRequestResponse, request: string, label: string): void {
    for (const secret of SECRETS) {
      if (request.includes(secret)) continue;
      expect
        .soft(response.body.includes(secret), `${label}: the response reveals "${secret}": ${response.body}`)
        .toBe(false);
    }
  }

  function expectRefused(response: LightMyRequestResponse, refused: readonly Refusal[], label: string): void {
    const body = response.json();
    const code = typeof body.error === 'object' ? body.error?.code : body.error;
    const accepted = refused.some(([status, expected]) => status === response.statusCode && expected === code);
    expect
      .soft(
        accepted,
        `${label}: expected ${refused.map(([s, c]) => `${s} ${c}`).join(' or ')}, got ${response.statusCode} ${response.body}`,
      )
      .toBe(true);
    // Shape B (spec 1.5): RC repeats the status; no result.
    if (accepted) expect.soft([body.RC, body.result], label).toStrictEqual([response.statusCode, undefined]);
  }

  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser(ALICE, { nickname: 'Alice Avery' });
    bob = await t.createUser(BOB, { nickname: B_NAMES[0] });
    const carol = await t.createUser(CAROL, { nickname: B_NAMES[1] });
    await t.createUser(DAVE, { nickname: 'Dave Public' });
    await t.createUser(EVE, { nickname: E_NAME });

    // Room A: alice owns it, dave is in it and sent her one unread message.
    await createRoom(t, {
      _id: ROOM_A,
      name: 'Alice Room',
      roomTags: ['a-tag'],
      owner: ALICE,
      members: [ALICE, DAVE],
    });
    const own = expectOk(
      await t.asUser(alice, 'POST', `/rooms/${ROOM_A}/message`, { message: 'hello from alice', messageType: 'text' }),
    );
    expectOk(
      await t.admin('POST', '/messages', {
        room: ROOM_A,
        sender: DAVE,
        message: 'hello alice from dave',
        messageType: 'text',
      }),
    );

    // Room B: closed, owned by bob, carol is its admin; four messages (one with text in extra, one pinned).
    await createRoom(t, {
      _id: ROOM_B,
      name: B_NAME,
      description: B_DESCRIPTION,
      roomTags: [B_TAG],
      owner: BOB,
      opening: 0,
      members: [BOB, CAROL],
      systemMessage: true,
    });
    expectOk(await t.admin('PUT', `/rooms/${ROOM_B}/member/${CAROL}`, { property: 'role', value: 'admin' }));
    const sent: string[] = [];
    for (const [index, message] of B_TEXTS.entries()) {
      const body = { message, messageType: 'text', ...(index === 3 ? { extra: { note: B_EXTRA } } : {}) };
      sent.push(expectOk(await t.asUser(index % 2 ? carol : bob, 'POST', `/rooms/${ROOM_B}/message`, body))._id);
    }
    expectOk(await t.asUser(bob, 'POST', `/messages/${sent[2]}/pin`));
    // The direct room of bob and carol.
    const direct = (await createRoom(t, { roomType: 'direct', members: [BOB, CAROL] }))._id as string;
    expectOk(await t.admin('POST', '/messages', { room: direct, sender: CAROL, message: D_TEXT, messageType: 'text' }));
    // Bob invites dave to room B.
    expectOk(await call(bob, 'POST', `/rooms/${ROOM_B}/members`, { invitees: [DAVE], invitationRequired: true }));
    const fileExtra = {
      fileName: D_FILE_NAME.replace('.xlsx', ''),
      fileExtension: 'xlsx',
      mimeType: 'application/vnd.ms-excel',
    };
    expectOk(
      await t.admin('POST', '/messages', {
        room: direct,
        sender: CAROL,
        messageType: 'file',
        message: D_FILE_NAME,
        originalUrl: 'https://files.example/ledger',
        extra: JSON.stringify(fileExtra),
      }),
    );
    // Bob bans eve in room B (she is not a member) and blocks her himself.
    expectOk(await call(bob, 'POST', `/blockStatus/room/${ROOM_B}/${EVE}`));
    expectOk(await call(bob, 'POST', `/blockStatus/my/${EVE}`));

    // Application 2 with its own user, room and message.
    const appX = await t.services.apps.create('Other app', 'other-app');
    clientKeyX = appX.clientKey;
    xAppId = appX.id;
    keyX = (await t.services.keys.create(appX.id, { name: 'x' }, 'test')).secret;
    xavierToken = expectOk(
      await asX('POST', '/admin/clients', { _id: XAVIER, nickname: X_NAME, issueAccessToken: true }),
    ).token;
    expectOk(await asX('POST', '/rooms', { _id: ROOM_X, name: X_ROOM_NAME, roomTags: [X_TAG], members: [XAVIER] }));
    const xMessage = expectOk(
      await asX('POST', '/messages', { room: ROOM_X, sender: XAVIER, message: X_TEXT, messageType: 'text' }),
    )._id as string;
    expectOk(await asX('POST', `/messages/${xMessage}/pin`));
    // Application 2's Web Push key: alice's application has none, and must not be shown app 2's.
    expectOk(await asX('PUT', '/admin/push/providers/webpush', { subject: 'mailto:x@example.com', generate: true }));
    const xUpload = new Multipart(
      { extra: JSON.stringify({ room: ROOM_X }) },
      { name: X_FILE_NAME, type: 'text/plain', content: X_FILE_TEXT },
    );
    const xFile = expectOk(await call(xavierToken, 'POST', `/files/${X_BUCKET}`, xUpload, {}, clientKeyX)).id as string;
    // A file of room B: its tag counts in bob's file statistics, never in alice's.
    const bUpload = new Multipart(
      { extra: JSON.stringify({ roomID: ROOM_B }) },
      { name: 'b.txt', type: 'text/plain', content: 'b' },
    );
    expectOk(await call(bob, 'POST', `/files/${X_BUCKET}`, bUpload));

    // Bob's own preferences, and his preferences for room B.
    expectOk(await call(bob, 'POST', `/me/pref/${B_PREF_KEYS[0]}`, { folders: [B_PREF_TEXT] }));
    expectOk(await call(bob, 'POST', `/me/pref/${B_PREF_KEYS[1]}`, { note: B_PREF_TEXT }));
    expectOk(
      await call(bob, 'POST', `/roomPrefs/${ROOM_B}`, { tags: [B_ROOM_PREF_TAG], folder: B_PREF_TEXT, sticky: true }),
    );
    // User groups: bob's (bob, carol) is room C's one member and keeps a preference for it; alice's is in no room.
    expectOk(await t.admin('POST', '/admin/groups', { _id: B_GROUP, nickname: 'B group', members: [BOB, CAROL] }));
    expectOk(await t.admin('POST', '/admin/groups', { _id: A_GROUP, nickname: 'A group', members: [ALICE] }));
    await createRoom(t, { _id: ROOM_C, name: 'Room C', members: [B_GROUP] });
    expectOk(await call(bob, 'POST', `/roomPrefs/${ROOM_C}/group/${B_GROUP}`, { folder: B_GROUP_PREF_TEXT }));
    // Bob's and xavier's devices, and a custom field of bob's profile.
    expectOk(await call(bob, 'POST', '/me/subscribe', { type: 'fcm', token: B_DEVICE, deviceId: 'bob-phone' }));
    expectOk(await call(bob, 'POST', '/me/subscribe', { type: 'ios', token: `${B_DEVICE}-ios` }));
    expectOk(await call(xavierToken, 'POST', '/me/subscribe', { type: 'fcm', token: X_DEVICE }, {}, clientKeyX));
    expectOk(await call(bob, 'POST', '/me', { note: B_PROFILE }));

    ids = {
      b: { first: sent[0]!, second: sent[1]!, pinned: sent[2]!, last: sent[3]! },
      a: { own: own._id },
      direct,
      x: { message: xMessage, file: xFile, token: xavierToken },
    };
    cases = casesFor(ids);
    chatRoutes = t.app.routeTable.filter(isChatRoute);
    before = await snapshot();
    const watched = [BOB, CAROL, EVE, XAVIER, ROOM_B, ROOM_X, direct, ROOM_C];
    const types = [...CHAT_EVENTS, 'room.banned', 'room.typing', 'room.pref', 'user.pref'] as const;
    for (const type of types) {
      t.services.bus.subscribe(type, (payload: any) => {
        const about = [payload.roomId, payload.userId, ...(payload.userIds ?? [])];
        if (recording && about.some((id) => watched.includes(id))) touched.push({ type, payload });
      });
    }
    recording = true;
  });
  afterAll(() => t.close());

  it('has attempts for every client route of the chat surface, and for no other', () => {
    const routes = t.app.routeTable.filter(isBolaRoute).map((route) => `${route.method} ${route.url}`);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes)
      expect(cases[route]?.length ?? 0, `${route} has no authorization case`).toBeGreaterThan(0);
    expect(Object.keys(cases).sort()).toStrictEqual([...new Set(routes)].sort());
    // The attempts are what their key says.
    for (const [key, attempts] of Object.entries(cases)) {
      for (const attempt of attempts)
        expect(key.startsWith(`${attempt.method} `), `${key}: ${attempt.what}`).toBe(true);
    }
  });

  it('starts from the intended state: room B is closed, with two members, an admin, messages and a pin', () => {
    const room = before.room as any;
    expect(room.members.map((member: any) => member._id)).toStrictEqual([BOB, CAROL]);
    expect(room.opening).toBe(0);
    expect(room.pinnedMessage._id).toBe(ids.b.pinned);
    // With the addMembers and assignAdmin system messages.
    expect((before.messages as any).data.map((message: any) => message.messageType).sort()).toStrictEqual([
      'addMembers',
      'assignAdmin',
      'text',
      'text',
      'text',
      'text',
    ]);
    expect((before.x as any).pinnedMessage._id).toBe(ids.x.message);
  });

  // One test per route, so that a failure names it. The real ids exist only after beforeAll, so the
  // keys come from a table built with placeholders; the first test checks them against the routes.
  for (const key of Object.keys(
    casesFor({
      b: { first: '', second: '', pinned: '', last: '' },
      a: { own: '' },
      direct: '',
      x: { message: '', file: '', token: '' },
    }),
  )) {
    it(`${key}: alice cannot reach room B, its messages or app 2's objects`, async () => {
      for (const attempt of cases[key]!) {
        const label = `${key} (${attempt.what})`;
        const response = await call(alice, attempt.method, attempt.url, attempt.body, attempt.headers);
        const request = `${attempt.url} ${JSON.stringify(attempt.body ?? null)}`;
        if (attempt.refused) expectRefused(response, attempt.refused, label);
        else attempt.check!(expectOk(response));
        expectNoLeak(response, request, label);
      }
    });
  }

  it('refuses every chat route to alice naming bob in IM-CLIENT-ID (spec 1.2)', async () => {
    for (const route of chatRoutes) {
      const attempt = cases[`${route.method} ${route.url}`]![0]!;
      const response = await call(alice, attempt.method, attempt.url, attempt.body, {
        ...attempt.headers,
        'im-client-id': BOB,
      });
      expectRefused(response, [NOT_ALLOWED], `${route.method} ${route.url} with IM-CLIENT-ID ${BOB}`);
      expectNoLeak(response, `${attempt.url} ${JSON.stringify(attempt.body ?? null)}`, `${route.method} ${route.url}`);
    }
  });

  it("refuses app 2's user token with app 1's client key on every chat route (CLIENT_KEY_MISMATCH)", async () => {
    // The token is good with its own client key.
    expect(expectOk(await call(xavierToken, 'GET', `/rooms/${ROOM_X}`, undefined, {}, clientKeyX))._id).toBe(ROOM_X);
    for (const route of chatRoutes) {
      const url = route.url
        .replace(':messageId', ids.x.message)
        .replace(':client', XAVIER)
        .replace(':blockee', XAVIER)
        .replace(':roomID', ROOM_X)
        .replace(':room', ROOM_X)
        .replace(':bucket', X_BUCKET)
        .replace(':key', B_PREF_KEYS[0]!)
        .replace(
          ':id',
          route.url.startsWith('/messages/') ? ids.x.message : route.url.startsWith('/files/') ? ids.x.file : ROOM_X,
        );
      const response = await call(
        xavierToken,
        route.method as Method,
        url,
        route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      );
      expect(response.statusCode, `${route.method} ${url}`).toBe(403);
      expect(response.json(), `${route.method} ${url}`).toStrictEqual({
        error: 'CLIENT_KEY_MISMATCH',
        message: 'Client key does not match the specified domain',
      });
    }
  });

  it("keeps app 1's API key away from app 2's rooms and messages (404)", async () => {
    const asAlice = { 'im-client-id': ALICE };
    const attempts: Array<[Method, string, unknown, Record<string, string>, Refusal]> = [
      ['GET', `/rooms/${ROOM_X}`, undefined, {}, NO_ROOM],
      ['GET', `/rooms/${ROOM_X}`, undefined, { 'im-client-id': XAVIER }, NO_ROOM],
      ['PUT', `/rooms/${ROOM_X}`, { name: 'renamed by app 1' }, {}, NO_ROOM],
      ['DELETE', `/rooms/${ROOM_X}`, undefined, {}, NO_ROOM],
      ['POST', '/rooms', { _id: ROOM_X, members: [XAVIER] }, {}, NO_CLIENT],
      ['POST', `/rooms/${ROOM_X}/members`, { invitees: [ALICE] }, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/delete/members`, { members: [XAVIER] }, {}, NO_ROOM],
      ['PUT', `/rooms/${ROOM_X}/member/${XAVIER}`, { property: 'role', value: 'admin' }, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/join`, undefined, asAlice, NO_ROOM],
      ['POST', `/me/mute/${ROOM_X}`, undefined, asAlice, NO_ROOM],
      ['DELETE', `/me/mute/${ROOM_X}`, undefined, asAlice, NO_ROOM],
      ['POST', '/messages', { room: ROOM_X, sender: ALICE, message: 'from app 1', messageType: 'text' }, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/message`, { sender: ALICE, message: 'from app 1', messageType: 'text' }, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/message`, { messageType: 'recall', _id: ids.x.message }, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_A}/message`, { messageType: 'recall', _id: ids.x.message }, {}, NO_MESSAGE],
      ['GET', `/rooms/${ROOM_X}/messages/v3`, undefined, {}, NO_ROOM],
      ['DELETE', `/rooms/${ROOM_X}/messages/${ids.x.message}`, undefined, {}, NO_ROOM],
      ['DELETE', `/rooms/${ROOM_X}/messages/_all`, undefined, {}, NO_ROOM],
      ['DELETE', `/rooms/${ROOM_A}/messages/${ids.x.message}`, undefined, {}, NO_MESSAGE],
      ['POST', `/messages/${ids.x.message}/pin`, undefined, {}, NO_MESSAGE],
      ['DELETE', `/messages/${ids.x.message}/pin`, undefined, {}, NO_MESSAGE],
      ['PUT', `/rooms/${ROOM_X}/lastRead`, { message: ids.x.message }, asAlice, NO_ROOM],
      ['GET', `/rooms/${ROOM_X}/messages`, undefined, {}, NO_ROOM],
      ['GET', `/rooms/${ROOM_X}/messages/${ids.x.message}`, undefined, {}, NO_ROOM],
      ['GET', `/rooms/${ROOM_A}/messages/${ids.x.message}?before=5&after=5`, undefined, {}, NO_MESSAGE],
      ['GET', `/rooms/${ROOM_X}/count`, undefined, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/members/${ALICE}`, {}, {}, NO_ROOM],
      ['DELETE', `/rooms/${ROOM_X}/members/${XAVIER}`, {}, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/typing`, { message: 'typing...' }, asAlice, NO_ROOM],
      ['PUT', `/rooms/${ROOM_X}/bot`, { botMode: true }, {}, NO_ROOM],
      ['GET', `/rooms/${ROOM_X}/invitations`, undefined, {}, NO_ROOM],
      ['POST', `/rooms/${ROOM_X}/delete/invitations`, { invitees: [XAVIER] }, {}, NO_ROOM],
      ['DELETE', `/rooms/${ROOM_X}/invitations/${XAVIER}`, undefined, {}, NO_ROOM],
      ['POST', `/roomPrefs/${ROOM_X}`, { sticky: true }, asAlice, NO_ROOM],
      ['POST', `/roomPrefs/${ROOM_X}`, { sticky: true }, { 'im-client-id': XAVIER }, NO_ROOM],
      ['DELETE', `/roomPrefs/${ROOM_X}/tags`, {}, asAlice, NO_ROOM],
      ['POST', `/roomPrefs/${ROOM_X}/group/${A_GROUP}`, { sticky: true }, {}, NO_ROOM],
      ['DELETE', `/roomPrefs/${ROOM_X}/group/${A_GROUP}/tags`, {}, {}, NO_ROOM],
      ['POST', `/roomPrefs/${ROOM_A}/group/${XAVIER}`, { sticky: true }, {}, NO_GROUP],
      ['GET', `/roomPrefs/group/${XAVIER}`, undefined, {}, NO_GROUP],
      ['GET', `/files/${X_BUCKET}/${ids.x.file}`, undefined, {}, NO_SUCH],
      ['GET', `/files/${X_BUCKET}/${ids.x.file}?signedUrlOnly=1`, undefined, {}, NO_SUCH],
      ['GET', `/files/${X_BUCKET}/${ids.x.file}/metadata`, undefined, {}, NO_SUCH],
      // DELETE /me/pref naming app 2's user is idempotent (200, nothing removed): test/api/prefs/me-prefs-map.test.ts.
      ['POST', `/blockStatus/room/${ROOM_X}/${XAVIER}`, undefined, {}, NO_ROOM_OR_USER],
      ['POST', `/blockStatus/room/${ROOM_A}/${XAVIER}`, undefined, {}, NO_ROOM_OR_USER],
      ['DELETE', `/blockStatus/room/${ROOM_X}/${XAVIER}`, undefined, {}, NO_ROOM],
      ['GET', `/blockStatus/room/${ROOM_X}`, undefined, {}, NO_ROOM],
      ['POST', `/blockStatus/my/${XAVIER}`, undefined, asAlice, NO_USER],
      ['DELETE', `/blockStatus/my/${ALICE}`, undefined, { 'im-client-id': XAVIER }, NO_BLOCK],
      ['POST', `/admin/clients/${XAVIER}/mute/${ROOM_X}`, undefined, {}, NO_CLIENT],
      ['POST', `/admin/clients/${ALICE}/mute/${ROOM_X}`, undefined, {}, NO_ROOM],
      ['DELETE', `/admin/clients/${ALICE}/mute/${ROOM_X}`, undefined, {}, NO_ROOM],
    ];
    for (const [method, url, body, headers, refusal] of attempts) {
      const response = await t.admin(method, url, body, headers);
      const label = `API key ${method} ${url} ${JSON.stringify(headers)}`;
      expectRefused(response, [refusal], label);
      expectNoLeak(response, `${url} ${JSON.stringify(body ?? null)} ${JSON.stringify(headers)}`, label);
    }
    // Reads on behalf of app 2's user find nothing of app 2.
    for (const [method, url, body] of [
      ['GET', '/rooms'],
      ['POST', '/search', { type: ['messages', 'roomName'], keyword: 'secret', room: ROOM_X }],
      ['GET', '/me/badge'],
      ['GET', '/rooms/ids'],
      ['GET', '/me/pref'],
      ['GET', '/blockStatus/my'],
      ['GET', '/roomPrefs'],
    ] as const) {
      const response = await t.admin(method, url, body, { 'im-client-id': XAVIER });
      expectNoLeak(
        response,
        `${url} ${JSON.stringify(body ?? null)} ${XAVIER}`,
        `API key ${method} ${url} as ${XAVIER}`,
      );
      if (response.statusCode === 200) {
        const result = response.json().result;
        if (url === '/rooms') expect(result.totalCount).toBe(0);
        if (url === '/search') expect(result).toStrictEqual({ messages: [], roomName: [] });
        if (url === '/me/badge') expect(result).toStrictEqual({ badge: 0 });
        if (url === '/rooms/ids') expect(result).toStrictEqual({ totalCount: 0, data: [] });
        if (url === '/me/pref') expect(result).toStrictEqual([]);
        if (url === '/blockStatus/my') expect(result).toStrictEqual({ data: [] });
        if (url === '/roomPrefs') expect(result).toStrictEqual({ totalCount: 0, data: [] });
      } else {
        expect(response.statusCode, `${method} ${url}`).toBe(404);
      }
    }
    // File statistics: each application's key counts its own files only ([hist] 9.5).
    const ours = expectOk(await t.admin('POST', '/files/stats', {}));
    expect(ours.data).toStrictEqual({ [B_TAG]: { size: 1, count: 1 } });
    expect(expectOk(await t.admin('POST', '/files/stats', { tags: [X_TAG] })).data).toStrictEqual({
      [X_TAG]: { size: 0, count: 0 },
    });
    const theirs = expectOk(await asX('POST', '/files/stats', { tags: [B_TAG, X_TAG] }));
    expect(theirs.data).toStrictEqual({
      [B_TAG]: { size: 0, count: 0 },
      [X_TAG]: { size: X_FILE_TEXT.length, count: 1 },
    });
    // A batch entry naming app 2's room fails and sends nothing.
    const batch = expectOk(
      await t.admin('POST', '/messages/batch', {
        message: 'batch from app 1',
        messageType: 'text',
        sender: ALICE,
        paras: [{ room: ROOM_X }],
      }),
    );
    let status: any;
    for (let i = 0; i < 100; i++) {
      status = expectOk(await t.admin('GET', `/messages/batch/${batch.batchID}`));
      if (status.status === 'done') break;
      await sleep(20);
    }
    expect(status).toMatchObject({ status: 'done', sent: 0, failures: [{ index: 0, code: 'ROOM_NOT_FOUND' }] });
  });

  it('has changed nothing in room B, the direct room or app 2 (messages, members, roles, pins, names)', async () => {
    const after = await snapshot();
    expect(after).toStrictEqual(before);
    const room = after.room as any;
    expect(room.name).toBe(B_NAME);
    expect(room.owner).toBe(BOB);
    expect(room.managers).toStrictEqual([]);
    expect(room.status).toBe(1);
    expect(room.opening).toBe(0);
    expect(room.members.map((member: any) => member._id)).toStrictEqual([BOB, CAROL]);
    expect(room.memberProperties.find((entry: any) => entry.client === CAROL).role).toBe('admin');
    expect(room.pinnedMessage._id).toBe(ids.b.pinned);
    expect((after.messages as any).totalCount).toBe(B_TEXTS.length + 2);
    expect(
      (after.messages as any).data
        .filter((message: any) => message.messageType === 'text')
        .map((message: any) => message.message)
        .sort(),
    ).toStrictEqual([...B_TEXTS].sort());
    expect((after.x as any).name).toBe(X_ROOM_NAME);
    expect((after.xMessages as any).data.map((message: any) => message.message)).toStrictEqual([X_TEXT]);
    // Nothing was created in app 1 under app 2's names either.
    expect((await t.admin('GET', `/rooms/${ROOM_X}`)).statusCode).toBe(404);
    // Bob's preferences, and his preferences for room B, are his own as before.
    expect(after.bobPrefs).toStrictEqual([
      { key: B_PREF_KEYS[1], data: { note: B_PREF_TEXT } },
      { key: B_PREF_KEYS[0], data: { folders: [B_PREF_TEXT] } },
    ]);
    expect(after.bobRoomPref).toStrictEqual({ tags: [B_ROOM_PREF_TAG], folder: B_PREF_TEXT, sticky: true });
    // His list holds room B and, through his group, room C; the group's preference is as it was.
    expect(after.bobRoomPrefs).toStrictEqual({
      totalCount: 2,
      data: [
        { room: ROOM_B, tags: [B_ROOM_PREF_TAG], folder: B_PREF_TEXT, sticky: true },
        { room: ROOM_C, folder: B_GROUP_PREF_TEXT },
      ],
    });
    expect(after.bGroupRoomPrefs).toStrictEqual({ totalCount: 1, data: [{ room: ROOM_C, folder: B_GROUP_PREF_TEXT }] });
    expect(room.botMode).toBe(false);
    expect(after.xFile).toMatchObject({ id: ids.x.file, name: X_FILE_NAME, owner: XAVIER, size: X_FILE_TEXT.length });
    expect(after.xFileContent).toBe(X_FILE_TEXT);
    // Room B's ban of eve and bob's block of her stand as they were; app 2's room has no bans.
    expect((after.bans as any).data.map((ban: any) => [ban.blockee._id, ban.blocker._id])).toStrictEqual([[EVE, BOB]]);
    expect((after.bobBlocks as any).data.map((block: any) => [block.blockee._id, block.blocker])).toStrictEqual([
      [EVE, BOB],
    ]);
    expect(after.xBans).toStrictEqual({ data: [] });
    // Dave's invitation to room B stands.
    expect((after.invitations as any).data.map((entry: any) => [entry.invitee._id, entry.inviter._id])).toStrictEqual([
      [DAVE, BOB],
    ]);
    // Nothing about them reached the event bus (and so no socket, webhook or push): no typing, prefs, members or messages.
    expect(touched).toStrictEqual([]);
  });

  it("keeps app 2's files from app 1's users through signed URLs (realtime protocol 6.5)", async () => {
    const asXavier = (url: string) => call(xavierToken, 'GET', url, undefined, {}, clientKeyX);
    const { url } = expectOk(await asXavier(`/files/${X_BUCKET}/${ids.x.file}?signedUrlOnly=1`));
    const open = (path: string) => t.app.inject({ method: 'GET', url: path, remoteAddress: '127.0.0.1' });
    // The URL itself works, for anyone, without headers: it is app 2's to hand out.
    expect((await open(url)).body).toBe(X_FILE_TEXT);
    // Alice's own file; app 2's signature does not open it, nor does naming app 1 on app 2's URL.
    const mine = expectOk(
      await call(
        alice,
        'POST',
        `/files/${X_BUCKET}`,
        new Multipart({}, { name: 'alice.txt', type: 'text/plain', content: 'alice file' }),
      ),
    );
    const signed = new URL(url, 'http://127.0.0.1');
    const withParams = (path: string, change: (params: URLSearchParams) => void) => {
      const params = new URLSearchParams(signed.search);
      change(params);
      return `${path}?${params}`;
    };
    const attempts = [
      withParams(signed.pathname.replace(ids.x.file, mine.id), () => undefined),
      withParams(signed.pathname, (params) => params.set('app', t.appId)),
      withParams(signed.pathname.replace(X_BUCKET, 'other-bucket'), () => undefined),
      withParams(signed.pathname, (params) => params.set('signature', 'A'.repeat(43))),
    ];
    for (const attempt of attempts) {
      const response = await open(attempt);
      expectRefused(response, [NO_SUCH], `signed URL ${attempt}`);
      expect(response.body).not.toContain('alice file');
      expectNoLeak(response, '', `signed URL ${attempt}`);
    }
    // Alice's signed URL for her file does not name app 2's file either.
    const own = new URL(
      expectOk(await call(alice, 'GET', `/files/${X_BUCKET}/${mine.id}?signedUrlOnly=1`)).url,
      'http://127.0.0.1',
    );
    const redirected = await open(`${own.pathname.replace(mine.id, ids.x.file)}${own.search}`);
    expectRefused(redirected, [NO_SUCH], "alice's signature on app 2's file");
    expectNoLeak(redirected, '', "alice's signature on app 2's file");
  });

  it("never shows room B in alice's room list, search or badges afterwards", async () => {
    const rooms = expectOk(await t.asUser(alice, 'GET', '/rooms?limit=0'));
    expect(rooms.data.map((room: any) => room._id)).toStrictEqual([ROOM_A]);
    const found = expectOk(
      await t.asUser(alice, 'POST', '/search', {
        type: ['messages', 'roomName', 'roomMember', 'roomTags'],
        keyword: 'b',
      }),
    );
    for (const list of Object.values(found) as any[][]) {
      for (const entry of list) expect(entry.room?._id ?? entry._id).toBe(ROOM_A);
    }
    expect(expectOk(await t.asUser(alice, 'GET', '/me/badge'))).toStrictEqual({ badge: 1 });
    expect(expectOk(await t.asUser(alice, 'POST', '/badges/byRoomTags', {}))).toStrictEqual({
      totalBadge: 1,
      data: { 'a-tag': 1 },
    });
    const me = expectOk(await t.asUser(alice, 'GET', '/me'));
    expect(me.mute ?? []).toStrictEqual([]);
    for (const response of [rooms, found]) expect(JSON.stringify(response)).not.toContain(B_TEXTS[0]);
    // Bob, a member, still sees it all: the refusals were about alice, not about the room.
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${ROOM_B}`)).pinnedMessage._id).toBe(ids.b.pinned);
  });

  // Last: it may leave alice in one more room.
  it('does not let alice squat the direct-room id of two other users (spec 1.6, 12 item 28)', async () => {
    const pairId = createHash('md5').update([BOB, DAVE].sort().join('_')).digest('hex');
    // Alice may or may not get a room under that id; whatever she gets must not become theirs.
    const squat = await t.asUser(alice, 'POST', '/rooms', { _id: pairId, name: 'trap', members: [ALICE] });
    expect([200, 400, 403, 409], squat.body).toContain(squat.statusCode);
    // The integrator opens the pair's direct room: it is theirs, or the call fails.
    const opened = await t.admin('POST', '/rooms', { roomType: 'direct', members: [BOB, DAVE] });
    if (opened.statusCode === 200) {
      const room = opened.json().result;
      expect.soft(room.roomType, `the direct room of bob and dave is alice's room: ${opened.body}`).toBe('direct');
      expect
        .soft([...room.members].sort(), `the direct room of bob and dave is alice's room: ${opened.body}`)
        .toStrictEqual([BOB, DAVE].sort());
    } else {
      expectRefused(opened, [ROOM_EXISTS], 'the direct room of bob and dave');
    }
    // A batch message from bob to dave goes to their direct room, never into alice's.
    const batch = expectOk(
      await t.admin('POST', '/messages/batch', {
        message: 'for dave only',
        messageType: 'text',
        sender: BOB,
        paras: [{ receiver: DAVE }],
      }),
    );
    for (let i = 0; i < 100; i++) {
      if (expectOk(await t.admin('GET', `/messages/batch/${batch.batchID}`)).status === 'done') break;
      await sleep(20);
    }
    const found = expectOk(await t.asUser(alice, 'POST', '/search', { type: ['messages'], keyword: 'for dave only' }));
    expect.soft(found.messages, 'alice finds the message bob sent to dave').toStrictEqual([]);
    const mine = await t.asUser(alice, 'GET', `/rooms/${pairId}/messages/v3`);
    expect(mine.body, 'alice reads the message bob sent to dave').not.toContain('for dave only');
  });
});

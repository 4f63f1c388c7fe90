import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  badRequest,
  clientNotFound,
  expectInvalidRequest,
  FRESH_MESSAGE_STATE,
  INVALID_TOKEN,
  ISO,
  messageTimes,
  NOT_ROOM_MEMBER,
  recorder,
  ROOM_FROZEN,
  ROOM_NOT_FOUND,
  shapeB,
} from '../helpers/wire.js';
import { expectBody, expectOk } from '../helpers/expect.js';
import { loadConfig } from '../../src/config/config.js';
import { createCastRoom, createRoom } from '../helpers/factories.js';

/** Room members (spec 4.6-4.11; resolutions 12.4 items 37, 41-45). */

const OBJECT_ID = /^[0-9a-f]{24}$/;

const notAMember = (id: string) =>
  shapeB(404, 'Not Found', 'CLIENT_NOT_FOUND', `Client with id '${id}' is not a member of this room`);
const insufficient = (message: string) => ({
  RC: 403,
  RM: 'Forbidden',
  error: { code: 'INSUFFICIENT_PERMISSIONS', message },
});
const CLOSED = insufficient('The room is closed to new members (opening 0)');
const CANNOT_REMOVE = insufficient('Only room owner, manager, or platform admin can remove members');
const CANNOT_CHANGE_ROLE = insufficient('Only room owner, manager, or platform admin can change member roles');
const CANNOT_CHANGE_PROPERTY = insufficient(
  "Only the member, room owner, manager, or platform admin can change a member's properties",
);
const NEED_CLIENT_ID = badRequest('IM-CLIENT-ID header is required with IM-API-KEY');
const DIRECT_PAIR = badRequest('A direct room has exactly two members');
const NONE_REMOVED = badRequest('None of the given users is a member of this room');

function summary(id: string, nickname: string, extra: Record<string, unknown> = {}) {
  return { _id: id, id, nickname, avatarUrl: '', isRobot: false, lastLoginTimeMS: 0, ...extra };
}

/** A room member as room payloads show it: a summary with presence (spec 4.2); nobody is connected in these tests. */
function memberView(id: string, nickname: string, extra: Record<string, unknown> = {}) {
  return summary(id, nickname, { isSocketConnected: false, ...extra });
}
const SYSTEM = summary('system', 'system', { isRobot: true });

const ids = (room: any): string[] => room.members.map((member: any) => member._id);
const property = (room: any, client: string) => room.memberProperties.find((entry: any) => entry.client === client);

/** Freezes or unfreezes a room with the API key (spec 7.5). */
async function setStatus(t: TestApp, roomId: string, status: 0 | 1): Promise<void> {
  const response = await t.admin('PUT', `/rooms/${roomId}`, { status });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({
    RC: 0,
    RM: status === 0 ? 'Room frozen successfully' : 'OK',
    result: { status },
  });
}

async function messageCount(t: TestApp, roomId: string): Promise<number> {
  return expectOk(await t.admin('GET', `/rooms/${roomId}/messages/v3`)).totalCount;
}

describe('POST /rooms/:id/members (spec 4.6)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const [id, nickname] of [
      ['alice', 'Alice'],
      ['bob', 'Bob'],
      ['carol', 'Carol'],
      ['dave', 'Dave'],
      ['erin', 'Erin'],
      ['outsider', 'Outsider'],
    ] as Array<[string, string]>) {
      tokens[id] = await t.createUser(id, { nickname });
    }
  });
  afterAll(() => t.close());

  it('adds invitees and answers the room in full', async () => {
    await createRoom(t, { _id: 'club', name: 'Club', members: ['alice', 'bob'] });
    const events = recorder(t, 'member.added', 'invitation.created');
    try {
      const response = await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', { invitees: ['carol', 'dave'] });
      const room = expectOk(response);
      expect(room).toMatchObject({
        _id: 'club',
        id: 'club',
        appID: t.appId,
        name: 'Club',
        roomType: 'group',
        status: 1,
        opening: 1,
        createdTime: expect.stringMatching(ISO),
        createdTimeMS: expect.any(Number),
        pinnedMessage: null,
        unread: 0,
        muted: false,
        isSuperuser: false,
      });
      expect(room.members).toStrictEqual([
        memberView('alice', 'Alice'),
        memberView('bob', 'Bob'),
        memberView('carol', 'Carol'),
        memberView('dave', 'Dave'),
      ]);
      expect(room.memberProperties).toStrictEqual(
        ['alice', 'bob', 'carol', 'dave'].map((client) => ({ client, badge: 0 })),
      );
      expect(room).not.toHaveProperty('lastMessage');
      const added = events.of('club');
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        type: 'member.added',
        payload: { userIds: ['carol', 'dave'], actor: 'alice', members: ['alice', 'bob', 'carol', 'dave'] },
      });
    } finally {
      events.stop();
    }
    expect(ids(expectOk(await t.asUser(tokens.carol!, 'GET', '/rooms/club')))).toStrictEqual([
      'alice',
      'bob',
      'carol',
      'dave',
    ]);
    expect(expectOk(await t.asUser(tokens.dave!, 'GET', '/rooms')).data.map((room: any) => room._id)).toContain('club');
  });

  it('skips invitees who are already members, silently', async () => {
    const events = recorder(t, 'member.added');
    try {
      const room = expectOk(
        await t.asUser(tokens.bob!, 'POST', '/rooms/club/members', { invitees: ['alice', 'erin', 'erin', 'bob'] }),
      );
      expect(ids(room)).toStrictEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
      expect(events.of('club').map((event) => event.payload.userIds)).toStrictEqual([['erin']]);
      const again = expectOk(
        await t.asUser(tokens.bob!, 'POST', '/rooms/club/members', {
          invitees: ['alice', 'erin'],
          systemMessage: true,
        }),
      );
      expect(ids(again)).toStrictEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
      expect(events.of('club')).toHaveLength(1);
      expect(await messageCount(t, 'club')).toBe(0);
    } finally {
      events.stop();
    }
    expectOk(await t.admin('POST', '/rooms/club/delete/members', { members: ['erin'] }));
  });

  it('refuses an unknown invitee with 404 CLIENT_NOT_FOUND and adds nobody', async () => {
    expectBody(
      await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', { invitees: ['erin', 'ghost', 'ghost-2'] }),
      404,
      clientNotFound('ghost'),
    );
    expectBody(await t.admin('POST', '/rooms/club/members', { invitees: ['ghost-3'] }), 404, clientNotFound('ghost-3'));
    expect(ids(expectOk(await t.admin('GET', '/rooms/club')))).toStrictEqual(['alice', 'bob', 'carol', 'dave']);
    expectBody(await t.asUser(tokens.erin!, 'GET', '/rooms/club'), 403, NOT_ROOM_MEMBER);
  });

  it('refuses a caller who is not a member with 403 NOT_ROOM_MEMBER', async () => {
    expectBody(
      await t.asUser(tokens.outsider!, 'POST', '/rooms/club/members', { invitees: ['outsider'] }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(tokens.outsider!, 'POST', '/rooms/club/members', { invitees: ['erin'] }),
      403,
      NOT_ROOM_MEMBER,
    );
    expect(ids(expectOk(await t.admin('GET', '/rooms/club')))).toStrictEqual(['alice', 'bob', 'carol', 'dave']);
  });

  it('answers 404 ROOM_NOT_FOUND for an unknown room and 401 for a bad token', async () => {
    expectBody(
      await t.asUser(tokens.alice!, 'POST', '/rooms/nope/members', { invitees: ['bob'] }),
      404,
      ROOM_NOT_FOUND,
    );
    expectBody(await t.admin('POST', '/rooms/nope/members', { invitees: ['bob'] }), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser('bogus', 'POST', '/rooms/club/members', { invitees: ['erin'] }), 401, INVALID_TOKEN);
  });

  it('refuses a body without invitees, or with invitees that are not a list of ids, with 400', async () => {
    expectInvalidRequest(await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', {}), /invitees/);
    expectInvalidRequest(await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', { invitees: 'erin' }));
    expectInvalidRequest(await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', { invitees: [42] }));
    expectInvalidRequest(await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', { invitees: [''] }));
    expectInvalidRequest(
      await t.asUser(tokens.alice!, 'POST', '/rooms/club/members', { invitees: ['erin'], systemMessage: 'yes' }),
    );
  });

  it('lets the API key add to any room', async () => {
    await createRoom(t, { _id: 'empty' });
    const room = expectOk(await t.admin('POST', '/rooms/empty/members', { invitees: ['erin'] }));
    expect(ids(room)).toStrictEqual(['erin']);
    expect(room).toMatchObject({ unread: 0, isSuperuser: true });
  });

  it('refuses to add a third user to a direct room with 400, but skips its own members', async () => {
    const direct = await createRoom(t, { roomType: 'direct', members: ['alice', 'bob'] });
    expectBody(
      await t.asUser(tokens.alice!, 'POST', `/rooms/${direct._id}/members`, { invitees: ['carol'] }),
      400,
      DIRECT_PAIR,
    );
    expectBody(await t.admin('POST', `/rooms/${direct._id}/members`, { invitees: ['carol'] }), 400, DIRECT_PAIR);
    expectBody(
      await t.asUser(tokens.alice!, 'POST', `/rooms/${direct._id}/members`, {
        invitees: ['carol'],
        invitationRequired: true,
      }),
      400,
      DIRECT_PAIR,
    );
    expect(
      ids(expectOk(await t.asUser(tokens.alice!, 'POST', `/rooms/${direct._id}/members`, { invitees: ['bob'] }))),
    ).toStrictEqual(['alice', 'bob']);
  });

  it('in a room with opening 0, refuses non-superusers with 403 and lets superusers and the API key add (12 item 37)', async () => {
    await createRoom(t, {
      _id: 'closed',
      owner: 'alice',
      managers: ['bob'],
      members: ['alice', 'bob', 'carol'],
      opening: 0,
    });
    expectBody(await t.asUser(tokens.carol!, 'POST', '/rooms/closed/members', { invitees: ['dave'] }), 403, CLOSED);
    expectBody(
      await t.asUser(tokens.carol!, 'POST', '/rooms/closed/members', { invitees: ['dave'], invitationRequired: true }),
      403,
      CLOSED,
    );
    expect(
      ids(expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/closed/members', { invitees: ['dave'] }))),
    ).toContain('dave');
    expect(
      ids(expectOk(await t.asUser(tokens.bob!, 'POST', '/rooms/closed/members', { invitees: ['erin'] }))),
    ).toContain('erin');
    expectOk(await t.admin('PUT', '/rooms/closed/member/carol', { property: 'role', value: 'admin' }));
    expectOk(await t.asUser(tokens.carol!, 'POST', '/rooms/closed/members', { invitees: ['outsider'] }));
    expectOk(await t.admin('POST', '/rooms/closed/delete/members', { members: ['outsider'] }));
    expect(ids(expectOk(await t.admin('POST', '/rooms/closed/members', { invitees: ['outsider'] })))).toContain(
      'outsider',
    );
  });

  it('lets the owner and a manager add members although they are not members themselves (spec 4.6)', async () => {
    await createRoom(t, { _id: 'managed', owner: 'alice', managers: ['bob'], members: ['carol'] });
    expect(
      ids(expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/managed/members', { invitees: ['dave'] }))),
    ).toStrictEqual(['carol', 'dave']);
    expect(
      ids(expectOk(await t.asUser(tokens.bob!, 'POST', '/rooms/managed/members', { invitees: ['erin'] }))),
    ).toStrictEqual(['carol', 'dave', 'erin']);
  });

  it('in a frozen room, refuses members with 403 ROOM_FROZEN and lets the API key add', async () => {
    await createRoom(t, { _id: 'icy', owner: 'alice', members: ['alice', 'bob'] });
    await setStatus(t, 'icy', 0);
    expectBody(await t.asUser(tokens.bob!, 'POST', '/rooms/icy/members', { invitees: ['carol'] }), 403, ROOM_FROZEN);
    expectBody(await t.asUser(tokens.alice!, 'POST', '/rooms/icy/members', { invitees: ['carol'] }), 403, ROOM_FROZEN);
    expect(ids(expectOk(await t.admin('GET', '/rooms/icy')))).toStrictEqual(['alice', 'bob']);
    expect(ids(expectOk(await t.admin('POST', '/rooms/icy/members', { invitees: ['carol'] })))).toStrictEqual([
      'alice',
      'bob',
      'carol',
    ]);
  });

  it('starts new members with no unread messages', async () => {
    await createRoom(t, { _id: 'busy', members: ['alice', 'bob'] });
    for (let i = 0; i < 3; i++)
      expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/busy/message', { message: `m${i}`, messageType: 'text' }));
    const before = expectOk(await t.asUser(tokens.bob!, 'GET', '/rooms/busy'));
    expect(before.unread).toBe(3);
    const erinBadge = expectOk(await t.asUser(tokens.erin!, 'GET', '/me/badge')).badge;
    const room = expectOk(await t.asUser(tokens.bob!, 'POST', '/rooms/busy/members', { invitees: ['erin'] }));
    expect(property(room, 'erin')).toStrictEqual({ client: 'erin', badge: 0 });
    expect(property(room, 'bob').badge).toBe(3);
    expect(expectOk(await t.asUser(tokens.erin!, 'GET', '/rooms/busy')).unread).toBe(0);
    expect(expectOk(await t.asUser(tokens.erin!, 'GET', '/me/badge')).badge).toBe(erinBadge);
    expect(
      expectOk(await t.asUser(tokens.erin!, 'GET', '/rooms')).data.find((entry: any) => entry._id === 'busy').unread,
    ).toBe(0);
    // The history stays readable to them.
    expect(expectOk(await t.asUser(tokens.erin!, 'GET', '/rooms/busy/messages/v3')).totalCount).toBe(3);
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/busy/message', { message: 'welcome', messageType: 'text' }));
    expect(expectOk(await t.asUser(tokens.erin!, 'GET', '/rooms/busy')).unread).toBe(1);
  });

  it('with systemMessage, sends one addMembers message from the caller (12 item 42)', async () => {
    await createRoom(t, { _id: 'announce', members: ['alice', 'bob'] });
    const events = recorder(t, 'message.created');
    try {
      const room = expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/announce/members', {
          invitees: ['bob', 'carol', 'dave'],
          systemMessage: true,
        }),
      );
      const added = [summary('carol', 'Carol'), summary('dave', 'Dave')];
      expect(room.lastMessage).toStrictEqual({
        _id: expect.stringMatching(OBJECT_ID),
        id: room.lastMessage._id,
        room: 'announce',
        message: 'Carol, Dave',
        messageType: 'addMembers',
        member: added[0],
        extra: { invitees: added },
        sender: summary('alice', 'Alice'),
        appID: t.appId,
        ...messageTimes(),
        ...FRESH_MESSAGE_STATE,
      });
      expect(events.of('announce').map((event) => event.payload.message._id)).toContain(room.lastMessage._id);
    } finally {
      events.stop();
    }
    expect(await messageCount(t, 'announce')).toBe(1);
  });

  it('with systemMessage and the API key, the system robot sends it', async () => {
    const room = expectOk(
      await t.admin('POST', '/rooms/announce/members', { invitees: ['erin'], systemMessage: true }),
    );
    expect(room.lastMessage).toMatchObject({
      messageType: 'addMembers',
      message: 'Erin',
      member: summary('erin', 'Erin'),
      sender: SYSTEM,
    });
    expect(room.lastMessage.extra).toStrictEqual({ invitees: [summary('erin', 'Erin')] });
  });

  describe('invitationRequired (12 item 41) and POST /rooms/:id/join', () => {
    it('records a pending invitation: the invitee is no member until they join', async () => {
      await createRoom(t, { _id: 'party', members: ['alice', 'bob'] });
      const events = recorder(t, 'member.added', 'invitation.created');
      try {
        const room = expectOk(
          await t.asUser(tokens.alice!, 'POST', '/rooms/party/members', {
            invitees: ['carol'],
            invitationRequired: true,
            systemMessage: true,
          }),
        );
        expect(ids(room)).toStrictEqual(['alice', 'bob']);
        expect(room.memberProperties.map((entry: any) => entry.client)).toStrictEqual(['alice', 'bob']);
        expect(events.of('party')).toHaveLength(1);
        expect(events.of('party')[0]).toMatchObject({
          type: 'invitation.created',
          payload: { userIds: ['carol'], actor: 'alice' },
        });

        expectBody(await t.asUser(tokens.carol!, 'GET', '/rooms/party'), 403, NOT_ROOM_MEMBER);
        expectBody(await t.asUser(tokens.carol!, 'GET', '/rooms/party/messages/v3'), 403, NOT_ROOM_MEMBER);
        expectBody(
          await t.asUser(tokens.carol!, 'POST', '/rooms/party/message', { message: 'early', messageType: 'text' }),
          403,
          NOT_ROOM_MEMBER,
        );
        expect(
          expectOk(await t.asUser(tokens.carol!, 'GET', '/rooms')).data.map((entry: any) => entry._id),
        ).not.toContain('party');

        const joined = expectOk(await t.asUser(tokens.carol!, 'POST', '/rooms/party/join'));
        expect(ids(joined)).toStrictEqual(['alice', 'bob', 'carol']);
        expect(joined).toMatchObject({ _id: 'party', unread: 0, isSuperuser: false });
        const after = events.of('party');
        expect(after).toHaveLength(2);
        expect(after[1]).toMatchObject({ type: 'member.added', payload: { userIds: ['carol'], actor: 'carol' } });
      } finally {
        events.stop();
      }
      expect(expectOk(await t.asUser(tokens.carol!, 'GET', '/rooms/party'))._id).toBe('party');
      expect(expectOk(await t.asUser(tokens.carol!, 'GET', '/rooms')).data.map((entry: any) => entry._id)).toContain(
        'party',
      );
    });

    it('inviting a member again skips them; adding an invitee directly makes them a member', async () => {
      const again = expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/party/members', {
          invitees: ['carol'],
          invitationRequired: true,
        }),
      );
      expect(ids(again)).toStrictEqual(['alice', 'bob', 'carol']);
      expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/party/members', { invitees: ['dave'], invitationRequired: true }),
      );
      expect(
        ids(expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/party/members', { invitees: ['dave'] }))),
      ).toStrictEqual(['alice', 'bob', 'carol', 'dave']);
      // Joining again changes nothing.
      expect(ids(expectOk(await t.asUser(tokens.dave!, 'POST', '/rooms/party/join')))).toStrictEqual([
        'alice',
        'bob',
        'carol',
        'dave',
      ]);
    });

    it('lets anyone join an open group room, but not a closed one unless invited', async () => {
      await createRoom(t, { _id: 'open-door', members: ['alice'] });
      expect(ids(expectOk(await t.asUser(tokens.erin!, 'POST', '/rooms/open-door/join')))).toStrictEqual([
        'alice',
        'erin',
      ]);

      await createRoom(t, { _id: 'closed-door', owner: 'alice', members: ['alice'], opening: 0 });
      expectBody(await t.asUser(tokens.erin!, 'POST', '/rooms/closed-door/join'), 403, CLOSED);
      expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/closed-door/members', {
          invitees: ['erin'],
          invitationRequired: true,
        }),
      );
      expect(ids(expectOk(await t.asUser(tokens.erin!, 'POST', '/rooms/closed-door/join')))).toStrictEqual([
        'alice',
        'erin',
      ]);
    });

    it('refuses to join a direct room uninvited, a frozen room, and an unknown room', async () => {
      const direct = await createRoom(t, { roomType: 'direct', members: ['alice', 'dave'] });
      expectBody(await t.asUser(tokens.erin!, 'POST', `/rooms/${direct._id}/join`), 403, CLOSED);
      await createRoom(t, { _id: 'frozen-door', members: ['alice'] });
      await setStatus(t, 'frozen-door', 0);
      expectBody(await t.asUser(tokens.erin!, 'POST', '/rooms/frozen-door/join'), 403, ROOM_FROZEN);
      expectBody(await t.asUser(tokens.erin!, 'POST', '/rooms/no-door/join'), 404, ROOM_NOT_FOUND);
    });

    it('with the API key, joins the user named by IM-CLIENT-ID and needs the header', async () => {
      await createRoom(t, { _id: 'key-join', members: ['alice'] });
      expectBody(await t.admin('POST', '/rooms/key-join/join'), 400, NEED_CLIENT_ID);
      expect(
        ids(expectOk(await t.admin('POST', '/rooms/key-join/join', undefined, { 'im-client-id': 'bob' }))),
      ).toStrictEqual(['alice', 'bob']);
    });
  });
});

describe('POST /rooms/:id/delete/members (spec 4.7, 12 items 42-43)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const [id, nickname] of [
      ['owner', 'Owner'],
      ['manager', 'Manager'],
      ['boss', 'Boss'],
      ['ann', 'Ann'],
      ['ben', 'Ben'],
      ['cat', 'Cat'],
      ['outsider', 'Outsider'],
    ] as Array<[string, string]>) {
      tokens[id] = await t.createUser(id, { nickname });
    }
  });
  afterAll(() => t.close());

  const owned = async (id: string) => {
    await createCastRoom(t, id, { members: ['owner', 'manager', 'boss', 'ann', 'ben', 'cat'] }, 'boss');
  };
  const ownerless = async (id: string) => await createRoom(t, { _id: id, members: ['ann', 'ben', 'cat'] });

  it('lets any member remove others from a room without an owner; answers the room in full', async () => {
    await ownerless('commons');
    const events = recorder(t, 'member.removed');
    try {
      const room = expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/commons/delete/members', { members: ['ben'] }));
      expect(room).toMatchObject({ _id: 'commons', status: 1, pinnedMessage: null, unread: 0, isSuperuser: false });
      expect(room.members).toStrictEqual([memberView('ann', 'Ann'), memberView('cat', 'Cat')]);
      expect(room.memberProperties.map((entry: any) => entry.client)).toStrictEqual(['ann', 'cat']);
      expect(events.of('commons')).toHaveLength(1);
      expect(events.of('commons')[0]!.payload).toMatchObject({
        userIds: ['ben'],
        actor: 'ann',
        members: ['ann', 'ben', 'cat'],
      });
    } finally {
      events.stop();
    }
    expect(await messageCount(t, 'commons')).toBe(0);
  });

  it('sends a deleteMember message when removing others with systemMessage', async () => {
    await ownerless('commons-2');
    const room = expectOk(
      await t.asUser(tokens.ann!, 'POST', '/rooms/commons-2/delete/members', {
        members: ['ben', 'cat', 'outsider'],
        systemMessage: true,
      }),
    );
    expect(ids(room)).toStrictEqual(['ann']);
    const removed = [summary('ben', 'Ben'), summary('cat', 'Cat')];
    expect(room.lastMessage).toStrictEqual({
      _id: expect.stringMatching(OBJECT_ID),
      id: room.lastMessage._id,
      room: 'commons-2',
      message: 'Ben, Cat',
      messageType: 'deleteMember',
      member: removed[0],
      extra: { members: removed },
      sender: summary('ann', 'Ann'),
      appID: t.appId,
      ...messageTimes(),
      ...FRESH_MESSAGE_STATE,
    });
    expect(await messageCount(t, 'commons-2')).toBe(1);
  });

  it('lets any member leave, even a room with an owner, with a leaveRoom message', async () => {
    await owned('leaving');
    const room = expectOk(
      await t.asUser(tokens.ann!, 'POST', '/rooms/leaving/delete/members', { members: ['ann'], systemMessage: true }),
    );
    expect(ids(room)).toStrictEqual(['owner', 'manager', 'boss', 'ben', 'cat']);
    expect(room.lastMessage).toMatchObject({
      messageType: 'leaveRoom',
      message: 'Ann',
      member: summary('ann', 'Ann'),
      extra: { members: [summary('ann', 'Ann')] },
      sender: summary('ann', 'Ann'),
    });
    // The owner may leave too.
    expect(
      ids(expectOk(await t.asUser(tokens.owner!, 'POST', '/rooms/leaving/delete/members', { members: ['owner'] }))),
    ).toStrictEqual(['manager', 'boss', 'ben', 'cat']);
  });

  it('in a room with an owner, refuses a plain member removing others with 403 INSUFFICIENT_PERMISSIONS', async () => {
    await owned('guarded');
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/guarded/delete/members', { members: ['ben'] }),
      403,
      CANNOT_REMOVE,
    );
    // Leaving together with someone else is removing others.
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/guarded/delete/members', { members: ['ann', 'ben'] }),
      403,
      CANNOT_REMOVE,
    );
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/guarded/delete/members', { members: ['owner'] }),
      403,
      CANNOT_REMOVE,
    );
    expect(ids(expectOk(await t.admin('GET', '/rooms/guarded')))).toStrictEqual([
      'owner',
      'manager',
      'boss',
      'ann',
      'ben',
      'cat',
    ]);
  });

  it('in a room with an owner, lets the owner, a manager, a role admin and the API key remove others', async () => {
    await owned('ruled');
    expect(
      ids(expectOk(await t.asUser(tokens.owner!, 'POST', '/rooms/ruled/delete/members', { members: ['ann'] }))),
    ).not.toContain('ann');
    expect(
      ids(expectOk(await t.asUser(tokens.manager!, 'POST', '/rooms/ruled/delete/members', { members: ['ben'] }))),
    ).not.toContain('ben');
    expect(
      ids(expectOk(await t.asUser(tokens.boss!, 'POST', '/rooms/ruled/delete/members', { members: ['cat'] }))),
    ).not.toContain('cat');
    const room = expectOk(
      await t.admin('POST', '/rooms/ruled/delete/members', { members: ['boss'], systemMessage: true }),
    );
    expect(ids(room)).toStrictEqual(['owner', 'manager']);
    expect(room.lastMessage).toMatchObject({
      messageType: 'deleteMember',
      message: 'Boss',
      member: summary('boss', 'Boss'),
      sender: SYSTEM,
    });
    expect(room).toMatchObject({ isSuperuser: true, unread: 0 });
  });

  it('lets a member leave a frozen room, but not remove others (12 items 36, 43)', async () => {
    await ownerless('frozen-exit');
    await setStatus(t, 'frozen-exit', 0);
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/frozen-exit/delete/members', { members: ['ben'] }),
      403,
      ROOM_FROZEN,
    );
    expect(
      ids(expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/frozen-exit/delete/members', { members: ['ann'] }))),
    ).toStrictEqual(['ben', 'cat']);
    expect(
      ids(expectOk(await t.admin('POST', '/rooms/frozen-exit/delete/members', { members: ['ben'] }))),
    ).toStrictEqual(['cat']);
  });

  it('refuses a caller who is not a member with 403 NOT_ROOM_MEMBER', async () => {
    await ownerless('private');
    expectBody(
      await t.asUser(tokens.outsider!, 'POST', '/rooms/private/delete/members', { members: ['ann'] }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(tokens.outsider!, 'POST', '/rooms/private/delete/members', { members: ['outsider'] }),
      403,
      NOT_ROOM_MEMBER,
    );
    expect(ids(expectOk(await t.admin('GET', '/rooms/private')))).toStrictEqual(['ann', 'ben', 'cat']);
  });

  it('refuses with 400 INVALID_REQUEST when none of the ids is a member, ignoring non-members otherwise', async () => {
    await ownerless('sparse');
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', { members: ['outsider', 'nobody-at-all'] }),
      400,
      NONE_REMOVED,
    );
    expectBody(await t.admin('POST', '/rooms/sparse/delete/members', { members: ['outsider'] }), 400, NONE_REMOVED);
    expectBody(await t.admin('POST', '/rooms/sparse/delete/members', { members: [] }), 400, NONE_REMOVED);
    expect(
      ids(
        expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', { members: ['outsider', 'cat'] })),
      ),
    ).toStrictEqual(['ann', 'ben']);
  });

  it('refuses malformed bodies with 400, an unknown room with 404 and a bad token with 401', async () => {
    expectInvalidRequest(await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', {}), /members/);
    expectInvalidRequest(await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', { members: 'ben' }));
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/nope/delete/members', { members: ['ann'] }),
      404,
      ROOM_NOT_FOUND,
    );
    expectBody(await t.admin('POST', '/rooms/nope/delete/members', { members: ['ann'] }), 404, ROOM_NOT_FOUND);
    expectBody(
      await t.asUser('bogus', 'POST', '/rooms/sparse/delete/members', { members: ['ann'] }),
      401,
      INVALID_TOKEN,
    );
  });

  it('takes every access away from removed users, and their member properties', async () => {
    await ownerless('exit');
    const sent = expectOk(
      await t.asUser(tokens.ben!, 'POST', '/rooms/exit/message', { message: 'hello', messageType: 'text' }),
    );
    expectOk(await t.asUser(tokens.cat!, 'PUT', '/rooms/exit/member/cat', { property: 'score', value: 7 }));
    const exitRoom = expectOk(await t.asUser(tokens.cat!, 'GET', '/rooms/exit'));
    expect(exitRoom.unread).toBe(1);
    const badgeBefore = expectOk(await t.asUser(tokens.cat!, 'GET', '/me/badge')).badge;
    expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/exit/delete/members', { members: ['cat'] }));

    expectBody(await t.asUser(tokens.cat!, 'GET', '/rooms/exit'), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(tokens.cat!, 'GET', '/rooms/exit/messages/v3'), 403, NOT_ROOM_MEMBER);
    expectBody(
      await t.asUser(tokens.cat!, 'POST', '/rooms/exit/message', { message: 'still here?', messageType: 'text' }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(await t.asUser(tokens.cat!, 'POST', '/rooms/exit/members', { invitees: ['cat'] }), 403, NOT_ROOM_MEMBER);
    expectBody(
      await t.asUser(tokens.cat!, 'PUT', '/rooms/exit/member/cat', { property: 'score', value: 8 }),
      403,
      NOT_ROOM_MEMBER,
    );
    expect(expectOk(await t.asUser(tokens.cat!, 'GET', '/rooms')).data.map((room: any) => room._id)).not.toContain(
      'exit',
    );
    expect(expectOk(await t.asUser(tokens.cat!, 'GET', '/me/badge')).badge).toBe(badgeBefore - 1);
    expect((await t.asUser(tokens.cat!, 'PUT', '/rooms/exit/lastRead', { message: sent._id })).statusCode).toBe(403);

    // Back in the room: a fresh member entry, without the old custom property.
    const back = expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/exit/members', { invitees: ['cat'] }));
    expect(property(back, 'cat')).toStrictEqual({ client: 'cat', badge: 0 });
  });
});

describe('PUT /rooms/:id/member/:client (spec 4.8-4.9, 12 item 44)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const [id, nickname] of [
      ['owner', 'Owner'],
      ['manager', 'Manager'],
      ['ann', 'Ann'],
      ['ben', 'Ben'],
      ['cat', 'Cat'],
      ['outsider', 'Outsider'],
    ] as Array<[string, string]>) {
      tokens[id] = await t.createUser(id, { nickname });
    }
    await createCastRoom(t, 'room', { members: ['owner', 'manager', 'ann', 'ben', 'cat'] });
  });
  afterAll(() => t.close());

  it('lets a member set their own custom property, any JSON value, and answers the room in full', async () => {
    const events = recorder(t, 'member.updated');
    try {
      const room = expectOk(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'location', value: 'Taipei' }),
      );
      expect(room).toMatchObject({ _id: 'room', owner: 'owner', isSuperuser: false, unread: 0, pinnedMessage: null });
      expect(ids(room)).toStrictEqual(['owner', 'manager', 'ann', 'ben', 'cat']);
      expect(property(room, 'ann')).toStrictEqual({ client: 'ann', badge: 0, location: 'Taipei' });
      expect(events.of('room')).toHaveLength(1);
      expect(events.of('room')[0]!.payload).toStrictEqual({
        appId: t.appId,
        roomId: 'room',
        userId: 'ann',
        property: 'location',
        value: 'Taipei',
        actor: 'ann',
      });
    } finally {
      events.stop();
    }
    expectOk(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'score', value: 42 }));
    expectOk(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', {
        property: 'prefs',
        value: { level: 3, tags: ['x'] },
      }),
    );
    const room = expectOk(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'location', value: 'Tainan' }),
    );
    expect(property(room, 'ann')).toStrictEqual({
      client: 'ann',
      badge: 0,
      location: 'Tainan',
      score: 42,
      prefs: { level: 3, tags: ['x'] },
    });
    // Every member sees it, as does the API key.
    expect(property(expectOk(await t.asUser(tokens.ben!, 'GET', '/rooms/room')), 'ann')).toMatchObject({
      location: 'Tainan',
      score: 42,
    });
    expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann')).toMatchObject({ location: 'Tainan' });
  });

  it('accepts names such as nickname that are not reserved', async () => {
    const room = expectOk(
      await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/ben', { property: 'nickname', value: 'Benny' }),
    );
    expect(property(room, 'ben')).toStrictEqual({ client: 'ben', badge: 0, nickname: 'Benny' });
    // The user summary is not touched.
    expect(room.members.find((member: any) => member._id === 'ben').nickname).toBe('Ben');
  });

  it("refuses a plain member changing someone else's property with 403", async () => {
    expectBody(
      await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/ann', { property: 'location', value: 'Moon' }),
      403,
      CANNOT_CHANGE_PROPERTY,
    );
    expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann').location).toBe('Tainan');
  });

  it("lets superusers and the API key change anyone's property", async () => {
    expect(
      property(
        expectOk(await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 1 })),
        'ann',
      ).level,
    ).toBe(1);
    expect(
      property(
        expectOk(await t.asUser(tokens.manager!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 2 })),
        'ann',
      ).level,
    ).toBe(2);
    expect(
      property(expectOk(await t.admin('PUT', '/rooms/room/member/ann', { property: 'level', value: 3 })), 'ann').level,
    ).toBe(3);
  });

  it('refuses the server-maintained names client, badge and lastRead with 400', async () => {
    for (const name of ['client', 'badge', 'lastRead']) {
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: name, value: 'x' }),
        400,
        badRequest(`"${name}" is maintained by the server`),
      );
      expectBody(
        await t.admin('PUT', '/rooms/room/member/ann', { property: name, value: 0 }),
        400,
        badRequest(`"${name}" is maintained by the server`),
      );
    }
    expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann')).toMatchObject({ client: 'ann', badge: 0 });
  });

  it('refuses a missing property or value with 400 INVALID_REQUEST', async () => {
    expectInvalidRequest(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'location' }),
      /value/,
    );
    expectInvalidRequest(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { value: 'x' }), /property/);
    expectInvalidRequest(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: '', value: 'x' }));
    expectInvalidRequest(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 5, value: 'x' }));
    expectInvalidRequest(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'bad name!', value: 'x' }),
    );
  });

  it('answers 404 CLIENT_NOT_FOUND for a target who is not a member, and 404 ROOM_NOT_FOUND for an unknown room', async () => {
    expectBody(
      await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/outsider', { property: 'level', value: 1 }),
      404,
      notAMember('outsider'),
    );
    expectBody(
      await t.admin('PUT', '/rooms/room/member/ghost', { property: 'role', value: 'admin' }),
      404,
      notAMember('ghost'),
    );
    expectBody(
      await t.asUser(tokens.owner!, 'PUT', '/rooms/nope/member/ann', { property: 'level', value: 1 }),
      404,
      ROOM_NOT_FOUND,
    );
    expectBody(await t.admin('PUT', '/rooms/nope/member/ann', { property: 'level', value: 1 }), 404, ROOM_NOT_FOUND);
  });

  it('refuses a caller who is not a member with 403 NOT_ROOM_MEMBER, and a bad token with 401', async () => {
    expectBody(
      await t.asUser(tokens.outsider!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 9 }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(tokens.outsider!, 'PUT', '/rooms/room/member/outsider', { property: 'level', value: 9 }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser('bogus', 'PUT', '/rooms/room/member/ann', { property: 'level', value: 9 }),
      401,
      INVALID_TOKEN,
    );
  });

  describe('role (spec 4.9)', () => {
    it('accepts only "admin" or "member"', async () => {
      for (const value of ['owner', 'Admin', '', 1, null, ['admin']]) {
        expectBody(
          await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ann', { property: 'role', value }),
          400,
          badRequest('role must be "admin" or "member"'),
        );
      }
    });

    it('refuses role changes by plain members, themselves included, with 403', async () => {
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'role', value: 'admin' }),
        403,
        CANNOT_CHANGE_ROLE,
      );
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'member' }),
        403,
        CANNOT_CHANGE_ROLE,
      );
      expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann')).not.toHaveProperty('role');
    });

    it('promotion to admin by the owner creates an assignAdmin system message and makes a superuser', async () => {
      const before = await messageCount(t, 'room');
      const events = recorder(t, 'message.created');
      let room: any;
      try {
        room = expectOk(
          await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'admin' }),
        );
        expect(events.of('room').map((event) => event.payload.message._id)).toContain(room.lastMessage._id);
      } finally {
        events.stop();
      }
      expect(property(room, 'ben')).toMatchObject({ client: 'ben', role: 'admin' });
      expect(room.lastMessage).toStrictEqual({
        _id: expect.stringMatching(OBJECT_ID),
        id: room.lastMessage._id,
        room: 'room',
        message: 'Ben',
        messageType: 'assignAdmin',
        member: summary('ben', 'Ben'),
        sender: summary('owner', 'Owner'),
        appID: t.appId,
        ...messageTimes(),
        ...FRESH_MESSAGE_STATE,
      });
      expect(await messageCount(t, 'room')).toBe(before + 1);
      expect(expectOk(await t.asUser(tokens.ben!, 'GET', '/rooms/room')).isSuperuser).toBe(true);

      // A role admin is a superuser: may change roles and others' properties.
      expectOk(await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/cat', { property: 'role', value: 'member' }));
      expectOk(await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/cat', { property: 'level', value: 5 }));
      expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'cat')).toMatchObject({
        role: 'member',
        level: 5,
      });
    });

    it('setting the same role again creates no second message', async () => {
      const before = await messageCount(t, 'room');
      expect(
        property(
          expectOk(
            await t.asUser(tokens.manager!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'admin' }),
          ),
          'ben',
        ).role,
      ).toBe('admin');
      expect(await messageCount(t, 'room')).toBe(before);
    });

    it('demotion creates no message and ends superuser rights', async () => {
      const before = await messageCount(t, 'room');
      const room = expectOk(
        await t.asUser(tokens.manager!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'member' }),
      );
      expect(property(room, 'ben')).toMatchObject({ role: 'member' });
      expect(await messageCount(t, 'room')).toBe(before);
      expect(expectOk(await t.asUser(tokens.ben!, 'GET', '/rooms/room')).isSuperuser).toBe(false);
      expectBody(
        await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/cat', { property: 'role', value: 'admin' }),
        403,
        CANNOT_CHANGE_ROLE,
      );
    });

    it('promotion with the API key is announced by the system robot', async () => {
      const room = expectOk(await t.admin('PUT', '/rooms/room/member/cat', { property: 'role', value: 'admin' }));
      expect(room.lastMessage).toMatchObject({
        messageType: 'assignAdmin',
        message: 'Cat',
        member: summary('cat', 'Cat'),
        sender: SYSTEM,
      });
      expect(room.lastMessage).not.toHaveProperty('extra');
      expect(property(room, 'cat')).toMatchObject({ role: 'admin', level: 5 });
    });

    it('refuses role and property changes in a frozen room with 403 ROOM_FROZEN, except by the API key', async () => {
      await setStatus(t, 'room', 0);
      expectBody(
        await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ann', { property: 'role', value: 'admin' }),
        403,
        ROOM_FROZEN,
      );
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 0 }),
        403,
        ROOM_FROZEN,
      );
      expect(
        property(expectOk(await t.admin('PUT', '/rooms/room/member/ann', { property: 'level', value: 0 })), 'ann')
          .level,
      ).toBe(0);
      await setStatus(t, 'room', 1);
    });
  });
});

describe('POST and DELETE /me/mute/:room (spec 4.10-4.11, 12 item 45)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice', email: 'alice@example.com' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
    await createRoom(t, { _id: 'loud', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 'calm', members: ['alice', 'bob'] });
  });
  afterAll(() => t.close());

  const userMatcher = (t: TestApp, mute: string[]) => ({
    _id: 'alice',
    id: 'alice',
    appID: t.appId,
    __v: 0,
    nickname: 'Alice',
    avatarUrl: '',
    email: 'alice@example.com',
    lastLoginTimeMS: 0,
    isRobot: false,
    mute,
    notificationEnabled: true,
    createdAt: expect.stringMatching(ISO),
    updatedAt: expect.stringMatching(ISO),
  });
  const mutedFlags = async (token: string) =>
    Object.fromEntries(
      expectOk(await t.asUser(token, 'GET', '/rooms')).data.map((room: any) => [room._id, room.muted]),
    );

  it("mutes: answers the caller's user object with mute, idempotently", async () => {
    const events = recorder(t, 'room.muted');
    try {
      expect(expectOk(await t.asUser(alice, 'POST', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['loud']));
      expect(expectOk(await t.asUser(alice, 'POST', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['loud']));
      expect(events.of('loud').map((event) => event.payload)).toStrictEqual([
        { appId: t.appId, roomId: 'loud', userId: 'alice', muted: true },
      ]);
    } finally {
      events.stop();
    }
    expect(expectOk(await t.asUser(alice, 'GET', '/me')).mute).toStrictEqual(['loud']);
  });

  it('shows muted in GET /rooms and GET /rooms/:id for the caller only', async () => {
    expect(await mutedFlags(alice)).toStrictEqual({ loud: true, calm: false });
    expect(await mutedFlags(bob)).toStrictEqual({ loud: false, calm: false });
    expect(expectOk(await t.asUser(alice, 'GET', '/rooms/loud')).muted).toBe(true);
    expect(expectOk(await t.asUser(bob, 'GET', '/rooms/loud')).muted).toBe(false);
  });

  it('keeps several muted rooms', async () => {
    expect(expectOk(await t.asUser(alice, 'POST', '/me/mute/calm')).mute).toStrictEqual(['loud', 'calm']);
    expect(await mutedFlags(alice)).toStrictEqual({ loud: true, calm: true });
  });

  it('unmutes, idempotently', async () => {
    const events = recorder(t, 'room.muted');
    try {
      expect(expectOk(await t.asUser(alice, 'DELETE', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['calm']));
      expect(expectOk(await t.asUser(alice, 'DELETE', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['calm']));
      expect(events.of('loud').map((event) => event.payload.muted)).toStrictEqual([false]);
    } finally {
      events.stop();
    }
    expect(await mutedFlags(alice)).toStrictEqual({ loud: false, calm: true });
    expect(expectOk(await t.asUser(alice, 'DELETE', '/me/mute/calm')).mute).toStrictEqual([]);
    expect(await mutedFlags(alice)).toStrictEqual({ loud: false, calm: false });
  });

  it('answers 404 ROOM_NOT_FOUND for an unknown room, changing nothing', async () => {
    expectBody(await t.asUser(alice, 'POST', '/me/mute/nope'), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser(alice, 'DELETE', '/me/mute/nope'), 404, ROOM_NOT_FOUND);
    expect(expectOk(await t.asUser(alice, 'GET', '/me')).mute).toStrictEqual([]);
  });

  it('with the API key, acts for the user named by IM-CLIENT-ID and needs the header', async () => {
    expectBody(await t.admin('POST', '/me/mute/loud'), 400, NEED_CLIENT_ID);
    expectBody(await t.admin('DELETE', '/me/mute/loud'), 400, NEED_CLIENT_ID);
    const muted = expectOk(await t.admin('POST', '/me/mute/loud', undefined, { 'im-client-id': 'bob' }));
    expect(muted).toMatchObject({ _id: 'bob', mute: ['loud'] });
    expect(await mutedFlags(bob)).toStrictEqual({ loud: true, calm: false });
    expect(expectOk(await t.admin('DELETE', '/me/mute/loud', undefined, { 'im-client-id': 'bob' })).mute).toStrictEqual(
      [],
    );
    // An unknown user is no member of the room.
    expectBody(await t.admin('POST', '/me/mute/loud', undefined, { 'im-client-id': 'ghost' }), 403, NOT_ROOM_MEMBER);
  });

  it('refuses a non-member with 403 NOT_ROOM_MEMBER, but lets a former member unmute a room they muted', async () => {
    const carol = await t.createUser('carol', { nickname: 'Carol' });
    expectBody(await t.asUser(carol, 'POST', '/me/mute/loud'), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(carol, 'DELETE', '/me/mute/loud'), 403, NOT_ROOM_MEMBER);
    expect(expectOk(await t.asUser(carol, 'GET', '/me')).mute).toStrictEqual([]);

    expectOk(await t.admin('POST', '/rooms/loud/members', { invitees: ['carol'] }));
    expect(expectOk(await t.asUser(carol, 'POST', '/me/mute/loud')).mute).toStrictEqual(['loud']);
    expectOk(await t.asUser(carol, 'POST', '/rooms/loud/delete/members', { members: ['carol'] }));
    expectBody(await t.asUser(carol, 'POST', '/me/mute/loud'), 403, NOT_ROOM_MEMBER);
    expect(expectOk(await t.asUser(carol, 'DELETE', '/me/mute/loud')).mute).toStrictEqual([]);
  });

  it('refuses a bad token with 401', async () => {
    expectBody(await t.asUser('bogus', 'POST', '/me/mute/loud'), 401, INVALID_TOKEN);
    expectBody(await t.asUser('bogus', 'DELETE', '/me/mute/loud'), 401, INVALID_TOKEN);
  });

  it('answers 404 to unmuting a room deleted since it was muted', async () => {
    await createRoom(t, { _id: 'gone', members: ['alice'] });
    expectOk(await t.asUser(alice, 'POST', '/me/mute/gone'));
    expectOk(await t.admin('DELETE', '/rooms/gone'));
    expectBody(await t.asUser(alice, 'DELETE', '/me/mute/gone'), 404, ROOM_NOT_FOUND);
  });
});

describe('limits.roomMembers from the configuration', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const full = badRequest('A room holds at most 3 members');
  beforeAll(async () => {
    t = await buildTestApp({ limits: { ...loadConfig({}).limits, roomMembers: 3 } });
    for (const id of ['u1', 'u2', 'u3', 'u4', 'u5'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
  });
  afterAll(() => t.close());

  it('refuses to create a room with more members than the limit', async () => {
    expectBody(await t.admin('POST', '/rooms', { _id: 'crowded', members: ['u1', 'u2', 'u3', 'u4'] }), 400, full);
    expectBody(await t.admin('GET', '/rooms/crowded'), 404, ROOM_NOT_FOUND);
    expectBody(
      await t.asUser(tokens.u1!, 'POST', '/rooms/createAndJoin', { _id: 'crowded', invitee: ['u2', 'u3', 'u4'] }),
      400,
      full,
    );
    expect((await createRoom(t, { _id: 'fits', members: ['u1', 'u2', 'u3'] })).members).toStrictEqual([
      'u1',
      'u2',
      'u3',
    ]);
  });

  it('refuses additions beyond the limit, adding nobody, but still skips existing members', async () => {
    await createRoom(t, { _id: 'growing', members: ['u1'] });
    expectBody(
      await t.asUser(tokens.u1!, 'POST', '/rooms/growing/members', { invitees: ['u2', 'u3', 'u4'] }),
      400,
      full,
    );
    expectBody(await t.admin('POST', '/rooms/growing/members', { invitees: ['u2', 'u3', 'u4'] }), 400, full);
    expect(ids(expectOk(await t.admin('GET', '/rooms/growing')))).toStrictEqual(['u1']);
    expect(
      ids(expectOk(await t.asUser(tokens.u1!, 'POST', '/rooms/growing/members', { invitees: ['u2', 'u3'] }))),
    ).toStrictEqual(['u1', 'u2', 'u3']);
    expectBody(await t.asUser(tokens.u1!, 'POST', '/rooms/growing/members', { invitees: ['u4'] }), 400, full);
    expectBody(
      await t.asUser(tokens.u1!, 'POST', '/rooms/growing/members', { invitees: ['u4'], invitationRequired: true }),
      400,
      full,
    );
    expect(
      ids(expectOk(await t.asUser(tokens.u1!, 'POST', '/rooms/growing/members', { invitees: ['u2', 'u3'] }))),
    ).toStrictEqual(['u1', 'u2', 'u3']);
  });

  it('refuses a join into a full room', async () => {
    expectBody(await t.asUser(tokens.u5!, 'POST', '/rooms/growing/join'), 400, full);
    expectOk(await t.asUser(tokens.u3!, 'POST', '/rooms/growing/delete/members', { members: ['u3'] }));
    expect(ids(expectOk(await t.asUser(tokens.u5!, 'POST', '/rooms/growing/join')))).toStrictEqual(['u1', 'u2', 'u5']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, clientNotFound, insufficient, INVALID_TOKEN, NOT_ROOM_MEMBER } from '../../helpers/errors.js';
import { ROOM_FROZEN, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectInvalidRequest, ISO, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { loadConfig } from '../../../src/config/config.js';
import { createNamedUsers, createRoom } from '../../helpers/factories.js';
import { memberView, summary, memberListMessage } from '../../helpers/rooms-suite.js';
import { ids, messageCount, NEED_CLIENT_ID, property, setStatus, SYSTEM } from '../../helpers/members-suite.js';

/** Room members (spec 4.6-4.11; resolutions 12.4 items 37, 41-45). */

const CLOSED = insufficient('The room is closed to new members (opening 0)');

const DIRECT_PAIR = badRequest('A direct room has exactly two members');

describe('POST /rooms/:id/members (spec 4.6)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    Object.assign(tokens, await createNamedUsers(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'outsider']));
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
      expect(room.lastMessage).toStrictEqual(
        memberListMessage(t, room.lastMessage, {
          room: 'announce',
          message: 'Carol, Dave',
          messageType: 'addMembers',
          listKey: 'invitees',
          users: [summary('carol', 'Carol'), summary('dave', 'Dave')],
          sender: summary('alice', 'Alice'),
        }),
      );
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

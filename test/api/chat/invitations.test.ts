import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, INVALID_REQUEST, NOT_ROOM_MEMBER, ROOM_FROZEN, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { createNamedUsers, createRoom } from '../../helpers/factories.js';
import { memberListMessage, memberView, summary } from '../../helpers/rooms-suite.js';
import { ISO, recorder } from '../../helpers/wire.js';

/** Pending invitations ([hist] 6.2-6.6): list mine, list a room's, decline, cancel. */

describe('invitations ([hist] 6)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (user: string) => (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    t.asUser(tokens[user]!, method, url, body);
  const invite = async (by: string, room: string, invitees: string[]) =>
    expectOk(await as(by)('POST', `/rooms/${room}/members`, { invitees, invitationRequired: true }));
  const times = {
    createdAt: expect.stringMatching(ISO),
    createdAtMS: expect.any(Number),
    updatedAt: expect.stringMatching(ISO),
    updatedAtMS: expect.any(Number),
  };

  beforeAll(async () => {
    t = await buildTestApp();
    Object.assign(tokens, await createNamedUsers(t, ['ann', 'ben', 'cat', 'dan', 'eve', 'out']));
    // party: closed, owned by ann; club: open, ben alone.
    await createRoom(t, { _id: 'party', name: 'Party', owner: 'ann', opening: 0, members: ['ann', 'ben'] });
    await createRoom(t, { _id: 'club', name: 'Club', members: ['ben'] });
    await invite('ann', 'party', ['cat', 'dan']);
    await sleep(5);
    await invite('ben', 'club', ['cat']);
  });
  afterAll(() => t.close());

  describe('GET /rooms/invitations (6.2)', () => {
    it('lists mine newest first, each with its inviter and the room in full; not taken for GET /rooms/:id', async () => {
      const mine = expectOk(await as('cat')('GET', '/rooms/invitations'));
      expect(mine.totalCount).toBe(2);
      expect(mine.data.map((entry: any) => entry.room._id)).toStrictEqual(['club', 'party']);
      const [club, party] = mine.data;
      expect(party).toStrictEqual({
        inviter: summary('ann', 'Ann'),
        room: expect.any(Object),
        invitationID: 'party',
        ...times,
      });
      expect(club.inviter).toStrictEqual(summary('ben', 'Ben'));
      expect(party.createdAt).toBe(new Date(party.createdAtMS).toISOString());
      expect(party.updatedAtMS).toBe(party.createdAtMS);
      expect(club.createdAtMS).toBeGreaterThan(party.createdAtMS);
      expect(party.room).toMatchObject({ _id: 'party', id: 'party', name: 'Party', owner: 'ann', opening: 0 });
      expect(party.room.members).toStrictEqual([memberView('ann', 'Ann'), memberView('ben', 'Ben')]);
      expect(party.room.memberProperties.map((entry: any) => entry.client)).toStrictEqual(['ann', 'ben']);
      // Nothing of one viewer, no messages: the invitee is no member yet.
      for (const field of ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead', 'lastMessage', 'pinnedMessage'])
        expect(party.room, field).not.toHaveProperty(field);
    });

    it('pages with skip and limit; others have none; the API key names the user', async () => {
      const first = expectOk(await as('cat')('GET', '/rooms/invitations?limit=1'));
      expect([first.totalCount, first.data.map((entry: any) => entry.room._id)]).toStrictEqual([2, ['club']]);
      const second = expectOk(await as('cat')('GET', '/rooms/invitations?skip=1&limit=1'));
      expect(second.data.map((entry: any) => entry.room._id)).toStrictEqual(['party']);
      expect(expectOk(await as('out')('GET', '/rooms/invitations'))).toStrictEqual({ totalCount: 0, data: [] });
      const viaKey = expectOk(await t.admin('GET', '/rooms/invitations', undefined, { 'im-client-id': 'dan' }));
      expect(viaKey.data.map((entry: any) => entry.room._id)).toStrictEqual(['party']);
      expectBody(await t.admin('GET', '/rooms/invitations'), 400, INVALID_REQUEST);
      expectBody(await as('cat')('GET', '/rooms/invitations?limit=-1'), 400, INVALID_REQUEST);
    });
  });

  describe('GET /rooms/:id/invitations (6.3)', () => {
    it("answers a room's invitations to its members, with invitee and inviter", async () => {
      const list = expectOk(await as('ben')('GET', '/rooms/party/invitations'));
      expect(list.totalCount).toBe(2);
      const byInvitee = Object.fromEntries(list.data.map((entry: any) => [entry.invitee._id, entry]));
      expect(byInvitee.cat).toStrictEqual({ invitee: summary('cat', 'Cat'), inviter: summary('ann', 'Ann'), ...times });
      expect(byInvitee.dan.inviter._id).toBe('ann');
      expect(expectOk(await t.admin('GET', '/rooms/party/invitations')).totalCount).toBe(2);
      expect(expectOk(await as('ben')('GET', '/rooms/party/invitations?limit=1')).data).toHaveLength(1);
    });

    it('refuses non-members, invitees included (403 NOT_ROOM_MEMBER), and unknown rooms (404)', async () => {
      expectBody(await as('out')('GET', '/rooms/party/invitations'), 403, NOT_ROOM_MEMBER);
      expectBody(await as('cat')('GET', '/rooms/party/invitations'), 403, NOT_ROOM_MEMBER);
      expectBody(await as('ben')('GET', '/rooms/nowhere/invitations'), 404, ROOM_NOT_FOUND);
    });
  });

  describe('DELETE /rooms/:id/invitations (6.4)', () => {
    it("removes the caller's invitation, answers the remaining ones and tells the invitee's connections", async () => {
      const events = recorder(t, 'invitation.cancelled', 'member.added', 'message.created', 'room.updated');
      try {
        const left = expectOk(await as('dan')('DELETE', '/rooms/party/invitations'));
        expect(left).toStrictEqual({ totalCount: 0, data: [] });
        expect(events.seen).toStrictEqual([
          {
            type: 'invitation.cancelled',
            payload: {
              appId: t.appId,
              roomId: 'party',
              userIds: ['dan'],
              invitations: [{ invitee: 'dan', inviter: 'ann' }],
              actor: 'dan',
              reason: 'declined',
            },
          },
        ]);
        // Only cat is still invited; dan cannot join the closed room any more.
        const list = expectOk(await as('ann')('GET', '/rooms/party/invitations'));
        expect(list.data.map((entry: any) => entry.invitee._id)).toStrictEqual(['cat']);
        expect((await as('dan')('POST', '/rooms/party/join')).statusCode).toBe(403);
        // Again, or for a room that does not exist: the same answer, nothing published.
        events.seen.length = 0;
        expect(expectOk(await as('dan')('DELETE', '/rooms/party/invitations'))).toStrictEqual({
          totalCount: 0,
          data: [],
        });
        expect(expectOk(await as('dan')('DELETE', '/rooms/nowhere/invitations'))).toStrictEqual({
          totalCount: 0,
          data: [],
        });
        expect(events.seen).toStrictEqual([]);
      } finally {
        events.stop();
      }
    });

    it('answers the remaining invitations in the 6.2 shape', async () => {
      await invite('ben', 'club', ['eve']);
      await invite('ann', 'party', ['eve']);
      const left = expectOk(await as('eve')('DELETE', '/rooms/club/invitations'));
      expect(left.totalCount).toBe(1);
      expect(left.data[0]).toMatchObject({ inviter: { _id: 'ann' }, room: { _id: 'party' }, invitationID: 'party' });
      const viaKey = expectOk(
        await t.admin('DELETE', '/rooms/party/invitations', undefined, { 'im-client-id': 'eve' }),
      );
      expect(viaKey).toStrictEqual({ totalCount: 0, data: [] });
      expectBody(await t.admin('DELETE', '/rooms/party/invitations'), 400, INVALID_REQUEST);
    });
  });

  describe('POST /rooms/:id/delete/invitations (6.5) and DELETE /rooms/:id/invitations/:invitee (6.6)', () => {
    it("lets any member cancel, skips users without an invitation, and answers the room's remaining ones", async () => {
      await invite('ann', 'party', ['dan', 'eve']);
      const events = recorder(t, 'invitation.cancelled', 'message.created');
      try {
        const left = expectOk(
          await as('ben')('POST', '/rooms/party/delete/invitations', { invitees: ['eve', 'out', 'eve'] }),
        );
        expect(left.totalCount).toBe(2);
        expect(left.data.map((entry: any) => entry.invitee._id).sort()).toStrictEqual(['cat', 'dan']);
        expect(left.data[0]).toMatchObject({ inviter: summary('ann', 'Ann'), ...times });
        // The room in its stored fields, no members.
        expect(left.data[0].room).toMatchObject({ _id: 'party', name: 'Party' });
        expect(left.data[0].room).not.toHaveProperty('members');
        expect(events.seen).toStrictEqual([
          {
            type: 'invitation.cancelled',
            payload: {
              appId: t.appId,
              roomId: 'party',
              userIds: ['eve'],
              invitations: [{ invitee: 'eve', inviter: 'ann' }],
              actor: 'ben',
              reason: 'cancelled',
            },
          },
        ]);
        // Nobody left to cancel among these: no event, no message.
        events.seen.length = 0;
        expect(
          expectOk(
            await as('ben')('POST', '/rooms/party/delete/invitations', { invitees: ['eve'], systemMessage: true }),
          ).totalCount,
        ).toBe(2);
        expect(events.seen).toStrictEqual([]);
      } finally {
        events.stop();
      }
    });

    it('writes a cancelInvitations system message when asked, naming the cancelled users', async () => {
      const events = recorder(t, 'message.created');
      try {
        const left = expectOk(
          await as('ben')('POST', '/rooms/party/delete/invitations', {
            invitees: ['dan', 'nobody', 'cat'],
            systemMessage: true,
          }),
        );
        expect(left).toStrictEqual({ totalCount: 0, data: [] });
        const room = expectOk(await as('ann')('GET', '/rooms/party'));
        expect(room.lastMessage).toStrictEqual(
          memberListMessage(t, room.lastMessage, {
            room: 'party',
            message: 'Dan, Cat',
            messageType: 'cancelInvitations',
            listKey: 'invitees',
            users: [summary('dan', 'Dan'), summary('cat', 'Cat')],
            sender: summary('ben', 'Ben'),
          }),
        );
        expect(events.of('party').map((event) => event.payload.members)).toStrictEqual([['ann', 'ben']]);
      } finally {
        events.stop();
      }
    });

    it('cancels one invitation through the deprecated path, with the same answer', async () => {
      await invite('ann', 'party', ['dan', 'eve']);
      const left = expectOk(await as('ann')('DELETE', '/rooms/party/invitations/dan'));
      expect(left.data.map((entry: any) => entry.invitee._id)).toStrictEqual(['eve']);
      expect(left.data[0].room._id).toBe('party');
      expect(
        expectOk(await as('eve')('GET', '/rooms/invitations')).data.map((entry: any) => entry.room._id),
      ).toStrictEqual(['party']);
      expect(expectOk(await t.admin('DELETE', '/rooms/party/invitations/eve'))).toStrictEqual({
        totalCount: 0,
        data: [],
      });
    });

    it('refuses non-members, invitees, frozen rooms and bad bodies', async () => {
      await invite('ann', 'party', ['dan']);
      expectBody(
        await as('out')('POST', '/rooms/party/delete/invitations', { invitees: ['dan'] }),
        403,
        NOT_ROOM_MEMBER,
      );
      expectBody(await as('dan')('DELETE', '/rooms/party/invitations/dan'), 403, NOT_ROOM_MEMBER);
      expectBody(
        await as('ben')('POST', '/rooms/nowhere/delete/invitations', { invitees: ['dan'] }),
        404,
        ROOM_NOT_FOUND,
      );
      expectBody(await as('ben')('POST', '/rooms/party/delete/invitations', {}), 400, INVALID_REQUEST);
      expectBody(
        await as('ben')('POST', '/rooms/party/delete/invitations', { invitees: [] }),
        400,
        badRequest('invitees must name at least one user'),
      );
      expectBody(await as('ben')('POST', '/rooms/party/delete/invitations', { invitees: 'dan' }), 400, INVALID_REQUEST);
      expect((await t.admin('PUT', '/rooms/party', { status: 0 })).statusCode).toBe(200);
      expectBody(await as('ben')('POST', '/rooms/party/delete/invitations', { invitees: ['dan'] }), 403, ROOM_FROZEN);
      // The platform admin may, in a frozen room too.
      expect(expectOk(await t.admin('POST', '/rooms/party/delete/invitations', { invitees: ['dan'] }))).toStrictEqual({
        totalCount: 0,
        data: [],
      });
      expect((await t.admin('PUT', '/rooms/party', { status: 1 })).statusCode).toBe(200);
    });

    it('forgets the invitations of a deleted room', async () => {
      await createRoom(t, { _id: 'short', members: ['ann'] });
      await invite('ann', 'short', ['out']);
      expect(expectOk(await as('out')('GET', '/rooms/invitations')).totalCount).toBe(1);
      expectOk(await t.admin('DELETE', '/rooms/short'));
      expect(expectOk(await as('out')('GET', '/rooms/invitations'))).toStrictEqual({ totalCount: 0, data: [] });
    });
  });
});

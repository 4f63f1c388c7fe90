import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { NOT_ROOM_MEMBER, ROOM_FROZEN, shapeB } from '../../helpers/errors.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../../helpers/socket-clients.js';
import { waitFor, waitForCount } from '../../helpers/realtime-tools.js';
import type { DomainEvents } from '../../../src/events/event-bus.js';
import { createRoom } from '../../helpers/factories.js';
import { BANNED, CANNOT_READD, ids, md5, memberIds } from '../../helpers/moderation-suite.js';

const BLOCKED = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'A block between you closes this direct room');

/** Everything about a room that a refused write could have changed, as the platform admin reads it. */
async function roomState(t: TestApp, roomId: string) {
  const room = expectOk(await t.admin('GET', `/rooms/${roomId}`));
  const messages = expectOk(await t.admin('GET', `/rooms/${roomId}/messages/v3?limit=100`));
  delete messages.inspect;
  return { room, messages };
}

describe('moderation matrix: bans, personal blocks, mutes and frozen rooms over REST and sockets', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, Record<'G3' | 'G1', TestSocket>> = {};
  const all: TestSocket[] = [];
  const direct = md5('pia_quentin');
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}-zq`;
  /** Message ids written before the states were applied, by name. */
  const m: Record<string, string> = {};

  const as = (who: string, method: InjectOptions['method'], path: string, body?: unknown) =>
    t.asUser(tokens[who]!, method, path, body);
  const send = (who: string, room: string, text: string) =>
    as(who, 'POST', `/rooms/${room}/message`, { message: text, messageType: 'text' });
  const socketSend = (socket: TestSocket, room: string, text: string) =>
    socket.call('chat message', { room, message: text, messageType: 'text' });
  const gotMessage = (socket: TestSocket, text: string) =>
    waitFor(socket, 'chat message', (message) => message.message === text);
  /** After the positive checks: no push of that text reached these sockets. */
  const expectNotDelivered = async (text: string, ms = 150) => {
    await sleep(ms);
    for (const socket of all)
      expect(
        socket.received('chat message').filter((message) => message.message === text),
        `${socket.generation} got "${text}"`,
      ).toStrictEqual([]);
  };
  /** Each of `rest` sends into `room` over REST, then each of `overSockets` over G3 and G1: all are refused with `error` and none is delivered. */
  const expectSendsRefused = async (
    room: string,
    error: unknown,
    senders: { rest: string[]; overSockets: string[] },
    ms: number,
  ) => {
    const texts: string[] = [];
    for (const who of senders.rest) {
      texts.push(unique(`${who}-rest`));
      expectBody(await send(who, room, texts.at(-1) ?? ''), 403, error);
    }
    for (const who of senders.overSockets) {
      for (const generation of ['G3', 'G1'] as const) {
        texts.push(unique(`${who}-${generation}`));
        expect(await socketSend(sockets[who]![generation], room, texts.at(-1) ?? '')).toStrictEqual(error);
      }
    }
    for (const text of texts) await expectNotDelivered(text, ms);
  };
  /** `who` may neither edit `edited` nor recall `recalled` in `room`, over REST or over G1: each is refused with `error`. */
  const expectEditAndRecallRefused = async (
    who: string,
    room: string,
    messages: { edited: string; recalled: string; text: string },
    error: unknown,
  ) => {
    const edit = { _id: messages.edited, message: messages.text, messageType: 'text' };
    expectBody(await as(who, 'POST', `/rooms/${room}/message`, edit), 403, error);
    const recall = { _id: messages.recalled, messageType: 'recall' };
    expectBody(await as(who, 'POST', `/rooms/${room}/message`, recall), 403, error);
    expect(await sockets[who]!.G1.call('chat message', { room, ...recall })).toStrictEqual(error);
  };
  /** `who` sends into `room` over REST, G3 and G1: each is accepted and reaches `listener`. Answers the texts and the socket acks. */
  const expectSendsAccepted = async (who: string, room: string, listener: TestSocket) => {
    const texts = [unique(`${who}-rest`), unique(`${who}-g3`), unique(`${who}-g1`)];
    expectOk(await send(who, room, texts[0] ?? ''));
    const acks = [
      await socketSend(sockets[who]!.G3, room, texts[1] ?? ''),
      await socketSend(sockets[who]!.G1, room, texts[2] ?? ''),
    ];
    for (const ack of acks) expect(ack).toMatchObject({ RC: 0 });
    for (const text of texts) await gotMessage(listener, text);
    return { texts, acks };
  };
  /** `who` edits message `id` of `room` to `text`, and the answer carries it. */
  const expectEdited = async (who: string, room: string, id: string, text: string) =>
    expect(
      expectOk(await as(who, 'POST', `/rooms/${room}/message`, { _id: id, message: text, messageType: 'text' }))
        .message,
    ).toBe(text);
  /**
   * In `room`, `editor` edits `edited`; `owner` pins it, recalls `recalled`, adds otto and removes him again; `joiner`
   * joins the open lobby and leaves it: every write succeeds.
   */
  const expectWritesOpen = async (
    room: string,
    w: { editor: string; owner: string; joiner: string; edited: string; recalled: string; text: string },
  ) => {
    await expectEdited(w.editor, room, w.edited, w.text);
    expect(expectOk(await as(w.owner, 'POST', `/messages/${w.edited}/pin`)).pinned).toBe(true);
    const recall = { _id: w.recalled, messageType: 'recall' };
    expect(expectOk(await as(w.owner, 'POST', `/rooms/${room}/message`, recall)).messageType).toBe('recall');
    const added = expectOk(await as(w.owner, 'POST', `/rooms/${room}/members`, { invitees: ['otto'] }));
    expect(memberIds(added)).toContain('otto');
    const removed = expectOk(await as(w.owner, 'POST', `/rooms/${room}/delete/members`, { members: ['otto'] }));
    expect(memberIds(removed)).not.toContain('otto');
    expect(memberIds(expectOk(await as(w.joiner, 'POST', '/rooms/lobby/join')))).toContain(w.joiner);
    expectOk(await as(w.joiner, 'DELETE', `/rooms/lobby/members/${w.joiner}`, {}));
  };
  const roomIds = async (who: string) => ids(expectOk(await as(who, 'GET', '/rooms?limit=0')).data);
  const searchHits = async (who: string, keyword: string) =>
    (expectOk(await as(who, 'POST', '/search', { type: ['messages'], keyword })).messages as any[]).flatMap((group) =>
      group.messages.map((id: string) => [group.room._id, id]),
    );

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['olive', 'bart', 'wendy', 'pia', 'quentin', 'mo', 'fred', 'fay', 'otto', 'nate'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    await createRoom(t, { _id: 'main', owner: 'olive', members: ['olive', 'bart', 'wendy', 'nate'] });
    expectOk(await t.admin('PUT', '/rooms/main/member/bart', { property: 'role', value: 'admin' }));
    await createRoom(t, { _id: 'side', members: ['bart', 'wendy'] });
    await createRoom(t, { _id: 'lobby', owner: 'olive', opening: 1, members: ['olive'] });
    expect((await createRoom(t, { roomType: 'direct', owner: 'pia', members: ['pia', 'quentin'] }))._id).toBe(direct);
    await createRoom(t, { _id: 'pair', owner: 'pia', members: ['pia', 'quentin', 'wendy'] });
    await createRoom(t, { _id: 'quiet', owner: 'mo', members: ['mo', 'wendy', 'nate'] });
    await createRoom(t, { _id: 'ice', owner: 'fred', opening: 1, members: ['fred', 'fay', 'wendy'] });

    // What the subjects wrote before: to edit, recall and pin afterwards.
    const write = async (name: string, who: string, room: string) =>
      (m[name] = expectOk(await send(who, room, `${name} text zq`))._id);
    for (const [name, who, room] of [
      ['b1', 'bart', 'main'],
      ['b2', 'bart', 'main'],
      ['s1', 'bart', 'side'],
      ['p1', 'pia', direct],
      ['p2', 'pia', direct],
      ['q1', 'quentin', direct],
      ['g1', 'pia', 'pair'],
      ['g2', 'quentin', 'pair'],
      ['m1', 'mo', 'quiet'],
      ['m2', 'mo', 'quiet'],
      ['f1', 'fay', 'ice'],
      ['f2', 'fay', 'ice'],
      ['f3', 'fred', 'ice'],
    ] as const)
      await write(name, who, room);
    expectOk(await as('olive', 'POST', `/messages/${m.b1}/pin`));
    // Pia owns the direct room: she pins in it while no block closes it.
    expectOk(await as('pia', 'POST', `/messages/${m.p2}/pin`));

    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    for (const who of ['bart', 'pia', 'quentin', 'mo', 'fay', 'wendy']) {
      sockets[who] = {} as Record<'G3' | 'G1', TestSocket>;
      for (const generation of ['G3', 'G1'] as Generation[]) {
        const socket = await connect(url, generation);
        all.push(socket);
        expect(await authenticate(socket, tokens[who]!, t.clientKey)).toMatchObject({ RC: 0, result: { _id: who } });
        sockets[who]![generation as 'G3' | 'G1'] = socket;
      }
    }
  });
  afterAll(async () => {
    for (const socket of all) socket.close();
    await t.close();
  });

  describe('a banned member (spec 7.1-7.2, 12 items 60-61)', () => {
    const events: Array<DomainEvents['room.banned']> = [];
    let stop: () => void;
    let before: Awaited<ReturnType<typeof roomState>>;

    beforeAll(async () => {
      stop = t.services.bus.subscribe('room.banned', (payload) => {
        events.push(payload);
      });
      expectOk(await as('olive', 'POST', '/blockStatus/room/main/bart'));
      // Also in the open lobby, where he is not a member.
      expectOk(await as('olive', 'POST', '/blockStatus/room/lobby/bart'));
      before = await roomState(t, 'main');
    });
    afterAll(() => stop());

    it('pushes the room to every member, the banned one included, on every connection', async () => {
      expect(
        events.map((event) => [event.roomId, event.userId, event.banned, [...event.members].sort()]),
      ).toStrictEqual([
        ['main', 'bart', true, ['bart', 'nate', 'olive', 'wendy']],
        ['lobby', 'bart', true, ['olive']],
      ]);
      for (const who of ['bart', 'wendy']) {
        for (const socket of Object.values(sockets[who]!)) {
          const room = await waitFor(socket, 'room', (pushed) => pushed._id === 'main');
          expect(memberIds(room)).toStrictEqual(['bart', 'nate', 'olive', 'wendy']);
        }
      }
      // Nobody outside the room hears of it.
      await sleep(50);
      for (const who of ['pia', 'mo', 'fay']) {
        for (const socket of Object.values(sockets[who]!))
          expect(socket.received('room').filter((pushed) => pushed._id === 'main')).toStrictEqual([]);
      }
    });

    it('refuses his sends in that room over REST and over both sockets (G3, G1)', async () => {
      await expectSendsRefused('main', BANNED, { rest: ['bart'], overSockets: ['bart'] }, 50);
    });

    it('refuses his edits, recalls, pins, unpins and member changes there, role admin though he is', async () => {
      const banned = { edited: m.b1!, recalled: m.b2!, text: 'edited while banned' };
      await expectEditAndRecallRefused('bart', 'main', banned, BANNED);
      expectBody(await as('bart', 'POST', `/messages/${m.b2}/pin`), 403, BANNED);
      expectBody(await as('bart', 'DELETE', `/messages/${m.b1}/pin`), 403, BANNED);
      expectBody(await as('bart', 'POST', '/rooms/main/members', { invitees: ['otto'] }), 403, BANNED);
      expectBody(
        await as('bart', 'POST', '/rooms/main/members', { invitees: ['otto'], invitationRequired: true }),
        403,
        BANNED,
      );
      expectBody(await as('bart', 'POST', '/rooms/main/members/otto', {}), 403, BANNED);
      expectBody(await as('bart', 'POST', '/rooms/main/delete/members', { members: ['nate'] }), 403, BANNED);
      expectBody(await as('bart', 'DELETE', '/rooms/main/members/nate', {}), 403, BANNED);
      expectBody(await as('bart', 'PUT', '/rooms/main/member/nate', { property: 'role', value: 'admin' }), 403, BANNED);
      expectBody(
        await as('bart', 'PUT', '/rooms/main/member/bart', { property: 'title', value: 'still here' }),
        403,
        BANNED,
      );
      // Joining an open room he is banned from.
      expectBody(await as('bart', 'POST', '/rooms/lobby/join'), 403, BANNED);
      expect(memberIds(expectOk(await t.admin('GET', '/rooms/lobby')))).toStrictEqual(['olive']);
      expect(await roomState(t, 'main')).toStrictEqual(before);
    });

    it('keeps his reads: the room, its messages, the room list, search, his read position; typing is refused (issue 9 item 17)', async () => {
      const room = expectOk(await as('bart', 'GET', '/rooms/main'));
      expect(memberIds(room)).toStrictEqual(['bart', 'nate', 'olive', 'wendy']);
      expect(room.pinnedMessage._id).toBe(m.b1);
      const messages = expectOk(await as('bart', 'GET', '/rooms/main/messages/v3'));
      expect(ids(messages.data)).toEqual(expect.arrayContaining([m.b1, m.b2]));
      expect(await roomIds('bart')).toEqual(expect.arrayContaining(['main', 'side']));
      expect(await searchHits('bart', 'b1 text zq')).toStrictEqual([['main', m.b1]]);
      expectBody(await as('bart', 'POST', '/rooms/main/typing', { message: 'typing...' }), 403, BANNED);
      expect(expectOk(await as('bart', 'PUT', '/rooms/main/lastRead', { message: m.b2 }))).toMatchObject({
        client: 'bart',
        lastRead: m.b2,
      });
    });

    it("still delivers the room's messages to his sockets, and lets the platform admin write as him", async () => {
      const text = unique('to-bart');
      expectOk(await send('wendy', 'main', text));
      for (const socket of Object.values(sockets.bart!)) await gotMessage(socket, text);
      const asBart = unique('admin-as-bart');
      expectOk(
        await t.admin('POST', '/messages', { room: 'main', sender: 'bart', message: asBart, messageType: 'text' }),
      );
      await gotMessage(sockets.wendy!.G1, asBart);
    });

    it('leaves his other rooms alone: sends over REST and both sockets, edits and recalls in "side"', async () => {
      const { texts, acks } = await expectSendsAccepted('bart', 'side', sockets.wendy!.G3);
      expect(acks[0]).toMatchObject({ result: { room: 'side', message: texts[1] } });
      expect(acks[1]).toMatchObject({ result: { room: 'side', message: texts[2] } });
      await expectEdited('bart', 'side', m.s1!, 'side edited');
      expect(
        expectOk(await as('bart', 'POST', '/rooms/side/message', { _id: m.s1, messageType: 'recall' })).messageType,
      ).toBe('recall');
    });

    it('unban restores his writing, and pushes the room again', async () => {
      expectOk(await as('olive', 'DELETE', '/blockStatus/room/main/bart'));
      expect(events.at(-1)).toMatchObject({ roomId: 'main', userId: 'bart', banned: false });
      for (const socket of Object.values(sockets.bart!))
        await waitForCount(socket, 'room', 2, (pushed) => pushed._id === 'main');
      await expectSendsAccepted('bart', 'main', sockets.wendy!.G3);
      await expectEdited('bart', 'main', m.b1!, 'b1 edited');
      expect(expectOk(await as('bart', 'POST', `/messages/${m.b2}/pin`)).pinned).toBe(true);
      expect(
        expectOk(await as('bart', 'POST', '/rooms/main/message', { _id: m.b2, messageType: 'recall' })).messageType,
      ).toBe('recall');
      expect(memberIds(expectOk(await as('bart', 'POST', '/rooms/main/members', { invitees: ['otto'] })))).toContain(
        'otto',
      );
      expect(
        memberIds(expectOk(await as('bart', 'POST', '/rooms/main/delete/members', { members: ['otto'] }))),
      ).not.toContain('otto');
      // Still banned from the lobby.
      expectBody(await as('bart', 'POST', '/rooms/lobby/join'), 403, BANNED);
    });

    it('lets a banned member leave, and then keeps him out: no re-adding by the owner, no joining', async () => {
      expectOk(await as('olive', 'POST', '/blockStatus/room/main/bart'));
      expect(memberIds(expectOk(await as('bart', 'DELETE', '/rooms/main/members/bart', {})))).not.toContain('bart');
      expectBody(await as('bart', 'GET', '/rooms/main'), 403, NOT_ROOM_MEMBER);
      expectBody(await as('olive', 'POST', '/rooms/main/members', { invitees: ['bart'] }), 403, CANNOT_READD);
      expectBody(await as('bart', 'POST', '/rooms/main/join'), 403, BANNED);
      expect(
        expectOk(await as('olive', 'GET', '/blockStatus/room/main')).data.map((entry: any) => entry.blockee._id),
      ).toStrictEqual(['bart']);
      // The platform admin brings him back; the owner lifts the ban.
      expect(memberIds(expectOk(await t.admin('POST', '/rooms/main/members', { invitees: ['bart'] })))).toContain(
        'bart',
      );
      expectOk(await as('olive', 'DELETE', '/blockStatus/room/main/bart'));
      expectOk(await send('bart', 'main', unique('back')));
    });
  });

  describe('a personally blocked pair (spec 7.4, 12 item 63)', () => {
    let before: Awaited<ReturnType<typeof roomState>>;

    beforeAll(async () => {
      expectOk(await as('pia', 'POST', '/blockStatus/my/quentin'));
      before = await roomState(t, direct);
    });

    it('pushes their direct room to both of them', async () => {
      for (const who of ['pia', 'quentin']) {
        for (const socket of Object.values(sockets[who]!))
          await waitFor(socket, 'room', (pushed) => pushed._id === direct);
      }
    });

    it('refuses sends into their direct room from either party, over REST and both sockets', async () => {
      await expectSendsRefused(direct, BLOCKED, { rest: ['pia', 'quentin'], overSockets: ['pia', 'quentin'] }, 30);
    });

    it('refuses edits, recalls, pins, unpins and member changes in the direct room, though pia owns it', async () => {
      expectBody(
        await as('pia', 'POST', `/rooms/${direct}/message`, {
          _id: m.p1,
          message: 'edited while blocked',
          messageType: 'text',
        }),
        403,
        BLOCKED,
      );
      expectBody(
        await as('quentin', 'POST', `/rooms/${direct}/message`, { _id: m.q1, messageType: 'recall' }),
        403,
        BLOCKED,
      );
      expect(
        await sockets.quentin!.G3.call('chat message', {
          room: direct,
          _id: m.q1,
          message: 'edit over the socket',
          messageType: 'text',
        }),
      ).toStrictEqual(BLOCKED);
      expectBody(await as('pia', 'POST', `/messages/${m.p1}/pin`), 403, BLOCKED);
      expectBody(await as('pia', 'DELETE', `/messages/${m.p2}/pin`), 403, BLOCKED);
      expectBody(await as('pia', 'POST', `/rooms/${direct}/members`, { invitees: ['otto'] }), 403, BLOCKED);
      expectBody(await as('pia', 'POST', `/rooms/${direct}/delete/members`, { members: ['quentin'] }), 403, BLOCKED);
      expectBody(await as('pia', 'DELETE', `/rooms/${direct}/members/quentin`, {}), 403, BLOCKED);
      expect(await roomState(t, direct)).toStrictEqual(before);
    });

    it('keeps their reads of the direct room: the room, its messages, the room list, search', async () => {
      for (const who of ['pia', 'quentin']) {
        const room = expectOk(await as(who, 'GET', `/rooms/${direct}`));
        expect(room).toMatchObject({ roomType: 'direct', pinnedMessage: { _id: m.p2 } });
        expect(ids(expectOk(await as(who, 'GET', `/rooms/${direct}/messages/v3`)).data)).toEqual(
          expect.arrayContaining([m.p1, m.p2, m.q1]),
        );
        expect(await roomIds(who)).toEqual(expect.arrayContaining([direct, 'pair']));
        expect(await searchHits(who, 'p1 text zq')).toStrictEqual([[direct, m.p1]]);
      }
      // Typing carries text: closed like sending (issue 9 item 17).
      expectBody(await as('quentin', 'POST', `/rooms/${direct}/typing`, {}), 403, BLOCKED);
    });

    it('leaves their group rooms working between them: sends over REST and both sockets, delivery, edits, pins, member changes, joins', async () => {
      const fromPia = unique('pair-pia');
      expectOk(await send('pia', 'pair', fromPia));
      for (const socket of Object.values(sockets.quentin!)) await gotMessage(socket, fromPia);
      const fromQuentin = [unique('pair-quentin-g3'), unique('pair-quentin-g1')];
      expect(await socketSend(sockets.quentin!.G3, 'pair', fromQuentin[0]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.quentin!.G1, 'pair', fromQuentin[1]!)).toMatchObject({ RC: 0 });
      for (const text of fromQuentin) {
        for (const socket of Object.values(sockets.pia!)) await gotMessage(socket, text);
      }
      expect(await socketSend(sockets.pia!.G1, 'pair', unique('pair-pia-g1'))).toMatchObject({ RC: 0 });
      // Pia owns the group room: she pins quentin's message and recalls her own.
      await expectWritesOpen('pair', {
        editor: 'quentin',
        owner: 'pia',
        joiner: 'quentin',
        edited: m.g2!,
        recalled: m.g1!,
        text: 'g2 edited',
      });
    });

    it('still delivers to both what the platform admin writes into the direct room', async () => {
      const text = unique('admin-into-direct');
      expectOk(await t.admin('POST', '/messages', { room: direct, sender: 'pia', message: text, messageType: 'text' }));
      for (const who of ['pia', 'quentin']) {
        for (const socket of Object.values(sockets[who]!)) await gotMessage(socket, text);
      }
    });

    it('unblock restores the direct room; while the other side still blocks, it stays closed', async () => {
      expectOk(await as('quentin', 'POST', '/blockStatus/my/pia'));
      expectOk(await as('pia', 'DELETE', '/blockStatus/my/quentin'));
      expectBody(await send('pia', direct, unique('one-block-left')), 403, BLOCKED);
      expect(await socketSend(sockets.quentin!.G1, direct, unique('one-block-left-g1'))).toStrictEqual(BLOCKED);
      expectOk(await as('quentin', 'DELETE', '/blockStatus/my/pia'));

      const fromPia = unique('direct-open-rest');
      expectOk(await send('pia', direct, fromPia));
      for (const socket of Object.values(sockets.quentin!)) await gotMessage(socket, fromPia);
      const overSockets = [unique('direct-open-g3'), unique('direct-open-g1')];
      expect(await socketSend(sockets.quentin!.G3, direct, overSockets[0]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.pia!.G1, direct, overSockets[1]!)).toMatchObject({ RC: 0 });
      await gotMessage(sockets.pia!.G3, overSockets[0]!);
      await gotMessage(sockets.quentin!.G1, overSockets[1]!);
      await expectEdited('pia', direct, m.p1!, 'p1 edited');
      expect(expectOk(await as('pia', 'POST', `/messages/${m.p1}/pin`)).pinned).toBe(true);
    });
  });

  describe('a muted user (spec 7.6-7.7, 12 item 45): the mute changes nothing but the muted flag', () => {
    it('sets the muted flag of his room view and list entry, and nothing else; he gets a roomPref push', async () => {
      const roomBefore = expectOk(await as('mo', 'GET', '/rooms/quiet'));
      const listBefore = expectOk(await as('mo', 'GET', '/rooms')).data.find((room: any) => room._id === 'quiet');
      expect([roomBefore.muted, listBefore.muted]).toStrictEqual([false, false]);
      expect(expectOk(await t.admin('POST', '/admin/clients/mo/mute/quiet')).mute).toStrictEqual(['quiet']);
      expect(expectOk(await as('mo', 'GET', '/rooms/quiet'))).toStrictEqual({ ...roomBefore, muted: true });
      expect(expectOk(await as('mo', 'GET', '/rooms')).data.find((room: any) => room._id === 'quiet')).toStrictEqual({
        ...listBefore,
        muted: true,
      });
      for (const socket of Object.values(sockets.mo!))
        expect(await waitFor(socket, 'roomPref', (pref) => pref.room === 'quiet')).toStrictEqual({
          room: 'quiet',
          muted: true,
        });
      // The other members see no difference.
      expect(expectOk(await as('wendy', 'GET', '/rooms/quiet')).muted).toBe(false);
    });

    it('keeps every write open to him: sends over REST and both sockets, edits, recalls, pins, member changes, joins', async () => {
      await expectSendsAccepted('mo', 'quiet', sockets.wendy!.G3);
      const writes = { editor: 'mo', owner: 'mo', joiner: 'mo', edited: m.m1!, recalled: m.m2!, text: 'm1 edited' };
      await expectWritesOpen('quiet', writes);
    });

    it('keeps his reads and his deliveries: the room, its messages, the list, search, and pushes on both sockets', async () => {
      expect(ids(expectOk(await as('mo', 'GET', '/rooms/quiet/messages/v3')).data)).toContain(m.m1);
      expect(await roomIds('mo')).toContain('quiet');
      expect(await searchHits('mo', 'm1 edited')).toStrictEqual([['quiet', m.m1]]);
      const text = unique('to-muted');
      expectOk(await send('wendy', 'quiet', text));
      for (const socket of Object.values(sockets.mo!)) await gotMessage(socket, text);
      // Unmuting puts the flag back, again with nothing else.
      const muted = expectOk(await as('mo', 'GET', '/rooms/quiet'));
      expect(expectOk(await t.admin('DELETE', '/admin/clients/mo/mute/quiet')).mute).toStrictEqual([]);
      expect(expectOk(await as('mo', 'GET', '/rooms/quiet'))).toStrictEqual({ ...muted, muted: false });
    });
  });

  describe('a frozen room (spec 4.3, 7.5, 12 item 36)', () => {
    let before: Awaited<ReturnType<typeof roomState>>;

    beforeAll(async () => {
      const frozen = await as('fred', 'PUT', '/rooms/ice', { status: 0 });
      expect(frozen.json()).toMatchObject({ RC: 0, RM: 'Room frozen successfully', result: { status: 0 } });
      before = await roomState(t, 'ice');
    });

    it('pushes the frozen room to its members', async () => {
      for (const socket of Object.values(sockets.fay!))
        await waitFor(socket, 'room', (pushed) => pushed._id === 'ice' && pushed.status === 0);
    });

    it("refuses every non-admin send, the owner's included, over REST and both sockets", async () => {
      await expectSendsRefused('ice', ROOM_FROZEN, { rest: ['fay', 'fred'], overSockets: ['fay'] }, 40);
    });

    it('refuses edits, recalls, pins, member changes and joins by non-admins', async () => {
      const frozen = { edited: m.f1!, recalled: m.f2!, text: 'edited while frozen' };
      await expectEditAndRecallRefused('fay', 'ice', frozen, ROOM_FROZEN);
      expectBody(await as('fred', 'POST', `/messages/${m.f3}/pin`), 403, ROOM_FROZEN);
      expectBody(await as('fred', 'POST', '/rooms/ice/members', { invitees: ['otto'] }), 403, ROOM_FROZEN);
      expectBody(await as('fred', 'POST', '/rooms/ice/delete/members', { members: ['fay'] }), 403, ROOM_FROZEN);
      expectBody(
        await as('fred', 'PUT', '/rooms/ice/member/fay', { property: 'role', value: 'admin' }),
        403,
        ROOM_FROZEN,
      );
      expectBody(await as('otto', 'POST', '/rooms/ice/join'), 403, ROOM_FROZEN);
      expect(await roomState(t, 'ice')).toStrictEqual(before);
    });

    it('keeps reads (the room, its messages, search) but leaves it out of the room lists', async () => {
      expect(expectOk(await as('fay', 'GET', '/rooms/ice'))).toMatchObject({ _id: 'ice', status: 0 });
      expect(ids(expectOk(await as('fay', 'GET', '/rooms/ice/messages/v3')).data)).toEqual(
        expect.arrayContaining([m.f1, m.f2, m.f3]),
      );
      expect(await searchHits('fay', 'f1 text zq')).toStrictEqual([['ice', m.f1]]);
      expect(await roomIds('fay')).not.toContain('ice');
      expect(await roomIds('wendy')).not.toContain('ice');
      expect(expectOk(await as('fay', 'GET', '/rooms/ids')).data).not.toContain('ice');
      expectBody(await as('fay', 'POST', '/rooms/ice/typing', {}), 403, ROOM_FROZEN);
    });

    it('lets the platform admin write, and delivers it to the members on both sockets', async () => {
      const text = unique('admin-into-ice');
      const sent = expectOk(
        await t.admin('POST', '/messages', { room: 'ice', sender: 'fred', message: text, messageType: 'text' }),
      );
      for (const socket of Object.values(sockets.fay!)) await gotMessage(socket, text);
      expect(expectOk(await t.admin('POST', `/messages/${sent._id}/pin`)).pinned).toBe(true);
    });

    it('unfreezing restores writing and the room lists', async () => {
      expectOk(await as('fred', 'PUT', '/rooms/ice', { status: 1 }));
      await expectSendsAccepted('fay', 'ice', sockets.wendy!.G1);
      await expectEdited('fay', 'ice', m.f1!, 'f1 edited');
      expect(await roomIds('fay')).toContain('ice');
    });
  });
});

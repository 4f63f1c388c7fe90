import { expect } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { RouteEntry } from '../../src/http/types.js';
import { mp4 } from './media-fixtures.js';
import { multipartBody } from './client-http.js';
/** The attempts of the chat authorization matrix (test/api/chat/chat-bola.test.ts), route by route, and their refusals. */

export type Method = NonNullable<InjectOptions['method']>;
export type Refusal = readonly [status: number, code: string];

export const NOT_MEMBER: Refusal = [403, 'NOT_ROOM_MEMBER'];
export const NO_ROOM: Refusal = [404, 'ROOM_NOT_FOUND'];
export const NO_MESSAGE: Refusal = [404, 'MESSAGE_NOT_FOUND'];
export const ID_TAKEN: Refusal = [409, 'MESSAGE_EXISTS'];
export const NO_CLIENT: Refusal = [404, 'CLIENT_NOT_FOUND'];
export const NOT_ALLOWED: Refusal = [403, 'INSUFFICIENT_PERMISSIONS'];
export const NOT_ALLOWED_DELETE: Refusal = [403, 'INSUFFICIENT_PERMISSION'];
export const ROOM_EXISTS: Refusal = [409, 'ROOM_EXISTS'];
export const BAD_CURSOR: Refusal = [400, 'INVALID_REQUEST'];
export const NO_SUCH: Refusal = [404, 'NOT_FOUND'];
export const NOT_MULTIPART: Refusal = [415, 'UNSUPPORTED_MEDIA_TYPE'];
export const NO_ROOM_OR_USER: Refusal = [404, 'ROOM_OR_USER_NOT_FOUND'];
export const NO_BLOCK: Refusal = [404, 'BLOCK_NOT_FOUND'];
export const NO_USER: Refusal = [404, 'USER_NOT_FOUND'];
export const NO_GROUP: Refusal = [404, 'GROUP_NOT_FOUND'];

// Every route a client token may call (issue 9: the matrix covers the whole user surface, not only chat).
export const isChatRoute = (route: RouteEntry) => route.auth === 'user';
/** The routes with attempts: those, and the routes of users' tokens in the body (POST /badges, [hist] 8.2). */
export const isBolaRoute = (route: RouteEntry) => isChatRoute(route) || route.auth === 'bodyTokens';

// Application 1.
export const ALICE = 'alice-a1';
export const BOB = 'bob-b2';
export const CAROL = 'carol-c3';
export const DAVE = 'dave-d4';
/** Banned in room B by bob (not a member of it), and blocked by bob personally. */
export const EVE = 'eve-e5';
export const E_NAME = 'Evelyn Hiddenname';
export const ROOM_A = 'room-a-alice';
export const ROOM_B = 'room-b-private';
export const B_NAME = 'Bob Secret Room';
export const B_DESCRIPTION = 'b private description';
export const B_TAG = 'b-tag-hidden';
export const B_TEXTS = ['b secret text one', 'b secret text two', 'b secret pinned text three', 'b secret text four'];
export const B_EXTRA = 'b secret extra note';
export const D_TEXT = 'd secret direct text';
/** A file message of the direct room (the Flutter form: name in `message`, details in an `extra` JSON text). */
export const D_FILE_NAME = 'd-secret-ledger.xlsx';
export const B_NAMES = ['Bobby Secretname', 'Carol Hiddenname'];
/** Bob's personal preferences and his preferences for room B. */
export const B_PREF_KEYS = ['folders-meta', 'b-private-key'];
export const B_PREF_TEXT = 'b secret folder name';
export const B_ROOM_PREF_TAG = 'b-secret-pref-tag';
/** What alice writes under her own preferences. */
export const ALICE_PREF = { folders: ['alice only'] };
/**
 * User groups' room preferences ([hist] 4.4-4.6): bob's group (bob, carol) is the one member of
 * room C and keeps a preference for it; alice's group (alice alone) is in no room.
 */
export const B_GROUP = 'b-group-g1';
export const A_GROUP = 'a-group-g2';
export const ROOM_C = 'room-c-b-group';
export const B_GROUP_PREF_TEXT = 'b group secret folder';
// Application 2.
export const XAVIER = 'xavier-x9';
export const ROOM_X = 'room-x-other';
export const X_TEXT = 'x secret text';
export const X_NAME = 'Xavier Othername';
export const X_ROOM_NAME = 'Other App Room';
export const X_BUCKET = 'chat-files';
export const X_FILE_NAME = 'x-secret-contract.txt';
export const X_FILE_TEXT = 'x secret file content';
/** Room X's tag, which app 2's file carries ([hist] 9.5); room B's file carries `B_TAG`. */
export const X_TAG = 'x-tag-hidden';
/** Bob's and xavier's push device tokens, and bob's profile field. */
export const B_DEVICE = 'b-secret-device-token';
export const X_DEVICE = 'x-secret-device-token';
export const B_PROFILE = 'b secret profile field';

/** What alice must never see: room B's and the direct room's messages, members and names, and app 2's. */
export const SECRETS = [
  ...B_TEXTS,
  B_EXTRA,
  D_TEXT,
  D_FILE_NAME,
  BOB,
  CAROL,
  EVE,
  E_NAME,
  ...B_NAMES,
  B_NAME,
  B_DESCRIPTION,
  B_TAG,
  B_PREF_KEYS[1]!,
  B_PREF_TEXT,
  B_ROOM_PREF_TAG,
  XAVIER,
  X_TEXT,
  X_NAME,
  X_ROOM_NAME,
  X_FILE_NAME,
  X_FILE_TEXT,
  X_TAG,
  B_DEVICE,
  X_DEVICE,
  B_PROFILE,
  B_GROUP_PREF_TEXT,
];

export interface Ids {
  /** Messages of room B; `pinned` is its pinned one. */
  b: { first: string; second: string; pinned: string; last: string };
  /** Alice's own message in room A. */
  a: { own: string };
  /** The direct room of bob and carol. */
  direct: string;
  /** App 2's message, file and xavier's user token. */
  x: { message: string; file: string; token: string };
}

/** A multipart/form-data upload, as the SDKs' `file.upload` sends it (fields first, then `file`). */
export class Multipart {
  readonly boundary = '----ParleyBolaBoundary7MA4YWxkTrZu0gW';
  constructor(
    readonly fields: Record<string, string>,
    readonly file?: { name: string; type: string; content: string | Buffer },
  ) {}
  get contentType() {
    return `multipart/form-data; boundary=${this.boundary}`;
  }
  get payload(): Buffer {
    const fields = Object.entries(this.fields).map(([name, value]) => ({ name, value }));
    const file = this.file && {
      name: 'file',
      filename: this.file.name,
      type: this.file.type,
      content: Buffer.from(this.file.content),
    };
    return multipartBody(file ? [...fields, file] : fields, 'browser', this.boundary).payload;
  }
  toJSON() {
    const content = this.file?.content;
    return {
      multipart: this.fields,
      file: this.file && { ...this.file, content: typeof content === 'string' ? content : `${content?.length} bytes` },
    };
  }
}

export interface Attempt {
  what: string;
  method: Method;
  url: string;
  body?: unknown;
  /** The acceptable refusals; absent for reads that answer 200 for the caller's own data only. */
  refused?: readonly Refusal[];
  /** For such reads: what the result must (not) contain. */
  check?: (result: any) => void;
  /** Extra request headers (e.g. IM-CLIENT-ID naming another user). */
  headers?: Record<string, string>;
}

export const refuse = (what: string, method: Method, url: string, body: unknown, ...refused: Refusal[]): Attempt => ({
  what,
  method,
  url,
  body,
  refused,
});
export const asUserNamed = (user: string, attempt: Attempt): Attempt => ({
  ...attempt,
  what: `${attempt.what}, naming ${user} in IM-CLIENT-ID`,
  headers: { 'im-client-id': user },
});

/** The attempts per chat route, keyed by "METHOD url" exactly as the route table lists it. */
export function casesFor(ids: Ids): Record<string, Attempt[]> {
  const { b, x } = ids;
  const text = { message: 'hijack attempt', messageType: 'text' };
  /** A send or edit (by `_id`) through `room`: POST /rooms/:id/message. */
  const write = (what: string, room: string, body: object, ...refused: Refusal[]) =>
    refuse(what, 'POST', `/rooms/${room}/message`, body, ...refused);
  /** A change of `client`'s property or role in `room`: PUT /rooms/:id/member/:client. */
  const setMember = (what: string, room: string, client: string, body: object, ...refused: Refusal[]) =>
    refuse(what, 'PUT', `/rooms/${room}/member/${client}`, body, ...refused);
  /** A delete of message `id` (or `_all`) of `room`. */
  const deleteMessage = (what: string, room: string, id: string, ...refused: Refusal[]) =>
    refuse(what, 'DELETE', `/rooms/${room}/messages/${id}`, undefined, ...refused);
  /** A ban (POST) or its lift (DELETE) of `user` in `room`. */
  const ban = (method: Method, what: string, room: string, user: string, body: unknown, ...refused: Refusal[]) =>
    refuse(what, method, `/blockStatus/room/${room}/${user}`, body, ...refused);
  /** An addition (POST) or removal (DELETE) of one member, `client`, of `room` (SDK form). */
  const oneMember = (method: Method, what: string, room: string, client: string, ...refused: Refusal[]) =>
    refuse(what, method, `/rooms/${room}/members/${client}`, {}, ...refused);
  /** A recall of message `id` through `room`. */
  const recall = (what: string, room: string, id: string, ...refused: Refusal[]) =>
    write(what, room, { messageType: 'recall', _id: id }, ...refused);
  const onlyRoomA = (result: any) => {
    expect(result.data.map((room: any) => room._id)).toStrictEqual([ROOM_A]);
    expect(result.totalCount).toBe(1);
  };
  const noInvitations = (result: any) => expect(result).toStrictEqual({ totalCount: 0, data: [] });
  const noHits = (result: any) => {
    for (const [type, value] of Object.entries(result)) {
      if (type === 'messages' || type === 'files')
        expect(
          (value as any[]).map((group) => group.room._id).filter((id) => id !== ROOM_A),
          type,
        ).toStrictEqual([]);
      else
        expect(
          (value as any[]).map((room) => room._id).filter((id) => id !== ROOM_A),
          type,
        ).toStrictEqual([]);
    }
  };
  return {
    'POST /rooms': [
      refuse("room B's id", 'POST', '/rooms', { _id: ROOM_B, name: 'taken over', members: [ALICE] }, ROOM_EXISTS),
      refuse(
        "room B's id, with the trailing slash",
        'POST',
        '/rooms/',
        { _id: ROOM_B, members: [ALICE, BOB] },
        ROOM_EXISTS,
      ),
      // Spec 12 item 28 answers an existing direct room again; to a non-member that would be a read
      // of a room it may not read (spec 4.2, 12 item 33).
      refuse(
        'the existing direct room of bob and carol',
        'POST',
        '/rooms',
        { roomType: 'direct', members: [BOB, CAROL] },
        NOT_MEMBER,
        NOT_ALLOWED,
        ROOM_EXISTS,
      ),
      refuse("app 2's room id and user", 'POST', '/rooms', { _id: ROOM_X, members: [ALICE, XAVIER] }, NO_CLIENT),
    ],
    'POST /rooms/createAndJoin': [
      refuse("room B's id", 'POST', '/rooms/createAndJoin', { _id: ROOM_B }, ROOM_EXISTS),
      refuse("room B's id, inviting bob", 'POST', '/rooms/createAndJoin', { _id: ROOM_B, invitee: BOB }, ROOM_EXISTS),
      refuse("app 2's room id and user", 'POST', '/rooms/createAndJoin', { _id: ROOM_X, invitee: [XAVIER] }, NO_CLIENT),
    ],
    'GET /rooms': [
      { what: 'the plain list', method: 'GET', url: '/rooms', check: onlyRoomA },
      {
        what: 'everything, unread first',
        method: 'GET',
        url: '/rooms?limit=0&sortUnreadFirst=1&updatedAfter=0',
        check: onlyRoomA,
      },
      { what: 'sorted by name', method: 'GET', url: '/rooms?sort=name', check: onlyRoomA },
      // Issue 14 ([hist] 5.7): q narrows her rooms; naming others' members, rooms or fields finds none of theirs.
      {
        what: "q naming bob's rooms by member, id and name",
        method: 'GET',
        url: `/rooms?q=${encodeURIComponent(JSON.stringify({ members: { $in: [BOB, ALICE] } }))}`,
        check: onlyRoomA,
      },
      {
        what: 'q on room B by id',
        method: 'GET',
        url: `/rooms?q=${encodeURIComponent(JSON.stringify({ _id: { $in: [ROOM_B, ROOM_X, ids.direct] } }))}`,
        check: (result) => expect(result).toMatchObject({ totalCount: 0, data: [] }),
      },
      {
        what: "q on room B's name and tag",
        method: 'GET',
        url: `/rooms?q=${encodeURIComponent(JSON.stringify({ name: { $regex: '.*' }, roomTags: { $in: [B_TAG] } }))}`,
        check: (result) => expect(result).toMatchObject({ totalCount: 0, data: [] }),
      },
    ],
    'GET /rooms/:id': [
      refuse('room B', 'GET', `/rooms/${ROOM_B}`, undefined, NOT_MEMBER),
      refuse('the direct room of bob and carol', 'GET', `/rooms/${ids.direct}`, undefined, NOT_MEMBER),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.first}`, undefined, NO_ROOM),
      refuse("app 2's room", 'GET', `/rooms/${ROOM_X}`, undefined, NO_ROOM),
    ],
    'PUT /rooms/:id': [
      refuse('rename room B', 'PUT', `/rooms/${ROOM_B}`, { name: 'renamed by alice' }, NOT_ALLOWED),
      refuse('take over room B', 'PUT', `/rooms/${ROOM_B}`, { owner: ALICE, managers: [ALICE] }, NOT_ALLOWED),
      refuse('freeze room B', 'PUT', `/rooms/${ROOM_B}`, { status: 0 }, NOT_ALLOWED),
      refuse('open room B', 'PUT', `/rooms/${ROOM_B}`, { opening: 1 }, NOT_ALLOWED),
      refuse('a message id of room B as the room', 'PUT', `/rooms/${b.first}`, { name: 'x' }, NO_ROOM),
      refuse("app 2's room", 'PUT', `/rooms/${ROOM_X}`, { name: 'renamed by alice' }, NO_ROOM),
    ],
    'DELETE /rooms/:id': [
      refuse('room B', 'DELETE', `/rooms/${ROOM_B}`, undefined, NOT_ALLOWED),
      refuse('the direct room of bob and carol', 'DELETE', `/rooms/${ids.direct}`, undefined, NOT_ALLOWED),
      refuse('a message id of room B as the room', 'DELETE', `/rooms/${b.first}`, undefined, NO_ROOM),
      refuse("app 2's room", 'DELETE', `/rooms/${ROOM_X}`, undefined, NO_ROOM),
    ],
    'POST /rooms/:id/members': [
      refuse('add herself to room B', 'POST', `/rooms/${ROOM_B}/members`, { invitees: [ALICE] }, NOT_MEMBER),
      refuse(
        'invite herself to room B',
        'POST',
        `/rooms/${ROOM_B}/members`,
        { invitees: [ALICE], invitationRequired: true },
        NOT_MEMBER,
      ),
      refuse(
        'add dave to room B with a system message',
        'POST',
        `/rooms/${ROOM_B}/members`,
        { invitees: [DAVE], systemMessage: true },
        NOT_MEMBER,
      ),
      refuse('a message id of room B as the room', 'POST', `/rooms/${b.first}/members`, { invitees: [ALICE] }, NO_ROOM),
      refuse("add herself to app 2's room", 'POST', `/rooms/${ROOM_X}/members`, { invitees: [ALICE] }, NO_ROOM),
      refuse("add app 2's user to room A", 'POST', `/rooms/${ROOM_A}/members`, { invitees: [XAVIER] }, NO_CLIENT),
    ],
    'POST /rooms/:id/delete/members': [
      refuse('remove bob from room B', 'POST', `/rooms/${ROOM_B}/delete/members`, { members: [BOB] }, NOT_MEMBER),
      refuse(
        'remove everyone from room B',
        'POST',
        `/rooms/${ROOM_B}/delete/members`,
        { members: [BOB, CAROL, ALICE], systemMessage: true },
        NOT_MEMBER,
      ),
      refuse('"leave" room B', 'POST', `/rooms/${ROOM_B}/delete/members`, { members: [ALICE] }, NOT_MEMBER),
      refuse(
        'a message id of room B as the room',
        'POST',
        `/rooms/${b.first}/delete/members`,
        { members: [BOB] },
        NO_ROOM,
      ),
      refuse(
        "remove xavier from app 2's room",
        'POST',
        `/rooms/${ROOM_X}/delete/members`,
        { members: [XAVIER] },
        NO_ROOM,
      ),
    ],
    'PUT /rooms/:id/member/:client': [
      setMember('make herself admin of room B', ROOM_B, ALICE, { property: 'role', value: 'admin' }, NOT_MEMBER),
      setMember('demote carol in room B', ROOM_B, CAROL, { property: 'role', value: 'member' }, NOT_MEMBER),
      setMember("set bob's property in room B", ROOM_B, BOB, { property: 'level', value: 99 }, NOT_MEMBER),
      setMember('a member of room B through room A', ROOM_A, BOB, { property: 'role', value: 'admin' }, NO_CLIENT),
      setMember('a message id of room B as the room', b.first, BOB, { property: 'level', value: 1 }, NO_ROOM),
      setMember("xavier in app 2's room", ROOM_X, XAVIER, { property: 'role', value: 'member' }, NO_ROOM),
    ],
    'POST /rooms/:id/join': [
      // Room B is closed (opening 0): joining an open group room is a feature (spec 12 item 37).
      refuse('join closed room B', 'POST', `/rooms/${ROOM_B}/join`, undefined, NOT_ALLOWED),
      refuse('join the direct room of bob and carol', 'POST', `/rooms/${ids.direct}/join`, undefined, NOT_ALLOWED),
      refuse('a message id of room B as the room', 'POST', `/rooms/${b.first}/join`, undefined, NO_ROOM),
      refuse("join app 2's room", 'POST', `/rooms/${ROOM_X}/join`, undefined, NO_ROOM),
    ],
    // Pending invitations ([hist] 6): bob invited dave to room B.
    'GET /rooms/invitations': [
      { what: 'her own invitations', method: 'GET', url: '/rooms/invitations', check: noInvitations },
      asUserNamed(DAVE, refuse("dave's invitations", 'GET', '/rooms/invitations', undefined, NOT_ALLOWED)),
    ],
    'GET /rooms/:id/invitations': [
      refuse("room B's invitations", 'GET', `/rooms/${ROOM_B}/invitations`, undefined, NOT_MEMBER),
      refuse("the direct room's invitations", 'GET', `/rooms/${ids.direct}/invitations`, undefined, NOT_MEMBER),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.first}/invitations`, undefined, NO_ROOM),
      refuse("app 2's room", 'GET', `/rooms/${ROOM_X}/invitations`, undefined, NO_ROOM),
    ],
    'DELETE /rooms/:id/invitations': [
      // Declining is about the caller's own invitation: hers to room B does not exist, dave's stays.
      { what: 'decline room B', method: 'DELETE', url: `/rooms/${ROOM_B}/invitations`, check: noInvitations },
      { what: "decline app 2's room", method: 'DELETE', url: `/rooms/${ROOM_X}/invitations`, check: noInvitations },
      asUserNamed(
        DAVE,
        refuse("dave's invitation to room B", 'DELETE', `/rooms/${ROOM_B}/invitations`, undefined, NOT_ALLOWED),
      ),
    ],
    'POST /rooms/:id/delete/invitations': [
      refuse(
        "cancel dave's invitation to room B",
        'POST',
        `/rooms/${ROOM_B}/delete/invitations`,
        { invitees: [DAVE] },
        NOT_MEMBER,
      ),
      refuse(
        'cancel in room B with a system message',
        'POST',
        `/rooms/${ROOM_B}/delete/invitations`,
        { invitees: [DAVE, ALICE], systemMessage: true },
        NOT_MEMBER,
      ),
      {
        what: "dave's invitation to room B, through room A",
        method: 'POST',
        url: `/rooms/${ROOM_A}/delete/invitations`,
        body: { invitees: [DAVE], systemMessage: true },
        check: noInvitations,
      },
      refuse(
        'a message id of room B as the room',
        'POST',
        `/rooms/${b.first}/delete/invitations`,
        { invitees: [DAVE] },
        NO_ROOM,
      ),
      refuse("app 2's room", 'POST', `/rooms/${ROOM_X}/delete/invitations`, { invitees: [XAVIER] }, NO_ROOM),
    ],
    'DELETE /rooms/:id/invitations/:invitee': [
      refuse("dave's invitation to room B", 'DELETE', `/rooms/${ROOM_B}/invitations/${DAVE}`, undefined, NOT_MEMBER),
      {
        what: "dave's invitation to room B, through room A",
        method: 'DELETE',
        url: `/rooms/${ROOM_A}/invitations/${DAVE}`,
        check: noInvitations,
      },
      refuse(
        'a message id of room B as the room',
        'DELETE',
        `/rooms/${b.first}/invitations/${DAVE}`,
        undefined,
        NO_ROOM,
      ),
      refuse("xavier's in app 2's room", 'DELETE', `/rooms/${ROOM_X}/invitations/${XAVIER}`, undefined, NO_ROOM),
    ],
    'POST /me/mute/:room': [
      refuse('mute room B', 'POST', `/me/mute/${ROOM_B}`, undefined, NOT_MEMBER, NO_ROOM),
      refuse('a message id of room B as the room', 'POST', `/me/mute/${b.first}`, undefined, NO_ROOM),
      refuse("mute app 2's room", 'POST', `/me/mute/${ROOM_X}`, undefined, NO_ROOM),
    ],
    'DELETE /me/mute/:room': [
      refuse('unmute room B', 'DELETE', `/me/mute/${ROOM_B}`, undefined, NOT_MEMBER, NO_ROOM),
      refuse('a message id of room B as the room', 'DELETE', `/me/mute/${b.first}`, undefined, NO_ROOM),
      refuse("unmute app 2's room", 'DELETE', `/me/mute/${ROOM_X}`, undefined, NO_ROOM),
    ],
    'POST /rooms/:id/message': [
      write('send to room B', ROOM_B, text, NOT_MEMBER),
      write('send to room B with a chosen id', ROOM_B, { ...text, _id: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, NOT_MEMBER),
      write('send to room B as bob', ROOM_B, { ...text, sender: BOB }, NOT_MEMBER),
      write('edit a message of room B in room B', ROOM_B, { ...text, _id: b.first }, NOT_MEMBER),
      // The id is taken: a conflict that names no room and changes nothing (issue 9 item 5).
      write('edit a message of room B through room A', ROOM_A, { ...text, _id: b.first }, ID_TAKEN),
      recall('recall a message of room B in room B', ROOM_B, b.second, NOT_MEMBER),
      recall('recall a message of room B through room A', ROOM_A, b.second, NO_MESSAGE),
      recall('recall the pinned message of room B through room A', ROOM_A, b.pinned, NO_MESSAGE),
      write('her own message of room A, through room B', ROOM_B, { ...text, _id: ids.a.own }, NOT_MEMBER),
      write('a message id of room B as the room', b.first, text, NO_ROOM),
      write("send to app 2's room", ROOM_X, text, NO_ROOM),
      recall("recall app 2's message through room A", ROOM_A, x.message, NO_MESSAGE),
    ],
    'GET /rooms/:id/messages/v3': [
      refuse("room B's messages", 'GET', `/rooms/${ROOM_B}/messages/v3`, undefined, NOT_MEMBER),
      refuse(
        "room B's messages around its pin",
        'GET',
        `/rooms/${ROOM_B}/messages/v3?afterMessage=${b.first}&limit=100`,
        undefined,
        NOT_MEMBER,
      ),
      refuse("the direct room's messages", 'GET', `/rooms/${ids.direct}/messages/v3`, undefined, NOT_MEMBER),
      refuse(
        'room A, before a message of room B',
        'GET',
        `/rooms/${ROOM_A}/messages/v3?beforeMessage=${b.last}`,
        undefined,
        BAD_CURSOR,
      ),
      refuse(
        'room A, after a message of room B',
        'GET',
        `/rooms/${ROOM_A}/messages/v3?afterMessage=${b.first}&timeRangeField=createdAt`,
        undefined,
        BAD_CURSOR,
      ),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.first}/messages/v3`, undefined, NO_ROOM),
      refuse("app 2's room", 'GET', `/rooms/${ROOM_X}/messages/v3`, undefined, NO_ROOM),
      refuse(
        "room A, after app 2's message",
        'GET',
        `/rooms/${ROOM_A}/messages/v3?afterMessage=${x.message}`,
        undefined,
        BAD_CURSOR,
      ),
    ],
    'DELETE /rooms/:id/messages/:messageId': [
      deleteMessage('a message of room B', ROOM_B, b.first, NOT_ALLOWED_DELETE),
      deleteMessage('the pinned message of room B', ROOM_B, b.pinned, NOT_ALLOWED_DELETE),
      deleteMessage('all messages of room B', ROOM_B, '_all', NOT_ALLOWED_DELETE),
      // Alice owns room A, so only the message's room stops her here.
      deleteMessage('a message of room B through room A', ROOM_A, b.second, NO_MESSAGE),
      deleteMessage('her own message of room A, through room B', ROOM_B, ids.a.own, NOT_ALLOWED_DELETE),
      deleteMessage('a message id of room B as the room', b.first, b.first, NO_ROOM),
      deleteMessage("app 2's message in its room", ROOM_X, x.message, NO_ROOM),
      deleteMessage("all of app 2's room", ROOM_X, '_all', NO_ROOM),
      deleteMessage("app 2's message through room A", ROOM_A, x.message, NO_MESSAGE),
    ],
    'POST /messages/:id/pin': [
      refuse('a message of room B', 'POST', `/messages/${b.first}/pin`, undefined, NO_MESSAGE),
      refuse('the pinned message of room B', 'POST', `/messages/${b.pinned}/pin`, undefined, NO_MESSAGE),
      refuse("room B's id as the message", 'POST', `/messages/${ROOM_B}/pin`, undefined, NO_MESSAGE),
      refuse("app 2's message", 'POST', `/messages/${x.message}/pin`, undefined, NO_MESSAGE),
    ],
    'DELETE /messages/:id/pin': [
      refuse('the pinned message of room B', 'DELETE', `/messages/${b.pinned}/pin`, undefined, NO_MESSAGE),
      refuse('another message of room B', 'DELETE', `/messages/${b.first}/pin`, undefined, NO_MESSAGE),
      refuse("app 2's message", 'DELETE', `/messages/${x.message}/pin`, undefined, NO_MESSAGE),
    ],
    'PUT /rooms/:id/lastRead': [
      refuse('read position in room B', 'PUT', `/rooms/${ROOM_B}/lastRead`, { message: b.last }, NOT_MEMBER),
      refuse('room A at a message of room B', 'PUT', `/rooms/${ROOM_A}/lastRead`, { message: b.last }, NO_MESSAGE),
      refuse(
        'room B at her own message of room A',
        'PUT',
        `/rooms/${ROOM_B}/lastRead`,
        { message: ids.a.own },
        NOT_MEMBER,
      ),
      refuse('a message id of room B as the room', 'PUT', `/rooms/${b.first}/lastRead`, { message: b.first }, NO_ROOM),
      refuse("app 2's room", 'PUT', `/rooms/${ROOM_X}/lastRead`, { message: x.message }, NO_ROOM),
      refuse("room A at app 2's message", 'PUT', `/rooms/${ROOM_A}/lastRead`, { message: x.message }, NO_MESSAGE),
    ],
    'POST /search': [
      {
        what: 'a word of every message, all types',
        method: 'POST',
        url: '/search',
        body: {
          type: ['messages', 'roomName', 'roomMember', 'roomTags', 'roomPrefTags', 'roomPrefFolder'],
          keyword: 'secret',
        },
        check: noHits,
      },
      {
        what: "the Vue client's whole list (files too) and a type Parley does not know",
        method: 'POST',
        url: '/search',
        body: {
          type: ['messages', 'roomName', 'roomMember', 'roomPrefTags', 'roomPrefFolder', 'roomTags', 'files', 'links'],
          keyword: 'secret',
        },
        check: (result) => {
          noHits(result);
          expect(result.links).toStrictEqual([]);
        },
      },
      {
        what: "the direct room's file by name, extension and type",
        method: 'POST',
        url: '/search',
        body: { type: ['files'], keyword: D_FILE_NAME },
        check: noHits,
      },
      {
        what: "the direct room's file, restricted to that room",
        method: 'POST',
        url: '/search',
        body: { type: ['messages', 'files'], keyword: 'xlsx', room: ids.direct },
        check: noHits,
      },
      {
        what: "app 2's file name, restricted to its room",
        method: 'POST',
        url: '/search',
        body: { type: ['files'], keyword: 'x-secret', room: ROOM_X },
        check: noHits,
      },
      {
        what: "room B's text, restricted to room B",
        method: 'POST',
        url: '/search',
        body: { type: ['messages'], keyword: B_TEXTS[0], room: ROOM_B },
        check: noHits,
      },
      {
        what: "room B's tag",
        method: 'POST',
        url: '/search',
        body: { type: ['messages', 'roomTags'], keyword: 'b', roomTags: [B_TAG] },
        check: noHits,
      },
      {
        what: "room B's member by id and name",
        method: 'POST',
        url: '/search',
        body: { type: ['roomMember', 'roomName'], keyword: 'bob' },
        check: noHits,
      },
      {
        what: 'text inside extra',
        method: 'POST',
        url: '/search',
        body: { type: 'messages', keyword: 'extra note' },
        check: noHits,
      },
      {
        what: "the direct room's text",
        method: 'POST',
        url: '/search',
        body: { type: 'messages', keyword: 'direct', room: ids.direct },
        check: noHits,
      },
      {
        what: "app 2's text",
        method: 'POST',
        url: '/search',
        body: { type: ['messages', 'roomName'], keyword: 'x secret', room: ROOM_X },
        check: noHits,
      },
    ],
    'POST /messages/search': [
      {
        what: "room B's text",
        method: 'POST',
        url: '/messages/search',
        body: { message: B_TEXTS[0] },
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
      {
        what: "room B's text, restricted to room B",
        method: 'POST',
        url: '/messages/search',
        body: { message: 'secret', room: ROOM_B },
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
      {
        what: "app 2's text",
        method: 'POST',
        url: '/messages/search',
        body: { message: 'x secret', room: ROOM_X },
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
    ],
    'GET /messages': [
      {
        what: "room B's text",
        method: 'GET',
        url: `/messages?q=${encodeURIComponent(JSON.stringify({ message: B_TEXTS[0] }))}`,
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
      {
        what: "the direct room's text",
        method: 'GET',
        url: `/messages?q=${encodeURIComponent(JSON.stringify({ message: 'direct', room: ids.direct }))}`,
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
    ],
    'POST /badges/byRoomTags': [
      {
        what: "room B's tag",
        method: 'POST',
        url: '/badges/byRoomTags',
        body: { tags: [B_TAG] },
        check: (result) => expect(result).toStrictEqual({ totalBadge: 0, data: { [B_TAG]: 0 } }),
      },
      {
        what: 'every tag',
        method: 'POST',
        url: '/badges/byRoomTags',
        body: {},
        check: (result) => expect(result).toStrictEqual({ totalBadge: 1, data: { 'a-tag': 1 } }),
      },
    ],
    'GET /me/badge': [
      {
        what: 'the total',
        method: 'GET',
        url: '/me/badge',
        check: (result) => expect(result).toStrictEqual({ badge: 1 }),
      },
      {
        what: "room B's tag",
        method: 'GET',
        url: `/me/badge?roomTags=${B_TAG}`,
        check: (result) => expect(result).toStrictEqual({ badge: 0 }),
      },
    ],
    // The SDK routes (realtime protocol 6, 9).
    'GET /rooms/ids': [
      {
        what: 'the ids of her rooms',
        method: 'GET',
        url: '/rooms/ids',
        check: (result) => expect(result).toStrictEqual({ totalCount: 1, data: [ROOM_A] }),
      },
      {
        what: 'a page as large as allowed',
        method: 'GET',
        url: '/rooms/ids?limit=100000&skip=0',
        check: (result) => expect(result).toStrictEqual({ totalCount: 1, data: [ROOM_A] }),
      },
    ],
    'GET /rooms/:id/messages': [
      refuse("room B's messages", 'GET', `/rooms/${ROOM_B}/messages?limit=100`, undefined, NOT_MEMBER),
      refuse(
        "room B's messages before its last one",
        'GET',
        `/rooms/${ROOM_B}/messages?limit=20&beforeMessage=${b.last}`,
        undefined,
        NOT_MEMBER,
      ),
      refuse("the direct room's messages", 'GET', `/rooms/${ids.direct}/messages`, undefined, NOT_MEMBER),
      refuse(
        'room A, before a message of room B',
        'GET',
        `/rooms/${ROOM_A}/messages?limit=20&beforeMessage=${b.last}`,
        undefined,
        BAD_CURSOR,
      ),
      refuse(
        'room A, after a message of room B',
        'GET',
        `/rooms/${ROOM_A}/messages?afterMessage=${b.first}`,
        undefined,
        BAD_CURSOR,
      ),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.first}/messages`, undefined, NO_ROOM),
      refuse("app 2's room", 'GET', `/rooms/${ROOM_X}/messages`, undefined, NO_ROOM),
      refuse(
        "room A, before app 2's message",
        'GET',
        `/rooms/${ROOM_A}/messages?beforeMessage=${x.message}`,
        undefined,
        BAD_CURSOR,
      ),
    ],
    'GET /rooms/:id/messages/:messageId': [
      refuse(
        'a message of room B with its neighbours',
        'GET',
        `/rooms/${ROOM_B}/messages/${b.second}?before=10&after=10`,
        undefined,
        NOT_MEMBER,
      ),
      refuse('the pinned message of room B', 'GET', `/rooms/${ROOM_B}/messages/${b.pinned}`, undefined, NOT_MEMBER),
      refuse(
        'a message of room B through the direct room',
        'GET',
        `/rooms/${ids.direct}/messages/${b.first}?before=10`,
        undefined,
        NOT_MEMBER,
      ),
      refuse(
        'a message of room B through room A',
        'GET',
        `/rooms/${ROOM_A}/messages/${b.second}?before=10&after=10`,
        undefined,
        NO_MESSAGE,
      ),
      refuse(
        'the pinned message of room B through room A',
        'GET',
        `/rooms/${ROOM_A}/messages/${b.pinned}`,
        undefined,
        NO_MESSAGE,
      ),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.first}/messages/${b.first}`, undefined, NO_ROOM),
      refuse(
        "app 2's message in its room",
        'GET',
        `/rooms/${ROOM_X}/messages/${x.message}?before=1&after=1`,
        undefined,
        NO_ROOM,
      ),
      refuse("app 2's message through room A", 'GET', `/rooms/${ROOM_A}/messages/${x.message}`, undefined, NO_MESSAGE),
      {
        what: 'her own message of room A with every neighbour',
        method: 'GET',
        url: `/rooms/${ROOM_A}/messages/${ids.a.own}?before=10000&after=10000`,
        check: (result) => {
          expect(result.data.length).toBe(2);
          expect(result.data.map((message: any) => message.room)).toStrictEqual([ROOM_A, ROOM_A]);
        },
      },
    ],
    'GET /rooms/:id/count': [
      refuse("room B's message count", 'GET', `/rooms/${ROOM_B}/count?timeInMS=0`, undefined, NOT_MEMBER),
      refuse("the direct room's message count", 'GET', `/rooms/${ids.direct}/count`, undefined, NOT_MEMBER),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.first}/count`, undefined, NO_ROOM),
      refuse("app 2's room", 'GET', `/rooms/${ROOM_X}/count`, undefined, NO_ROOM),
    ],
    'POST /rooms/:id/members/:client': [
      oneMember('POST', 'add herself to room B', ROOM_B, ALICE, NOT_MEMBER),
      oneMember('POST', 'add dave to room B', ROOM_B, DAVE, NOT_MEMBER),
      oneMember('POST', 'add herself to the direct room of bob and carol', ids.direct, ALICE, NOT_MEMBER, NOT_ALLOWED),
      oneMember('POST', 'a message id of room B as the room', b.first, ALICE, NO_ROOM),
      oneMember('POST', "add herself to app 2's room", ROOM_X, ALICE, NO_ROOM),
      oneMember('POST', "add app 2's user to room A", ROOM_A, XAVIER, NO_CLIENT),
      refuse(
        'invite dave to room B',
        'POST',
        `/rooms/${ROOM_B}/members/${DAVE}`,
        { invitationRequired: true },
        NOT_MEMBER,
      ),
    ],
    'DELETE /rooms/:id/members/:client': [
      oneMember('DELETE', 'remove bob from room B', ROOM_B, BOB, NOT_MEMBER),
      oneMember('DELETE', 'remove carol, the admin, from room B', ROOM_B, CAROL, NOT_MEMBER),
      oneMember('DELETE', '"leave" room B', ROOM_B, ALICE, NOT_MEMBER),
      oneMember('DELETE', 'remove carol from the direct room', ids.direct, CAROL, NOT_MEMBER, NOT_ALLOWED),
      oneMember('DELETE', 'a message id of room B as the room', b.first, BOB, NO_ROOM),
      oneMember('DELETE', "remove xavier from app 2's room", ROOM_X, XAVIER, NO_ROOM),
    ],
    'POST /rooms/:id/typing': [
      refuse('type in room B', 'POST', `/rooms/${ROOM_B}/typing`, { message: 'typing...' }, NOT_MEMBER),
      refuse('type in the direct room', 'POST', `/rooms/${ids.direct}/typing`, { message: 'typing...' }, NOT_MEMBER),
      refuse('a message id of room B as the room', 'POST', `/rooms/${b.first}/typing`, {}, NO_ROOM),
      refuse("type in app 2's room", 'POST', `/rooms/${ROOM_X}/typing`, { message: 'typing...' }, NO_ROOM),
    ],
    'PUT /rooms/:id/bot': [
      refuse(
        "switch room B's bot on",
        'PUT',
        `/rooms/${ROOM_B}/bot`,
        { botMode: true, botState: 'hijacked' },
        NOT_ALLOWED,
      ),
      refuse(
        "set the direct room's bot state",
        'PUT',
        `/rooms/${ids.direct}/bot`,
        { botState: 'hijacked' },
        NOT_ALLOWED,
      ),
      refuse('a message id of room B as the room', 'PUT', `/rooms/${b.first}/bot`, { botMode: true }, NO_ROOM),
      refuse("switch app 2's room bot on", 'PUT', `/rooms/${ROOM_X}/bot`, { botMode: true }, NO_ROOM),
    ],
    'POST /roomPrefs/:room': [
      refuse(
        'her preferences for room B',
        'POST',
        `/roomPrefs/${ROOM_B}`,
        { tags: ['mine'], sticky: true, muted: true },
        NOT_MEMBER,
      ),
      refuse('her preferences for the direct room', 'POST', `/roomPrefs/${ids.direct}`, { hidden: true }, NOT_MEMBER),
      refuse('a message id of room B as the room', 'POST', `/roomPrefs/${b.first}`, { sticky: true }, NO_ROOM),
      refuse("her preferences for app 2's room", 'POST', `/roomPrefs/${ROOM_X}`, { sticky: true }, NO_ROOM),
    ],
    'GET /me/pref': [
      {
        what: 'her own preferences',
        method: 'GET',
        url: '/me/pref',
        check: (result) => {
          expect(Array.isArray(result)).toBe(true);
          for (const entry of result) expect(entry.data, entry.key).toStrictEqual(ALICE_PREF);
        },
      },
      asUserNamed(BOB, refuse("bob's preferences", 'GET', '/me/pref', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's preferences", 'GET', '/me/pref', undefined, NOT_ALLOWED)),
    ],
    'POST /me/pref/:key': [
      // Her own preference under the same key: bob's stays as it was (checked at the end).
      {
        what: "bob's key, for herself",
        method: 'POST',
        url: `/me/pref/${B_PREF_KEYS[0]}`,
        body: ALICE_PREF,
        check: (result) => expect(result).toStrictEqual({ key: B_PREF_KEYS[0], data: ALICE_PREF }),
      },
      asUserNamed(
        BOB,
        refuse("bob's key", 'POST', `/me/pref/${B_PREF_KEYS[0]}`, { folders: ['overwritten'] }, NOT_ALLOWED),
      ),
      asUserNamed(
        BOB,
        refuse("bob's other key", 'POST', `/me/pref/${B_PREF_KEYS[1]}`, { folders: ['overwritten'] }, NOT_ALLOWED),
      ),
    ],
    'DELETE /me/pref/:key': [
      // She has none of that name: nothing to delete (idempotent, [hist] 14 item 16); bob's stays (the snapshot).
      {
        what: "bob's key",
        method: 'DELETE',
        url: `/me/pref/${B_PREF_KEYS[1]}`,
        body: {},
        check: (result) => expect(result).toStrictEqual({ key: B_PREF_KEYS[1] }),
      },
      asUserNamed(BOB, refuse("bob's key", 'DELETE', `/me/pref/${B_PREF_KEYS[1]}`, {}, NOT_ALLOWED)),
      asUserNamed(BOB, refuse("bob's other key", 'DELETE', `/me/pref/${B_PREF_KEYS[0]}`, {}, NOT_ALLOWED)),
    ],
    'POST /files/:bucket': [
      {
        what: "an upload claiming app 2's file id, bucket and owner",
        method: 'POST',
        url: `/files/${X_BUCKET}`,
        body: new Multipart(
          { extra: JSON.stringify({ id: x.file, _id: x.file, owner: XAVIER }), id: x.file, owner: XAVIER },
          { name: 'replacement.txt', type: 'text/plain', content: 'replacement' },
        ),
        check: (result) => {
          expect(result.id).not.toBe(x.file);
          expect(result).toMatchObject({ bucket: X_BUCKET, owner: ALICE, name: 'replacement.txt', size: 11 });
        },
      },
      refuse(
        "a JSON body naming app 2's file",
        'POST',
        `/files/${X_BUCKET}`,
        { id: x.file, owner: XAVIER },
        NOT_MULTIPART,
      ),
    ],
    'POST /files/video-info': [
      {
        what: "a video naming room B (not hers), app 2's bucket, file id and owner",
        method: 'POST',
        url: '/files/video-info',
        body: new Multipart(
          {
            autoUpload: JSON.stringify({ bucket: X_BUCKET, extra: { roomID: ROOM_B, id: x.file, owner: XAVIER } }),
            id: x.file,
          },
          { name: 'alice.mp4', type: 'video/mp4', content: mp4() },
        ),
        check: (result) => {
          expect(result.originalId).not.toBe(x.file);
          expect(result).toMatchObject({ bucketName: X_BUCKET, width: 640, height: 360 });
        },
      },
      refuse(
        "a JSON body naming app 2's file",
        'POST',
        '/files/video-info',
        { autoUpload: { bucket: X_BUCKET }, id: x.file },
        NOT_MULTIPART,
      ),
    ],
    'GET /files/:bucket/:id': [
      refuse("app 2's file", 'GET', `/files/${X_BUCKET}/${x.file}`, undefined, NO_SUCH),
      refuse(
        "a signed URL for app 2's file",
        'GET',
        `/files/${X_BUCKET}/${x.file}?signedUrlOnly=1`,
        undefined,
        NO_SUCH,
      ),
      refuse('a message id of room B as a file', 'GET', `/files/${X_BUCKET}/${b.first}`, undefined, NO_SUCH),
    ],
    'GET /files/:bucket/:id/metadata': [
      refuse("app 2's file", 'GET', `/files/${X_BUCKET}/${x.file}/metadata`, undefined, NO_SUCH),
      refuse('a message id of room B as a file', 'GET', `/files/${X_BUCKET}/${b.first}/metadata`, undefined, NO_SUCH),
    ],
    // Moderation (spec 7.1-7.4): only the owner (or, without one, a superuser) and the platform admin.
    'POST /blockStatus/room/:roomID/:blockee': [
      ban('POST', 'ban carol in room B', ROOM_B, CAROL, undefined, NOT_ALLOWED),
      ban('POST', 'ban bob, its owner, in room B', ROOM_B, BOB, {}, NOT_ALLOWED),
      ban('POST', 'ban dave in room B', ROOM_B, DAVE, {}, NOT_ALLOWED),
      // Neither "already banned" (409) nor "no such user" (404): both would tell.
      ban('POST', 'ban eve, already banned, in room B', ROOM_B, EVE, undefined, NOT_ALLOWED),
      ban('POST', 'ban an unknown user in room B', ROOM_B, 'nobody-n0', undefined, NOT_ALLOWED),
      ban('POST', 'ban herself in room B', ROOM_B, ALICE, undefined, NOT_ALLOWED),
      ban('POST', 'ban carol in the direct room of bob and carol', ids.direct, CAROL, undefined, NOT_ALLOWED),
      ban('POST', 'a message id of room B as the room', b.first, BOB, undefined, NO_ROOM_OR_USER),
      ban('POST', "ban xavier in app 2's room", ROOM_X, XAVIER, undefined, NO_ROOM_OR_USER),
      ban('POST', "ban app 2's user in room A", ROOM_A, XAVIER, undefined, NO_ROOM_OR_USER),
    ],
    'DELETE /blockStatus/room/:roomID/:blockee': [
      ban('DELETE', "lift eve's ban in room B", ROOM_B, EVE, undefined, NOT_ALLOWED),
      ban('DELETE', 'lift a ban carol does not have in room B', ROOM_B, CAROL, undefined, NOT_ALLOWED),
      ban('DELETE', 'the direct room of bob and carol', ids.direct, CAROL, undefined, NOT_ALLOWED),
      ban('DELETE', "lift eve's ban of room B through room A", ROOM_A, EVE, undefined, NO_BLOCK),
      ban('DELETE', 'a message id of room B as the room', b.first, EVE, undefined, NO_ROOM),
      ban('DELETE', "app 2's room", ROOM_X, XAVIER, undefined, NO_ROOM),
    ],
    'GET /blockStatus/room/:roomID': [
      refuse("room B's bans", 'GET', `/blockStatus/room/${ROOM_B}`, undefined, NOT_ALLOWED),
      refuse("the direct room's bans", 'GET', `/blockStatus/room/${ids.direct}`, undefined, NOT_ALLOWED),
      refuse('a message id of room B as the room', 'GET', `/blockStatus/room/${b.first}`, undefined, NO_ROOM),
      refuse("app 2's room's bans", 'GET', `/blockStatus/room/${ROOM_X}`, undefined, NO_ROOM),
      {
        what: "her own room A's bans",
        method: 'GET',
        url: `/blockStatus/room/${ROOM_A}`,
        check: (result) => expect(result).toStrictEqual({ data: [] }),
      },
    ],
    'POST /blockStatus/my/:blockee': [
      refuse("block app 2's user", 'POST', `/blockStatus/my/${XAVIER}`, undefined, NO_USER),
      refuse("block room B's id as a user", 'POST', `/blockStatus/my/${ROOM_B}`, {}, NO_USER),
      asUserNamed(BOB, refuse('block dave as bob', 'POST', `/blockStatus/my/${DAVE}`, undefined, NOT_ALLOWED)),
      asUserNamed(BOB, refuse('block eve again as bob', 'POST', `/blockStatus/my/${EVE}`, undefined, NOT_ALLOWED)),
      asUserNamed(
        XAVIER,
        refuse("block alice as app 2's user", 'POST', `/blockStatus/my/${ALICE}`, undefined, NOT_ALLOWED),
      ),
    ],
    'DELETE /blockStatus/my/:blockee': [
      refuse("bob's block of eve (she has none)", 'DELETE', `/blockStatus/my/${EVE}`, undefined, NO_BLOCK),
      refuse("app 2's user", 'DELETE', `/blockStatus/my/${XAVIER}`, undefined, NO_BLOCK),
      asUserNamed(BOB, refuse("bob's block of eve", 'DELETE', `/blockStatus/my/${EVE}`, undefined, NOT_ALLOWED)),
    ],
    // The user's own profile, devices and the application's configuration.
    'GET /me': [
      { what: 'her own profile', method: 'GET', url: '/me', check: (result) => expect(result._id).toBe(ALICE) },
      asUserNamed(BOB, refuse("bob's profile", 'GET', '/me', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's profile", 'GET', '/me', undefined, NOT_ALLOWED)),
    ],
    'POST /me': [
      refuse("bob's id in the body", 'POST', '/me', { _id: BOB, nickname: 'renamed by alice' }, BAD_CURSOR),
      refuse('turning herself into a robot', 'POST', '/me', { isRobot: true }, BAD_CURSOR),
      asUserNamed(
        BOB,
        refuse("bob's profile", 'POST', '/me', { nickname: 'renamed by alice', note: 'x' }, NOT_ALLOWED),
      ),
      asUserNamed(
        XAVIER,
        refuse("app 2's user's profile", 'POST', '/me', { nickname: 'renamed by alice' }, NOT_ALLOWED),
      ),
      {
        what: "server-kept fields and bob's custom field name, for herself",
        method: 'POST',
        url: '/me',
        body: {
          id: BOB,
          appID: 'other-app',
          isGroup: true,
          members: [BOB],
          mute: [ROOM_B],
          lastLoginTimeMS: 1,
          note: 'alice note',
        },
        check: (result) => {
          expect(result).toMatchObject({ _id: ALICE, id: ALICE, note: 'alice note', mute: [] });
          expect(result.appID).not.toBe('other-app');
          expect(result.isGroup ?? false).toBe(false);
        },
      },
    ],
    'GET /config': [
      {
        what: "the application's configuration",
        method: 'GET',
        url: '/config',
        check: (result) => expect(typeof result).toBe('object'),
      },
      asUserNamed(XAVIER, refuse("app 2's configuration", 'GET', '/config', undefined, NOT_ALLOWED)),
    ],
    'POST /me/subscribe': [
      {
        what: 'a device for bob, by clientId',
        method: 'POST',
        url: '/me/subscribe',
        body: { type: 'fcm', token: 'alice-own-device', clientId: BOB },
        check: (result) => expect(result.client).toBe(ALICE),
      },
      asUserNamed(
        BOB,
        refuse('a device as bob', 'POST', '/me/subscribe', { type: 'fcm', token: 'alice-device-2' }, NOT_ALLOWED),
      ),
      {
        what: "a device of app 2's user",
        method: 'POST',
        url: '/me/subscribe',
        body: { type: 'fcm', token: 'alice-device-3', clientId: XAVIER },
        check: (result) => expect(result.client).toBe(ALICE),
      },
    ],
    'POST /me/unsubscribe': [
      {
        what: "bob's device, by its token and clientId",
        method: 'POST',
        url: '/me/unsubscribe',
        body: { type: 'fcm', token: B_DEVICE, clientId: BOB },
        check: (result) => expect(result).toStrictEqual({ client: ALICE, removed: 0, n: 0, ok: 1 }),
      },
      {
        what: "every device of bob's type, by clientId",
        method: 'POST',
        url: '/me/unsubscribe',
        body: { type: 'ios', clientId: BOB },
        check: (result) => expect(result).toStrictEqual({ client: ALICE, removed: 0, n: 0, ok: 1 }),
      },
      {
        what: "app 2's user's device",
        method: 'POST',
        url: '/me/unsubscribe',
        body: { type: 'fcm', token: X_DEVICE, clientId: XAVIER },
        check: (result) => expect(result).toStrictEqual({ client: ALICE, removed: 0, n: 0, ok: 1 }),
      },
      asUserNamed(BOB, refuse("bob's devices as bob", 'POST', '/me/unsubscribe', { type: 'ios' }, NOT_ALLOWED)),
    ],
    'GET /blockStatus/my': [
      {
        what: 'her own blocks',
        method: 'GET',
        url: '/blockStatus/my',
        check: (result) => expect(result).toStrictEqual({ data: [] }),
      },
      asUserNamed(BOB, refuse("bob's blocks", 'GET', '/blockStatus/my', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's blocks", 'GET', '/blockStatus/my', undefined, NOT_ALLOWED)),
    ],
    // Issue 14, sessions and me ([hist] 2.3, 2.4, 3.2, 3.4). Alice's token must outlive the matrix:
    // her own logout is refused by naming someone else, or run as logout-others (her only token stays).
    'POST /me/logout': [
      asUserNamed(BOB, refuse("bob's session", 'POST', '/me/logout', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's session", 'POST', '/me/logout', undefined, NOT_ALLOWED)),
      {
        ...asUserNamed(BOB, refuse("bob's phone, by its device id", 'POST', '/me/logout', undefined, NOT_ALLOWED)),
        headers: { 'im-client-id': BOB, 'im-device-id': 'bob-phone' },
      },
    ],
    'POST /me/logout-others': [
      {
        what: "her other sessions, from bob's device id (bob's registrations stay)",
        method: 'POST',
        url: '/me/logout-others',
        headers: { 'im-device-id': 'bob-phone' },
        check: (result) => expect(result).toStrictEqual({ data: [] }),
      },
      asUserNamed(BOB, refuse("bob's other sessions", 'POST', '/me/logout-others', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's sessions", 'POST', '/me/logout-others', undefined, NOT_ALLOWED)),
    ],
    'POST /me/notification/enable': [
      {
        what: 'her own notifications',
        method: 'POST',
        url: '/me/notification/enable',
        check: (result) => expect(result).toMatchObject({ _id: ALICE, notificationEnabled: true }),
      },
      asUserNamed(BOB, refuse("bob's notifications", 'POST', '/me/notification/enable', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's", 'POST', '/me/notification/enable', undefined, NOT_ALLOWED)),
    ],
    'POST /me/notification/disable': [
      {
        what: 'her own notifications',
        method: 'POST',
        url: '/me/notification/disable',
        check: (result) => expect(result).toMatchObject({ _id: ALICE, notificationEnabled: false }),
      },
      asUserNamed(BOB, refuse("bob's notifications", 'POST', '/me/notification/disable', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's", 'POST', '/me/notification/disable', undefined, NOT_ALLOWED)),
    ],
    'GET /me/prefs': [
      {
        what: 'her own preferences, as a map',
        method: 'GET',
        url: '/me/prefs',
        check: (result) => {
          expect(Object.keys(result).length).toBeGreaterThan(0);
          for (const [key, data] of Object.entries(result)) expect(data, key).toStrictEqual(ALICE_PREF);
        },
      },
      asUserNamed(BOB, refuse("bob's preferences", 'GET', '/me/prefs', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's preferences", 'GET', '/me/prefs', undefined, NOT_ALLOWED)),
    ],
    // Room preferences ([hist] 4, issue 14): alice's own list and unset, and user groups' preferences.
    'GET /roomPrefs': [
      {
        what: 'her own room preferences',
        method: 'GET',
        url: '/roomPrefs',
        check: (result) => {
          expect(result.data.map((entry: any) => entry.room).filter((room: string) => room !== ROOM_A)).toStrictEqual(
            [],
          );
          expect(result.totalCount).toBe(result.data.length);
        },
      },
      asUserNamed(BOB, refuse("bob's room preferences", 'GET', '/roomPrefs', undefined, NOT_ALLOWED)),
      asUserNamed(XAVIER, refuse("app 2's user's room preferences", 'GET', '/roomPrefs', undefined, NOT_ALLOWED)),
    ],
    'DELETE /roomPrefs/:room/:key': [
      refuse("her preferences' tags for room B", 'DELETE', `/roomPrefs/${ROOM_B}/tags`, {}, NOT_MEMBER),
      refuse(
        "her preferences' folder for the direct room",
        'DELETE',
        `/roomPrefs/${ids.direct}/folder`,
        {},
        NOT_MEMBER,
      ),
      refuse("her group's room C", 'DELETE', `/roomPrefs/${ROOM_C}/folder`, {}, NOT_MEMBER),
      refuse('a message id of room B as the room', 'DELETE', `/roomPrefs/${b.first}/tags`, {}, NO_ROOM),
      refuse("app 2's room", 'DELETE', `/roomPrefs/${ROOM_X}/tags`, {}, NO_ROOM),
      asUserNamed(BOB, refuse("bob's tags for room B", 'DELETE', `/roomPrefs/${ROOM_B}/tags`, {}, NOT_ALLOWED)),
    ],
    'POST /roomPrefs/:room/group/:group': [
      refuse("bob's group's preferences for room C", 'POST', groupPref(ROOM_C, B_GROUP), { folder: 'x' }, NOT_ALLOWED),
      refuse("bob's group's preferences for room B", 'POST', groupPref(ROOM_B, B_GROUP), { tags: ['x'] }, NOT_ALLOWED),
      refuse("her group's preferences for room B", 'POST', groupPref(ROOM_B, A_GROUP), { sticky: true }, NOT_MEMBER),
      refuse("her group's for room C", 'POST', groupPref(ROOM_C, A_GROUP), { folder: 'x' }, NOT_MEMBER),
      refuse("her group's for the direct room", 'POST', groupPref(ids.direct, A_GROUP), { hidden: true }, NOT_MEMBER),
      refuse("her group's, a message id of room B as the room", 'POST', groupPref(b.first, A_GROUP), {}, NO_ROOM),
      refuse("her group's for app 2's room", 'POST', groupPref(ROOM_X, A_GROUP), { sticky: true }, NO_ROOM),
      refuse('bob, a user, as a group, for room B', 'POST', groupPref(ROOM_B, BOB), { sticky: true }, NOT_ALLOWED),
      refuse("app 2's user as a group", 'POST', groupPref(ROOM_X, XAVIER), { sticky: true }, NOT_ALLOWED),
      asUserNamed(
        BOB,
        refuse("bob's group's room C", 'POST', groupPref(ROOM_C, B_GROUP), { folder: 'x' }, NOT_ALLOWED),
      ),
    ],
    'GET /roomPrefs/group/:group': [
      refuse("bob's group's preferences", 'GET', `/roomPrefs/group/${B_GROUP}`, undefined, NOT_ALLOWED),
      refuse('bob, a user, as a group', 'GET', `/roomPrefs/group/${BOB}`, undefined, NOT_ALLOWED),
      refuse("app 2's user as a group", 'GET', `/roomPrefs/group/${XAVIER}`, undefined, NOT_ALLOWED),
      {
        what: "her own group's preferences",
        method: 'GET',
        url: `/roomPrefs/group/${A_GROUP}`,
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
      asUserNamed(BOB, refuse("bob's group's", 'GET', `/roomPrefs/group/${B_GROUP}`, undefined, NOT_ALLOWED)),
    ],
    'DELETE /roomPrefs/:room/group/:group/:key': [
      refuse("bob's group's folder for room C", 'DELETE', `${groupPref(ROOM_C, B_GROUP)}/folder`, {}, NOT_ALLOWED),
      refuse("her group's tags for room B", 'DELETE', `${groupPref(ROOM_B, A_GROUP)}/tags`, {}, NOT_MEMBER),
      refuse("her group's for room C", 'DELETE', `${groupPref(ROOM_C, A_GROUP)}/folder`, {}, NOT_MEMBER),
      refuse('a message id of room B as the room', 'DELETE', `${groupPref(b.first, A_GROUP)}/tags`, {}, NO_ROOM),
      refuse("app 2's room", 'DELETE', `${groupPref(ROOM_X, A_GROUP)}/tags`, {}, NO_ROOM),
      asUserNamed(
        BOB,
        refuse("bob's group's room C", 'DELETE', `${groupPref(ROOM_C, B_GROUP)}/folder`, {}, NOT_ALLOWED),
      ),
    ],
    // Issue 14, reactions (history 7.7): only members of the message's room react.
    'POST /messages/:id/reaction': [
      refuse('a message of room B', 'POST', `/messages/${b.first}/reaction`, { reaction: 'like' }, NO_MESSAGE),
      refuse('the pinned message of room B', 'POST', `/messages/${b.pinned}/reaction`, { reaction: 'wow' }, NO_MESSAGE),
      refuse("the direct room's message", 'POST', `/messages/${ids.direct}/reaction`, { reaction: 'like' }, NO_MESSAGE),
      refuse("app 2's message", 'POST', `/messages/${x.message}/reaction`, { reaction: 'like' }, NO_MESSAGE),
    ],
    'DELETE /messages/:id/reaction': [
      refuse(
        'a reaction to a message of room B',
        'DELETE',
        `/messages/${b.first}/reaction?reaction=like`,
        undefined,
        NO_MESSAGE,
      ),
      refuse("app 2's message", 'DELETE', `/messages/${x.message}/reaction?reaction=like`, undefined, NO_MESSAGE),
    ],
    // Issue 14, moderator hide (history 7.8): the room's superusers only; outside the room the message is not there.
    'POST /messages/:id/hidden': [
      refuse('a message of room B', 'POST', `/messages/${b.first}/hidden`, undefined, NO_MESSAGE),
      refuse("app 2's message", 'POST', `/messages/${x.message}/hidden`, undefined, NO_MESSAGE),
    ],
    'DELETE /messages/:id/hidden': [
      refuse('a message of room B', 'DELETE', `/messages/${b.first}/hidden`, undefined, NO_MESSAGE),
      refuse("app 2's message", 'DELETE', `/messages/${x.message}/hidden`, undefined, NO_MESSAGE),
    ],
    'POST /messages/hide-by-sender-in-room': [
      refuse(
        "bob's messages in room B",
        'POST',
        '/messages/hide-by-sender-in-room',
        { room: ROOM_B, sender: BOB },
        NOT_MEMBER,
      ),
      refuse("app 2's room", 'POST', '/messages/hide-by-sender-in-room', { room: ROOM_X, sender: XAVIER }, NO_ROOM),
    ],
    'POST /messages/unhide-by-sender-in-room': [
      refuse(
        "bob's messages in room B",
        'POST',
        '/messages/unhide-by-sender-in-room',
        { room: ROOM_B, sender: BOB },
        NOT_MEMBER,
      ),
      refuse("app 2's room", 'POST', '/messages/unhide-by-sender-in-room', { room: ROOM_X, sender: XAVIER }, NO_ROOM),
    ],
    // Issue 14, delete for me (history 7.9): only a member, only the room's messages, only one's own records.
    'POST /messages/user-delete': [
      refuse("room B's messages", 'POST', '/messages/user-delete', { room: ROOM_B, messages: [b.first] }, NOT_MEMBER),
      refuse(
        'the direct room of bob and carol',
        'POST',
        '/messages/user-delete',
        { room: ids.direct, messages: [b.first] },
        NOT_MEMBER,
      ),
      refuse("app 2's room", 'POST', '/messages/user-delete', { room: ROOM_X, messages: [x.message] }, NO_ROOM),
      {
        what: "room B's message through room A",
        method: 'POST',
        url: '/messages/user-delete',
        body: { room: ROOM_A, messages: [b.first, x.message] },
        check: (result) => expect(result).toStrictEqual({ room: ROOM_A, totalCount: 0, messages: [] }),
      },
    ],
    'POST /messages/user-delete/all-in-room': [
      refuse('all of room B', 'POST', '/messages/user-delete/all-in-room', { room: ROOM_B }, NOT_MEMBER),
      refuse("all of app 2's room", 'POST', '/messages/user-delete/all-in-room', { room: ROOM_X }, NO_ROOM),
    ],
    'GET /messages/user-delete': [
      {
        what: "her deletions in room B (bob's are his)",
        method: 'GET',
        url: `/messages/user-delete?room=${ROOM_B}`,
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
      {
        what: "her deletions in app 2's room",
        method: 'GET',
        url: `/messages/user-delete?room=${ROOM_X}`,
        check: (result) => expect(result).toStrictEqual({ totalCount: 0, data: [] }),
      },
    ],
    // Issue 14, rooms of the older documentation ([hist] 5): existence is all a non-member learns.
    'GET /rooms/quitted': [
      {
        what: 'her own departures (none), not those of others',
        method: 'GET',
        url: '/rooms/quitted',
        check: (result) => expect(result).toStrictEqual({ data: [] }),
      },
      asUserNamed(BOB, refuse("bob's departures", 'GET', '/rooms/quitted', undefined, NOT_ALLOWED)),
    ],
    'GET /rooms/:id/exists': [
      {
        what: 'whether room B exists (it does; nothing more is told)',
        method: 'GET',
        url: `/rooms/${ROOM_B}/exists`,
        check: (result) => expect(result).toStrictEqual({ exists: true }),
      },
      {
        what: 'a message id of room B as the room',
        method: 'GET',
        url: `/rooms/${b.first}/exists`,
        check: (result) => expect(result).toStrictEqual({ exists: false }),
      },
      {
        what: "app 2's room",
        method: 'GET',
        url: `/rooms/${ROOM_X}/exists`,
        check: (result) => expect(result).toStrictEqual({ exists: false }),
      },
    ],
    // Issue 14, messages, badges and files of the older documentation (i14-msgs).
    'GET /rooms/:id/pined-messages': [
      {
        what: "room A's own pinned messages",
        method: 'GET',
        url: `/rooms/${ROOM_A}/pined-messages`,
        check: (result) => expect(result.data.filter((message: any) => message.room !== ROOM_A)).toStrictEqual([]),
      },
      refuse("room B's pinned messages", 'GET', `/rooms/${ROOM_B}/pined-messages`, undefined, NOT_MEMBER),
      refuse("the direct room's pinned messages", 'GET', `/rooms/${ids.direct}/pined-messages`, undefined, NOT_MEMBER),
      refuse('a message id of room B as the room', 'GET', `/rooms/${b.pinned}/pined-messages`, undefined, NO_ROOM),
      refuse("app 2's room", 'GET', `/rooms/${ROOM_X}/pined-messages`, undefined, NO_ROOM),
      asUserNamed(
        BOB,
        refuse("room B's pinned messages", 'GET', `/rooms/${ROOM_B}/pined-messages`, undefined, NOT_ALLOWED),
      ),
    ],
    'GET /messages/recent': [
      {
        what: 'her recent messages, room A only',
        method: 'GET',
        url: '/messages/recent?limit=100',
        check: (result) => {
          expect(result.data.length).toBeGreaterThan(0);
          expect(result.data.filter((message: any) => message.room !== ROOM_A)).toStrictEqual([]);
          expect(result.count).toBe(result.data.length);
        },
      },
      asUserNamed(BOB, refuse("bob's recent messages", 'GET', '/messages/recent', undefined, NOT_ALLOWED)),
    ],
    'POST /badges/byRoomTagsAndTime': [
      {
        what: "room B's tag, before a time to come",
        method: 'POST',
        url: '/badges/byRoomTagsAndTime',
        body: { tags: [B_TAG], beforeTime: '2999-01-01T00:00:00Z' },
        check: (result) => expect(result).toStrictEqual({ totalBadge: 0, data: { [B_TAG]: 0 } }),
      },
      {
        what: 'every tag, before a time to come',
        method: 'POST',
        url: '/badges/byRoomTagsAndTime',
        body: { beforeTime: 32503680000000 },
        check: (result) => expect(result).toStrictEqual({ totalBadge: 1, data: { 'a-tag': 1 } }),
      },
      asUserNamed(BOB, refuse("bob's badges", 'POST', '/badges/byRoomTagsAndTime', {}, NOT_ALLOWED)),
    ],
    // Issue 14, badges of several users by token ([hist] 8.2): only a valid token of the application
    // names a user; ids, names and app 2's token name nobody (alice's own token in the headers is not read).
    'POST /badges': [
      {
        what: "bob's and carol's ids, room B and its messages as tokens",
        method: 'POST',
        url: '/badges',
        body: { tokens: [BOB, CAROL, ROOM_B, b.first, ids.direct, B_TAG] },
        check: (result) => expect(result).toStrictEqual({ data: [], totalBadge: 0 }),
      },
      {
        what: "app 2's user token with app 1's client key",
        method: 'POST',
        url: '/badges',
        body: { tokens: [x.token, XAVIER, ROOM_X] },
        check: (result) => expect(result).toStrictEqual({ data: [], totalBadge: 0 }),
      },
      asUserNamed(BOB, {
        what: 'no token',
        method: 'POST',
        url: '/badges',
        body: { tokens: [] },
        check: (result) => expect(result).toStrictEqual({ data: [], totalBadge: 0 }),
      }),
    ],
    // Issue 14, file statistics by room tag ([hist] 9.5): a user counts the files of her own rooms only.
    'POST /files/stats': [
      {
        what: "room B's tag and app 2's room tag",
        method: 'POST',
        url: '/files/stats',
        body: { tags: [B_TAG, X_TAG] },
        check: (result) =>
          expect({ ...result, inspect: undefined }).toStrictEqual({
            inspect: undefined,
            data: { [B_TAG]: { size: 0, count: 0 }, [X_TAG]: { size: 0, count: 0 } },
            totalCount: 0,
            totalSize: 0,
          }),
      },
      {
        what: 'every tag',
        method: 'POST',
        url: '/files/stats',
        body: {},
        check: (result) => expect([result.data, result.totalCount, result.totalSize]).toStrictEqual([{}, 0, 0]),
      },
      asUserNamed(BOB, refuse("bob's file statistics", 'POST', '/files/stats', {}, NOT_ALLOWED)),
    ],
    // Issue 15: the Web Push key a browser subscribes with is her own application's (app 2 has one).
    'GET /push/webpush/key': [
      refuse("app 2's Web Push key", 'GET', '/push/webpush/key', undefined, [404, 'NOT_FOUND']),
      asUserNamed(BOB, refuse('the key, naming bob', 'GET', '/push/webpush/key', undefined, NOT_ALLOWED)),
    ],
  };
}

const groupPref = (room: string, group: string) => `/roomPrefs/${room}/group/${group}`;

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import type { RouteEntry } from '../../src/http/types.js';
import { createRoom } from '../helpers/factories.js';

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

type Method = NonNullable<InjectOptions['method']>;
type Refusal = readonly [status: number, code: string];

const NOT_MEMBER: Refusal = [403, 'NOT_ROOM_MEMBER'];
const NO_ROOM: Refusal = [404, 'ROOM_NOT_FOUND'];
const NO_MESSAGE: Refusal = [404, 'MESSAGE_NOT_FOUND'];
const ID_TAKEN: Refusal = [409, 'MESSAGE_EXISTS'];
const NO_CLIENT: Refusal = [404, 'CLIENT_NOT_FOUND'];
const NOT_ALLOWED: Refusal = [403, 'INSUFFICIENT_PERMISSIONS'];
const NOT_ALLOWED_DELETE: Refusal = [403, 'INSUFFICIENT_PERMISSION'];
const ROOM_EXISTS: Refusal = [409, 'ROOM_EXISTS'];
const BAD_CURSOR: Refusal = [400, 'INVALID_REQUEST'];
const NO_SUCH: Refusal = [404, 'NOT_FOUND'];
const NOT_MULTIPART: Refusal = [415, 'UNSUPPORTED_MEDIA_TYPE'];
const NO_ROOM_OR_USER: Refusal = [404, 'ROOM_OR_USER_NOT_FOUND'];
const NO_BLOCK: Refusal = [404, 'BLOCK_NOT_FOUND'];
const NO_USER: Refusal = [404, 'USER_NOT_FOUND'];

// Every route a client token may call (issue 9: the matrix covers the whole user surface, not only chat).
const isChatRoute = (route: RouteEntry) => route.auth === 'user';

// Application 1.
const ALICE = 'alice-a1';
const BOB = 'bob-b2';
const CAROL = 'carol-c3';
const DAVE = 'dave-d4';
/** Banned in room B by bob (not a member of it), and blocked by bob personally. */
const EVE = 'eve-e5';
const E_NAME = 'Evelyn Hiddenname';
const ROOM_A = 'room-a-alice';
const ROOM_B = 'room-b-private';
const B_NAME = 'Bob Secret Room';
const B_DESCRIPTION = 'b private description';
const B_TAG = 'b-tag-hidden';
const B_TEXTS = ['b secret text one', 'b secret text two', 'b secret pinned text three', 'b secret text four'];
const B_EXTRA = 'b secret extra note';
const D_TEXT = 'd secret direct text';
const B_NAMES = ['Bobby Secretname', 'Carol Hiddenname'];
/** Bob's personal preferences and his preferences for room B. */
const B_PREF_KEYS = ['folders-meta', 'b-private-key'];
const B_PREF_TEXT = 'b secret folder name';
const B_ROOM_PREF_TAG = 'b-secret-pref-tag';
/** What alice writes under her own preferences. */
const ALICE_PREF = { folders: ['alice only'] };
// Application 2.
const XAVIER = 'xavier-x9';
const ROOM_X = 'room-x-other';
const X_TEXT = 'x secret text';
const X_NAME = 'Xavier Othername';
const X_ROOM_NAME = 'Other App Room';
const X_BUCKET = 'chat-files';
const X_FILE_NAME = 'x-secret-contract.txt';
const X_FILE_TEXT = 'x secret file content';
/** Bob's and xavier's push device tokens, and bob's profile field. */
const B_DEVICE = 'b-secret-device-token';
const X_DEVICE = 'x-secret-device-token';
const B_PROFILE = 'b secret profile field';

/** What alice must never see: room B's and the direct room's messages, members and names, and app 2's. */
const SECRETS = [
  ...B_TEXTS,
  B_EXTRA,
  D_TEXT,
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
  B_DEVICE,
  X_DEVICE,
  B_PROFILE,
];

interface Ids {
  /** Messages of room B; `pinned` is its pinned one. */
  b: { first: string; second: string; pinned: string; last: string };
  /** Alice's own message in room A. */
  a: { own: string };
  /** The direct room of bob and carol. */
  direct: string;
  x: { message: string; file: string };
}

/** A multipart/form-data upload, as the SDKs' `file.upload` sends it. */
class Multipart {
  readonly boundary = '----ParleyBolaBoundary7MA4YWxkTrZu0gW';
  constructor(
    readonly fields: Record<string, string>,
    readonly file?: { name: string; type: string; content: string },
  ) {}
  get contentType() {
    return `multipart/form-data; boundary=${this.boundary}`;
  }
  get payload() {
    const parts = Object.entries(this.fields).map(
      ([name, value]) => `--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    if (this.file) {
      parts.push(
        `--${this.boundary}\r\nContent-Disposition: form-data; name="file"; filename="${this.file.name}"\r\nContent-Type: ${this.file.type}\r\n\r\n${this.file.content}\r\n`,
      );
    }
    return `${parts.join('')}--${this.boundary}--\r\n`;
  }
  toJSON() {
    return { multipart: this.fields, file: this.file };
  }
}

interface Attempt {
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

const refuse = (what: string, method: Method, url: string, body: unknown, ...refused: Refusal[]): Attempt => ({
  what,
  method,
  url,
  body,
  refused,
});
const asUserNamed = (user: string, attempt: Attempt): Attempt => ({
  ...attempt,
  what: `${attempt.what}, naming ${user} in IM-CLIENT-ID`,
  headers: { 'im-client-id': user },
});

/** The attempts per chat route, keyed by "METHOD url" exactly as the route table lists it. */
function casesFor(ids: Ids): Record<string, Attempt[]> {
  const { b, x } = ids;
  const text = { message: 'hijack attempt', messageType: 'text' };
  const onlyRoomA = (result: any) => {
    expect(result.data.map((room: any) => room._id)).toStrictEqual([ROOM_A]);
    expect(result.totalCount).toBe(1);
  };
  const noHits = (result: any) => {
    for (const [type, value] of Object.entries(result)) {
      if (type === 'messages')
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
      refuse(
        'make herself admin of room B',
        'PUT',
        `/rooms/${ROOM_B}/member/${ALICE}`,
        { property: 'role', value: 'admin' },
        NOT_MEMBER,
      ),
      refuse(
        'demote carol in room B',
        'PUT',
        `/rooms/${ROOM_B}/member/${CAROL}`,
        { property: 'role', value: 'member' },
        NOT_MEMBER,
      ),
      refuse(
        "set bob's property in room B",
        'PUT',
        `/rooms/${ROOM_B}/member/${BOB}`,
        { property: 'level', value: 99 },
        NOT_MEMBER,
      ),
      refuse(
        'a member of room B through room A',
        'PUT',
        `/rooms/${ROOM_A}/member/${BOB}`,
        { property: 'role', value: 'admin' },
        NO_CLIENT,
      ),
      refuse(
        'a message id of room B as the room',
        'PUT',
        `/rooms/${b.first}/member/${BOB}`,
        { property: 'level', value: 1 },
        NO_ROOM,
      ),
      refuse(
        "xavier in app 2's room",
        'PUT',
        `/rooms/${ROOM_X}/member/${XAVIER}`,
        { property: 'role', value: 'member' },
        NO_ROOM,
      ),
    ],
    'POST /rooms/:id/join': [
      // Room B is closed (opening 0): joining an open group room is a feature (spec 12 item 37).
      refuse('join closed room B', 'POST', `/rooms/${ROOM_B}/join`, undefined, NOT_ALLOWED),
      refuse('join the direct room of bob and carol', 'POST', `/rooms/${ids.direct}/join`, undefined, NOT_ALLOWED),
      refuse('a message id of room B as the room', 'POST', `/rooms/${b.first}/join`, undefined, NO_ROOM),
      refuse("join app 2's room", 'POST', `/rooms/${ROOM_X}/join`, undefined, NO_ROOM),
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
      refuse('send to room B', 'POST', `/rooms/${ROOM_B}/message`, text, NOT_MEMBER),
      refuse(
        'send to room B with a chosen id',
        'POST',
        `/rooms/${ROOM_B}/message`,
        { ...text, _id: 'aaaaaaaaaaaaaaaaaaaaaaaa' },
        NOT_MEMBER,
      ),
      refuse('send to room B as bob', 'POST', `/rooms/${ROOM_B}/message`, { ...text, sender: BOB }, NOT_MEMBER),
      refuse(
        'edit a message of room B in room B',
        'POST',
        `/rooms/${ROOM_B}/message`,
        { ...text, _id: b.first },
        NOT_MEMBER,
      ),
      // The id is taken: a conflict that names no room and changes nothing (issue 9 item 5).
      refuse(
        'edit a message of room B through room A',
        'POST',
        `/rooms/${ROOM_A}/message`,
        { ...text, _id: b.first },
        ID_TAKEN,
      ),
      refuse(
        'recall a message of room B in room B',
        'POST',
        `/rooms/${ROOM_B}/message`,
        { messageType: 'recall', _id: b.second },
        NOT_MEMBER,
      ),
      refuse(
        'recall a message of room B through room A',
        'POST',
        `/rooms/${ROOM_A}/message`,
        { messageType: 'recall', _id: b.second },
        NO_MESSAGE,
      ),
      refuse(
        'recall the pinned message of room B through room A',
        'POST',
        `/rooms/${ROOM_A}/message`,
        { messageType: 'recall', _id: b.pinned },
        NO_MESSAGE,
      ),
      refuse(
        'her own message of room A, through room B',
        'POST',
        `/rooms/${ROOM_B}/message`,
        { ...text, _id: ids.a.own },
        NOT_MEMBER,
      ),
      refuse('a message id of room B as the room', 'POST', `/rooms/${b.first}/message`, text, NO_ROOM),
      refuse("send to app 2's room", 'POST', `/rooms/${ROOM_X}/message`, text, NO_ROOM),
      refuse(
        "recall app 2's message through room A",
        'POST',
        `/rooms/${ROOM_A}/message`,
        { messageType: 'recall', _id: x.message },
        NO_MESSAGE,
      ),
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
      refuse('a message of room B', 'DELETE', `/rooms/${ROOM_B}/messages/${b.first}`, undefined, NOT_ALLOWED_DELETE),
      refuse(
        'the pinned message of room B',
        'DELETE',
        `/rooms/${ROOM_B}/messages/${b.pinned}`,
        undefined,
        NOT_ALLOWED_DELETE,
      ),
      refuse('all messages of room B', 'DELETE', `/rooms/${ROOM_B}/messages/_all`, undefined, NOT_ALLOWED_DELETE),
      // Alice owns room A, so only the message's room stops her here.
      refuse(
        'a message of room B through room A',
        'DELETE',
        `/rooms/${ROOM_A}/messages/${b.second}`,
        undefined,
        NO_MESSAGE,
      ),
      refuse(
        'her own message of room A, through room B',
        'DELETE',
        `/rooms/${ROOM_B}/messages/${ids.a.own}`,
        undefined,
        NOT_ALLOWED_DELETE,
      ),
      refuse(
        'a message id of room B as the room',
        'DELETE',
        `/rooms/${b.first}/messages/${b.first}`,
        undefined,
        NO_ROOM,
      ),
      refuse("app 2's message in its room", 'DELETE', `/rooms/${ROOM_X}/messages/${x.message}`, undefined, NO_ROOM),
      refuse("all of app 2's room", 'DELETE', `/rooms/${ROOM_X}/messages/_all`, undefined, NO_ROOM),
      refuse(
        "app 2's message through room A",
        'DELETE',
        `/rooms/${ROOM_A}/messages/${x.message}`,
        undefined,
        NO_MESSAGE,
      ),
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
      refuse('add herself to room B', 'POST', `/rooms/${ROOM_B}/members/${ALICE}`, {}, NOT_MEMBER),
      refuse('add dave to room B', 'POST', `/rooms/${ROOM_B}/members/${DAVE}`, {}, NOT_MEMBER),
      refuse(
        'add herself to the direct room of bob and carol',
        'POST',
        `/rooms/${ids.direct}/members/${ALICE}`,
        {},
        NOT_MEMBER,
        NOT_ALLOWED,
      ),
      refuse('a message id of room B as the room', 'POST', `/rooms/${b.first}/members/${ALICE}`, {}, NO_ROOM),
      refuse("add herself to app 2's room", 'POST', `/rooms/${ROOM_X}/members/${ALICE}`, {}, NO_ROOM),
      refuse("add app 2's user to room A", 'POST', `/rooms/${ROOM_A}/members/${XAVIER}`, {}, NO_CLIENT),
    ],
    'DELETE /rooms/:id/members/:client': [
      refuse('remove bob from room B', 'DELETE', `/rooms/${ROOM_B}/members/${BOB}`, {}, NOT_MEMBER),
      refuse('remove carol, the admin, from room B', 'DELETE', `/rooms/${ROOM_B}/members/${CAROL}`, {}, NOT_MEMBER),
      refuse('"leave" room B', 'DELETE', `/rooms/${ROOM_B}/members/${ALICE}`, {}, NOT_MEMBER),
      refuse(
        'remove carol from the direct room',
        'DELETE',
        `/rooms/${ids.direct}/members/${CAROL}`,
        {},
        NOT_MEMBER,
        NOT_ALLOWED,
      ),
      refuse('a message id of room B as the room', 'DELETE', `/rooms/${b.first}/members/${BOB}`, {}, NO_ROOM),
      refuse("remove xavier from app 2's room", 'DELETE', `/rooms/${ROOM_X}/members/${XAVIER}`, {}, NO_ROOM),
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
      refuse("bob's key (she has none of that name)", 'DELETE', `/me/pref/${B_PREF_KEYS[1]}`, {}, NO_SUCH),
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
      refuse('ban carol in room B', 'POST', `/blockStatus/room/${ROOM_B}/${CAROL}`, undefined, NOT_ALLOWED),
      refuse('ban bob, its owner, in room B', 'POST', `/blockStatus/room/${ROOM_B}/${BOB}`, {}, NOT_ALLOWED),
      refuse('ban dave in room B', 'POST', `/blockStatus/room/${ROOM_B}/${DAVE}`, {}, NOT_ALLOWED),
      // Neither "already banned" (409) nor "no such user" (404): both would tell.
      refuse(
        'ban eve, already banned, in room B',
        'POST',
        `/blockStatus/room/${ROOM_B}/${EVE}`,
        undefined,
        NOT_ALLOWED,
      ),
      refuse('ban an unknown user in room B', 'POST', `/blockStatus/room/${ROOM_B}/nobody-n0`, undefined, NOT_ALLOWED),
      refuse('ban herself in room B', 'POST', `/blockStatus/room/${ROOM_B}/${ALICE}`, undefined, NOT_ALLOWED),
      refuse(
        'ban carol in the direct room of bob and carol',
        'POST',
        `/blockStatus/room/${ids.direct}/${CAROL}`,
        undefined,
        NOT_ALLOWED,
      ),
      refuse(
        'a message id of room B as the room',
        'POST',
        `/blockStatus/room/${b.first}/${BOB}`,
        undefined,
        NO_ROOM_OR_USER,
      ),
      refuse("ban xavier in app 2's room", 'POST', `/blockStatus/room/${ROOM_X}/${XAVIER}`, undefined, NO_ROOM_OR_USER),
      refuse("ban app 2's user in room A", 'POST', `/blockStatus/room/${ROOM_A}/${XAVIER}`, undefined, NO_ROOM_OR_USER),
    ],
    'DELETE /blockStatus/room/:roomID/:blockee': [
      refuse("lift eve's ban in room B", 'DELETE', `/blockStatus/room/${ROOM_B}/${EVE}`, undefined, NOT_ALLOWED),
      refuse(
        'lift a ban carol does not have in room B',
        'DELETE',
        `/blockStatus/room/${ROOM_B}/${CAROL}`,
        undefined,
        NOT_ALLOWED,
      ),
      refuse(
        'the direct room of bob and carol',
        'DELETE',
        `/blockStatus/room/${ids.direct}/${CAROL}`,
        undefined,
        NOT_ALLOWED,
      ),
      refuse(
        "lift eve's ban of room B through room A",
        'DELETE',
        `/blockStatus/room/${ROOM_A}/${EVE}`,
        undefined,
        NO_BLOCK,
      ),
      refuse('a message id of room B as the room', 'DELETE', `/blockStatus/room/${b.first}/${EVE}`, undefined, NO_ROOM),
      refuse("app 2's room", 'DELETE', `/blockStatus/room/${ROOM_X}/${XAVIER}`, undefined, NO_ROOM),
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
        check: (result) => expect(result).toStrictEqual({ client: ALICE, removed: 0 }),
      },
      {
        what: "every device of bob's type, by clientId",
        method: 'POST',
        url: '/me/unsubscribe',
        body: { type: 'ios', clientId: BOB },
        check: (result) => expect(result).toStrictEqual({ client: ALICE, removed: 0 }),
      },
      {
        what: "app 2's user's device",
        method: 'POST',
        url: '/me/unsubscribe',
        body: { type: 'fcm', token: X_DEVICE, clientId: XAVIER },
        check: (result) => expect(result).toStrictEqual({ client: ALICE, removed: 0 }),
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
  };
}

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
      xFile: expectOk(await asX('GET', `/files/${X_BUCKET}/${ids.x.file}/metadata`)),
      xFileContent: (await asX('GET', `/files/${X_BUCKET}/${ids.x.file}`)).body,
      bans: expectOk(await t.admin('GET', `/blockStatus/room/${ROOM_B}`)),
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
    expectOk(await asX('POST', '/rooms', { _id: ROOM_X, name: X_ROOM_NAME, members: [XAVIER] }));
    const xMessage = expectOk(
      await asX('POST', '/messages', { room: ROOM_X, sender: XAVIER, message: X_TEXT, messageType: 'text' }),
    )._id as string;
    expectOk(await asX('POST', `/messages/${xMessage}/pin`));
    const xUpload = new Multipart(
      { extra: JSON.stringify({ room: ROOM_X }) },
      { name: X_FILE_NAME, type: 'text/plain', content: X_FILE_TEXT },
    );
    const xFile = expectOk(await call(xavierToken, 'POST', `/files/${X_BUCKET}`, xUpload, {}, clientKeyX)).id as string;

    // Bob's own preferences, and his preferences for room B.
    expectOk(await call(bob, 'POST', `/me/pref/${B_PREF_KEYS[0]}`, { folders: [B_PREF_TEXT] }));
    expectOk(await call(bob, 'POST', `/me/pref/${B_PREF_KEYS[1]}`, { note: B_PREF_TEXT }));
    expectOk(
      await call(bob, 'POST', `/roomPrefs/${ROOM_B}`, { tags: [B_ROOM_PREF_TAG], folder: B_PREF_TEXT, sticky: true }),
    );
    // Bob's and xavier's devices, and a custom field of bob's profile.
    expectOk(await call(bob, 'POST', '/me/subscribe', { type: 'fcm', token: B_DEVICE, deviceId: 'bob-phone' }));
    expectOk(await call(bob, 'POST', '/me/subscribe', { type: 'ios', token: `${B_DEVICE}-ios` }));
    expectOk(await call(xavierToken, 'POST', '/me/subscribe', { type: 'fcm', token: X_DEVICE }, {}, clientKeyX));
    expectOk(await call(bob, 'POST', '/me', { note: B_PROFILE }));

    ids = {
      b: { first: sent[0]!, second: sent[1]!, pinned: sent[2]!, last: sent[3]! },
      a: { own: own._id },
      direct,
      x: { message: xMessage, file: xFile },
    };
    cases = casesFor(ids);
    chatRoutes = t.app.routeTable.filter(isChatRoute);
    before = await snapshot();
    const watched = [BOB, CAROL, EVE, XAVIER, ROOM_B, ROOM_X, direct];
    const types = [
      'room.created',
      'room.updated',
      'room.banned',
      'room.deleted',
      'room.muted',
      'room.typing',
      'room.pref',
      'user.pref',
      'member.added',
      'member.removed',
      'member.updated',
      'invitation.created',
      'message.created',
      'message.updated',
      'message.recalled',
      'message.pinned',
      'message.unpinned',
      'message.deleted',
      'read.updated',
    ] as const;
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
    const routes = chatRoutes.map((route) => `${route.method} ${route.url}`);
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
      x: { message: '', file: '' },
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
      ['POST', `/roomPrefs/${ROOM_X}`, { sticky: true }, asAlice, NO_ROOM],
      ['POST', `/roomPrefs/${ROOM_X}`, { sticky: true }, { 'im-client-id': XAVIER }, NO_ROOM],
      ['GET', `/files/${X_BUCKET}/${ids.x.file}`, undefined, {}, NO_SUCH],
      ['GET', `/files/${X_BUCKET}/${ids.x.file}?signedUrlOnly=1`, undefined, {}, NO_SUCH],
      ['GET', `/files/${X_BUCKET}/${ids.x.file}/metadata`, undefined, {}, NO_SUCH],
      ['DELETE', `/me/pref/${B_PREF_KEYS[0]}`, {}, { 'im-client-id': XAVIER }, NO_SUCH],
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
      } else {
        expect(response.statusCode, `${method} ${url}`).toBe(404);
      }
    }
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
    expect(room.botMode).toBe(false);
    expect(after.xFile).toMatchObject({ id: ids.x.file, name: X_FILE_NAME, owner: XAVIER, size: X_FILE_TEXT.length });
    expect(after.xFileContent).toBe(X_FILE_TEXT);
    // Room B's ban of eve and bob's block of her stand as they were; app 2's room has no bans.
    expect((after.bans as any).data.map((ban: any) => [ban.blockee._id, ban.blocker._id])).toStrictEqual([[EVE, BOB]]);
    expect((after.bobBlocks as any).data.map((block: any) => [block.blockee._id, block.blocker])).toStrictEqual([
      [EVE, BOB],
    ]);
    expect(after.xBans).toStrictEqual({ data: [] });
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

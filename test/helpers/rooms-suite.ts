import { expect } from 'vitest';
import type { TestApp } from './test-app.js';
import { FRESH_MESSAGE_STATE, ISO, messageTimes } from './wire.js';

/** Rooms and members (spec 4.1-4.11): fixtures the rooms-* and members-* suites share. */

export const OBJECT_ID = /^[0-9a-f]{24}$/;

/** A user summary as room payloads embed it (spec 1.9), for a user who never logged in. */
export function summary(id: string, nickname: string, extra: Record<string, unknown> = {}) {
  return { _id: id, id, nickname, avatarUrl: '', clientType: 'user', isRobot: false, lastLoginTimeMS: 0, ...extra };
}

/** A room member as room payloads show it: a summary with presence (spec 4.2); nobody is connected in these tests. */
export function memberView(id: string, nickname: string, extra: Record<string, unknown> = {}) {
  return summary(id, nickname, { isSocketConnected: false, ...extra });
}

/** Every stored room field (spec 1.9, 12 item 30), as create answers it. */
export function roomFieldsMatcher(t: TestApp, fields: Record<string, unknown> = {}) {
  return {
    _id: expect.any(String),
    id: expect.any(String),
    appID: t.appId,
    name: '',
    cover: '',
    description: '',
    roomType: 'group',
    roomTags: [],
    managers: [],
    botMode: false,
    encrypted: false,
    serviceStatus: 0,
    status: 1,
    opening: 1,
    historyVisibility: 'shared',
    createdTime: expect.stringMatching(ISO),
    createdTimeMS: expect.any(Number),
    updatedAt: expect.stringMatching(ISO),
    updatedAtMS: expect.any(Number),
    __v: 0,
    ...fields,
  };
}

/** A system message of a room or member change (spec 4.1, 4.6-4.9) as the room's lastMessage carries it: `fields` give its room, text, type, subject and sender. */
export function systemMessage(t: TestApp, lastMessage: { _id: string }, fields: Record<string, unknown>) {
  return {
    _id: expect.stringMatching(OBJECT_ID),
    id: lastMessage._id,
    ...fields,
    appID: t.appId,
    ...messageTimes(),
    ...FRESH_MESSAGE_STATE,
  };
}

/**
 * A system message that names a list of users (addMembers, deleteMember: spec 4.1, 4.6, 4.7): its
 * `member` is the first of them and `extra[listKey]` lists them all.
 */
export function memberListMessage(
  t: TestApp,
  lastMessage: { _id: string },
  fields: { room: string; message: string; messageType: string; listKey: string; users: object[]; sender: object },
) {
  const { listKey, users, ...rest } = fields;
  return systemMessage(t, lastMessage, { ...rest, member: users[0], extra: { [listKey]: users } });
}

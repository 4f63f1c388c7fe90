import { expect } from 'vitest';
import type { TestApp } from './test-app.js';
import { badRequest } from './errors.js';
import { expectOk } from './expect.js';
import { summary } from './rooms-suite.js';

/** Room members (spec 4.6-4.11): fixtures several members-* suites share. */

export const NEED_CLIENT_ID = badRequest('IM-CLIENT-ID header is required with IM-API-KEY');

export const SYSTEM = summary('system', 'system', { isRobot: true });

export const ids = (room: any): string[] => room.members.map((member: any) => member._id);

export const property = (room: any, client: string) =>
  room.memberProperties.find((entry: any) => entry.client === client);

/** Freezes or unfreezes a room with the API key (spec 7.5). */
export async function setStatus(t: TestApp, roomId: string, status: 0 | 1): Promise<void> {
  const response = await t.admin('PUT', `/rooms/${roomId}`, { status });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({
    RC: 0,
    RM: status === 0 ? 'Room frozen successfully' : 'OK',
    result: { status },
  });
}

export async function messageCount(t: TestApp, roomId: string): Promise<number> {
  return expectOk(await t.admin('GET', `/rooms/${roomId}/messages/v3`)).totalCount;
}

import { expect } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expectOk } from './expect.js';
import type { TestApp } from './test-app.js';
import type { DomainEvents, EventType } from '../../src/events/event-bus.js';

/** Wire matchers and request helpers shared by the API and security suites. */

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const HEX24 = /^[0-9a-f]{24}$/;

/** An error body in shape B (spec 1.6): `{ RC, RM, error: { code, message } }`. */
export const shapeB = (status: number, rm: string, code: string, message: unknown) => ({
  RC: status,
  RM: rm,
  error: { code, message },
});

/** An error body in shape A, as the auth layer answers it: `{ error, message }`. */
export const shapeA = (error: string, message: string) => ({ error, message });

/** A 400 INVALID_REQUEST in shape B with the given message. */
export const badRequest = (message: unknown) => shapeB(400, 'Bad Request', 'INVALID_REQUEST', message);
/** A 400 INVALID_REQUEST in shape B, whatever the message (schema violations word it themselves). */
export const INVALID_REQUEST = badRequest(expect.any(String));
/** A 403 INSUFFICIENT_PERMISSIONS in shape B. */
export const insufficient = (message: unknown) => shapeB(403, 'Forbidden', 'INSUFFICIENT_PERMISSIONS', message);

/** A 400 {@link INVALID_REQUEST}; with `message`, its text equals the string or matches the RegExp. */
export function expectInvalidRequest(response: LightMyRequestResponse, message?: RegExp | string): void {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json();
  expect(body).toStrictEqual(INVALID_REQUEST);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else if (message) expect(body.error.message).toMatch(message);
}

// Error bodies several suites expect, word for word.
export const ROOM_NOT_FOUND = shapeB(404, 'Room not found', 'ROOM_NOT_FOUND', 'The specified room does not exist');
export const NOT_ROOM_MEMBER = shapeB(403, 'Forbidden', 'NOT_ROOM_MEMBER', 'You are not a member of this room');
export const ROOM_FROZEN = shapeB(
  403,
  'Forbidden',
  'ROOM_FROZEN',
  'The room is frozen: only the platform admin can change it or send messages',
);
export const INVALID_TOKEN = shapeB(401, 'Unauthorized', 'INVALID_TOKEN', 'Invalid or expired token');
/** CLIENT_NOT_FOUND as the admin routes word it (moderation's mute list says RM 'Client not found'). */
export const clientNotFound = (id: string, rm = 'Not Found') =>
  shapeB(404, rm, 'CLIENT_NOT_FOUND', `Client with id '${id}' not found`);

/** Like expectOk, and the envelope holds nothing but RC, RM and result. */
export function expectOkEnvelope(response: LightMyRequestResponse): any {
  const result = expectOk(response);
  expect(Object.keys(response.json()).sort()).toStrictEqual(['RC', 'RM', 'result']);
  return result;
}

/** The timestamp fields every stored message carries, as ISO strings and milliseconds. */
export function messageTimes() {
  return {
    messageTime: expect.stringMatching(ISO),
    messageTimeMS: expect.any(Number),
    createdAt: expect.stringMatching(ISO),
    createdAtMS: expect.any(Number),
    updatedAt: expect.stringMatching(ISO),
    updatedAtMS: expect.any(Number),
  };
}

/** The bookkeeping fields of a fresh, unreacted, unpinned message. */
export const FRESH_MESSAGE_STATE = { reactions: [], reactionCount: 0, pinned: false, isPined: false, __v: 0 };

/** Records the domain events of the given types until stopped. */
export function recorder<T extends EventType>(t: TestApp, ...types: T[]) {
  const seen: Array<{ type: T; payload: DomainEvents[T] }> = [];
  const stops = types.map((type) =>
    t.services.bus.subscribe(type, (payload) => {
      seen.push({ type, payload });
    }),
  );
  return {
    seen,
    /** The events about one room. */
    of: (roomId: string) => seen.filter((event) => (event.payload as { roomId: string }).roomId === roomId),
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}

function jsonBody(body: unknown) {
  return body === undefined ? {} : { payload: JSON.stringify(body) };
}
const jsonHeader = (body: unknown): Record<string, string> =>
  body === undefined ? {} : { 'content-type': 'application/json' };

/** A request as a user with extra headers (e.g. IM-CLIENT-ID). */
export function asUserWith(
  t: TestApp,
  token: string,
  method: InjectOptions['method'],
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  return t.app.inject({
    method,
    url,
    remoteAddress: '127.0.0.1',
    headers: { 'im-client-key': t.clientKey, 'im-authorization': token, ...jsonHeader(body), ...headers },
    ...jsonBody(body),
  });
}

/** A request with any API key, from any address. */
export function callWithKey(
  t: TestApp,
  key: string,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  remoteAddress = '127.0.0.1',
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    remoteAddress,
    headers: { 'im-api-key': key, ...jsonHeader(body) },
    ...jsonBody(body),
  });
}

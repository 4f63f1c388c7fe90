import { expect } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expectOk } from './expect.js';
import { INVALID_REQUEST } from './errors.js';
import type { TestApp } from './test-app.js';
import type { DomainEvents, EventType } from '../../src/events/event-bus.js';

/** Wire matchers and request helpers shared by the API and security suites. */

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const HEX24 = /^[0-9a-f]{24}$/;

/** A 400 {@link INVALID_REQUEST}; with `message`, its text equals the string or matches the RegExp. */
export function expectInvalidRequest(response: LightMyRequestResponse, message?: RegExp | string): void {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json();
  expect(body).toStrictEqual(INVALID_REQUEST);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else if (message) expect(body.error.message).toMatch(message);
}

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

/** The domain events of the chat core (rooms, members, messages, reads). */
export const CHAT_EVENTS = [
  'room.created',
  'room.updated',
  'room.deleted',
  'room.muted',
  'member.added',
  'member.removed',
  'member.updated',
  'invitation.created',
  'invitation.cancelled',
  'message.created',
  'message.updated',
  'message.recalled',
  'message.pinned',
  'message.unpinned',
  'message.deleted',
  'read.updated',
] as const satisfies readonly EventType[];

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

/** A request with the given headers (JSON body when given), from any address. */
export function callWithHeaders(
  t: TestApp,
  headers: Record<string, string>,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  remoteAddress = '127.0.0.1',
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, remoteAddress, headers: { ...headers, ...jsonHeader(body) }, ...jsonBody(body) });
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
  return callWithHeaders(t, { 'im-api-key': key }, method, url, body, remoteAddress);
}

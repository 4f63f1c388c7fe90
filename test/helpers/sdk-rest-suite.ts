import { afterAll, beforeAll, expect } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from './test-app.js';
import { expectOk } from './expect.js';
import { authenticate, connect, type TestSocket } from './socket-clients.js';

/**
 * The REST calls IMKIT's web SDKs make (realtime-protocol.md 6): the shared app, users and SDK-style
 * request helpers of the sdk-rest-* suites.
 */

export type Method = NonNullable<InjectOptions['method']>;

/** axios 0.18's query encoding: encodeURIComponent, then @ : $ , [ ] raw and spaces as `+`. */
export const axiosEncode = (value: string) =>
  encodeURIComponent(value)
    .replace(/%40/gi, '@')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/%20/g, '+')
    .replace(/%5B/gi, '[')
    .replace(/%5D/gi, ']');

/** axios 0.18's params serializer: objects JSON-stringified, null/undefined left out. */
export const query = (params: Record<string, unknown>) =>
  Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(
      ([name, value]) =>
        `${axiosEncode(name)}=${axiosEncode(typeof value === 'object' ? JSON.stringify(value) : String(value))}`,
    )
    .join('&');

/** An SDK error: non-2xx, and when the body has an RC it is truthy (the SDK then hands the body to onAjaxError). */
export function expectSdkError(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(body.RC, response.body).toBe(status);
  expect(body.error?.code, response.body).toBe(code);
  expect(body.result).toBeUndefined();
}

export let t: TestApp;
/** The address the app listens on, for calls that need a real HTTP client (fetch). */
export let base: string;
/** Tokens of alice, bob, carol and dave. */
export const tokens: Record<string, string> = {};
const sockets: TestSocket[] = [];

/** A user call as the SDK sends it. */
export const sdk = (token: string, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method,
    url,
    remoteAddress: '127.0.0.1',
    headers: {
      CLIENT_KEY: t.clientKey,
      'IM-Authorization': token,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
/** An admin call as the SDK sends it: `API_KEY` only. */
export const sdkAdmin = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method,
    url,
    remoteAddress: '127.0.0.1',
    headers: {
      API_KEY: t.apiKey,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
export const userHeaders = (token: string, clientKey = t.clientKey) => ({
  CLIENT_KEY: clientKey,
  'IM-Authorization': token,
});
export const socketOf = async (user: string) => {
  const socket = await connect(base, 'G3');
  sockets.push(socket);
  expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
  return socket;
};
/** Messages sent one by one, with distinct times. */
export const send = async (user: string, room: string, count: number, prefix: string) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      expectOk(
        await sdk(tokens[user]!, 'POST', `/rooms/${room}/message`, {
          message: `${prefix} ${i}`,
          messageType: 'text',
        }),
      )._id,
    );
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return ids;
};

/** The room 'helpers' (owner alice; members alice and bob) that the room helpers page through and uploads name. */
export async function createHelpersRoom(): Promise<void> {
  expectOk(
    await sdkAdmin('POST', '/rooms', { _id: 'helpers', name: 'Helpers', owner: 'alice', members: ['alice', 'bob'] }),
  );
}

/** Registers the suite's app (listening), its four users, and closes sockets and app after. */
export function useSdkRestApp(): void {
  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol', 'dave'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await t.close();
  });
}

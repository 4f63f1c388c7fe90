import { expect } from 'vitest';
import type { TestApp } from './test-app.js';
import { expectOk, sleep } from './expect.js';
import type { Generation, TestSocket } from './socket-clients.js';
import { encodingProblems } from './realtime-tools.js';
import { INVALID_TOKEN, shapeB } from './errors.js';
/**
 * The real-time gateway against IMKIT's three web SDK generations (realtime-protocol.md 0-5) and a
 * current socket.io 4 client authenticating in the handshake: authentication, every push in each
 * connection's encoding, catch-up after a reconnect, revocation, and CORS on long-polling.
 */

export const GENERATIONS: Generation[] = ['G1', 'G2', 'G3'];

export const INVALID_TOKEN_ACK = INVALID_TOKEN;
export const NOT_AUTHENTICATED_ACK = shapeB(401, 'Unauthorized', 'INVALID_TOKEN', 'Authenticate first (auth or auth2)');
export const INVALID_API_KEY_BODY = { error: 'INVALID_API_KEY', message: 'The provided API key is invalid or expired' };

/** Sockets opened by a test (or a whole block), closed afterwards whatever happened. */
export function socketPool() {
  const list: TestSocket[] = [];
  return {
    add<T extends TestSocket>(socket: T): T {
      list.push(socket);
      return socket;
    },
    closeAll() {
      for (const socket of list.splice(0)) socket.close();
    },
  };
}

/** Current clients (never send `conf`): plain pushes although their generation field says G3. */
export const plainCurrentClients = new WeakSet<TestSocket>();
export const isBase64 = (socket: TestSocket) => socket.generation !== 'G1' && !plainCurrentClients.has(socket);

export function expectEncodings(sockets: TestSocket[], ...events: string[]): void {
  for (const socket of sockets) {
    for (const event of events)
      expect(encodingProblems(socket, event, isBase64(socket)), `${socket.generation} ${event}`).toStrictEqual([]);
  }
}

/** After the positive checks: nothing matching arrives at these sockets within `ms`. */
export async function expectNoPush(
  sockets: TestSocket[],
  event: string,
  match: (value: any) => boolean = () => true,
  ms = 100,
): Promise<void> {
  await sleep(ms);
  for (const socket of sockets)
    expect(socket.received(event).filter(match), `${socket.generation} got ${event}`).toStrictEqual([]);
}

/** Emits with an ack and resolves with every argument of the ack, undecoded. */
export function rawAck(socket: TestSocket, event: string, ...args: unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 3000);
    socket.raw.emit(event, ...args, (...answer: unknown[]) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

export const decodeBase64 = (value: unknown) => JSON.parse(Buffer.from(String(value), 'base64').toString('utf8'));

/** A second application with one user (the same id as one in the first app) and an API key. */
export async function secondApp(t: TestApp, userId: string) {
  const app = await t.services.apps.create('Other app', 'other');
  const apiKey = (await t.services.keys.create(app.id, { name: 'other' }, 'test')).secret;
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { 'im-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const created = expectOk(
    await admin('POST', '/admin/clients', { _id: userId, nickname: `${userId} of B`, issueAccessToken: true }),
  );
  return { id: app.id, clientKey: app.clientKey, apiKey, token: created.token as string, admin };
}

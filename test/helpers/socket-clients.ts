import { io as ioV4, type Socket as SocketV4 } from 'socket.io-client';
// socket.io-client 2.x ships no types: the two IMKIT generations on Engine.IO 3.
// @ts-expect-error untyped package
import ioV22 from 'socket.io-client-v2';
// @ts-expect-error untyped package
import ioV23 from 'socket.io-client-v23';

/** The three generations of IMKIT's web SDKs (realtime protocol 0), as their socket.io clients connect. */
export type Generation = 'G1' | 'G2' | 'G3';

export interface TestSocket {
  generation: Generation;
  raw: any;
  /** Emits with an ack and resolves with the ack's first argument, decoded when it came as base64. */
  call(event: string, ...args: unknown[]): Promise<any>;
  /** Resolves with the next push of `event`, decoded; rejects after `ms`. */
  next(event: string, ms?: number): Promise<any>;
  /** Every push of `event` so far, decoded. */
  received(event: string): any[];
  close(): void;
}

const decode = (value: unknown, base64: boolean) =>
  base64 && typeof value === 'string' ? JSON.parse(Buffer.from(value, 'base64').toString('utf8')) : value;

/** Pushes the real-time tests watch, as they arrive on the wire (before any decoding). */
export const PUSH_EVENTS = [
  'chat message',
  'room',
  'typing',
  'lastRead',
  'roomPref',
  'myPrefChange',
  'myPrefDelete',
  'invitation',
  'messagesDeleted',
  'userDeleteMessages',
];

/**
 * Connects like the given generation: G1 (2.2, polling then WebSocket, plain JSON), G2 (2.3,
 * WebSocket only, `conf` base64), G3 (4.4, Engine.IO 4, WebSocket only, `conf` base64).
 */
export async function connect(
  url: string,
  generation: Generation,
  options: { auth?: Record<string, unknown>; timeoutMs?: number } = {},
): Promise<TestSocket> {
  const raw =
    generation === 'G1'
      ? ioV22(url, { forceNew: true, reconnection: false })
      : generation === 'G2'
        ? ioV23(url, { forceNew: true, transports: ['websocket'], reconnection: false })
        : (ioV4(url, {
            forceNew: true,
            transports: ['websocket'],
            reconnection: false,
            auth: options.auth,
          }) as SocketV4);
  const base64 = generation !== 'G1';
  const log = new Map<string, any[]>();
  const waiters = new Map<string, Array<(value: any) => void>>();
  for (const event of PUSH_EVENTS) {
    raw.on(event, (payload: unknown) => {
      const value =
        event === 'myPrefDelete' && base64 && typeof payload === 'string'
          ? Buffer.from(payload, 'base64').toString('utf8')
          : decode(payload, base64);
      (log.get(event) ?? log.set(event, []).get(event)!).push(value);
      const pending = waiters.get(event)?.shift();
      pending?.(value);
    });
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${generation} did not connect`)), options.timeoutMs ?? 5000);
    raw.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    raw.once('connect_error', (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    });
    raw.once('error', (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  const socket: TestSocket = {
    generation,
    raw,
    call: (event, ...args) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
        raw.emit(event, ...args, (answer: unknown) => {
          clearTimeout(timer);
          resolve(event === 'chat message' ? answer : decode(answer, base64 && event === 'auth2'));
        });
      }),
    next: (event, ms = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${event} push within ${ms} ms`)), ms);
        const list = waiters.get(event) ?? waiters.set(event, []).get(event)!;
        list.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      }),
    received: (event) => log.get(event) ?? [],
    close: () => raw.close(),
  };
  if (base64) await socket.call('conf', { encoding: 'base64' });
  return socket;
}

/** Authenticates as IMKIT's SDK of that generation does: `auth(token)` for G1, `auth2(token, {CLIENT_KEY, Authorization})` after. */
export function authenticate(socket: TestSocket, token: string, clientKey: string): Promise<any> {
  return socket.generation === 'G1'
    ? socket.call('auth', token)
    : socket.call('auth2', token, { CLIENT_KEY: clientKey, Authorization: token });
}

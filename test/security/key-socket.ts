import { io, type Socket } from 'socket.io-client';
import { sleep } from '../helpers/expect.js';

/** An API-key socket (handshake `{apiKey}`) that records its pushes; `headers` go with the handshake. */
export interface KeySocket {
  raw: Socket;
  received(event: string): any[];
  call(event: string, ...args: unknown[]): Promise<any>;
  close(): void;
}

const PUSHES = ['chat message', 'room', 'typing', 'lastRead', 'roomPref', 'myPrefChange', 'myPrefDelete', 'invitation', 'messagesDeleted'];

export async function connectKey(url: string, apiKey: string, headers: Record<string, string> = {}): Promise<KeySocket> {
  const raw = io(url, { forceNew: true, transports: ['websocket'], reconnection: false, auth: { apiKey }, extraHeaders: headers });
  const log = new Map<string, any[]>();
  for (const event of PUSHES) raw.on(event, (payload: unknown) => (log.get(event) ?? log.set(event, []).get(event)!).push(payload));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('key socket did not connect')), 5000);
      raw.once('connect', () => { clearTimeout(timer); resolve(); });
      raw.once('connect_error', (error) => { clearTimeout(timer); reject(error); });
    });
  } catch (error) {
    raw.close();
    throw error;
  }
  return {
    raw,
    received: (event) => log.get(event) ?? [],
    call: (event, ...args) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
        raw.emit(event, ...args, (answer: unknown) => {
          clearTimeout(timer);
          resolve(answer);
        });
      }),
    close: () => raw.close(),
  };
}

/** The error body of a refused key handshake; fails when it was accepted. */
export async function keyRefusal(url: string, apiKey: string, headers: Record<string, string> = {}): Promise<unknown> {
  try {
    (await connectKey(url, apiKey, headers)).close();
  } catch (error) {
    return (error as { data?: unknown }).data;
  }
  throw new Error('the key handshake was accepted');
}

/** Resolves when `check` holds; rejects after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(20);
  }
}

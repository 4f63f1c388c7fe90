import http from 'node:http';
import { io as ioV4, type Socket as SocketV4 } from 'socket.io-client';
import WebSocket from 'ws';
import { PUSH_EVENTS, type TestSocket } from './socket-clients.js';
import { sleep } from './expect.js';

/** The raw (undecoded) payloads of every push a socket received, per event. */
const rawLogs = new WeakMap<TestSocket, Map<string, unknown[]>>();

/** Starts recording a socket's raw push payloads (call right after connecting, before any push). */
export function recordRaw(socket: TestSocket): TestSocket {
  const log = new Map<string, unknown[]>();
  rawLogs.set(socket, log);
  for (const event of PUSH_EVENTS) {
    socket.raw.on(event, (...args: unknown[]) => {
      (log.get(event) ?? log.set(event, []).get(event)!).push(args.length === 1 ? args[0] : args);
    });
  }
  return socket;
}

export function rawReceived(socket: TestSocket, event: string): unknown[] {
  const log = rawLogs.get(socket);
  if (!log) throw new Error('recordRaw was not called for this socket');
  return log.get(event) ?? [];
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/**
 * Checks that every push of `event` the socket got so far came in its connection's encoding:
 * plain objects for G1 (and plain current clients), base64 of the JSON text after `conf`
 * (`myPrefDelete`: the bare key, or base64 of the bare key).
 */
export function encodingProblems(socket: TestSocket, event: string, base64: boolean): string[] {
  const problems: string[] = [];
  const raws = rawReceived(socket, event);
  const decoded = socket.received(event);
  if (raws.length !== decoded.length) problems.push(`${raws.length} raw pushes but ${decoded.length} decoded ones`);
  raws.forEach((raw, index) => {
    const value = decoded[index];
    if (event === 'myPrefDelete') {
      const expected = base64 ? Buffer.from(String(value)).toString('base64') : value;
      if (raw !== expected)
        problems.push(`myPrefDelete #${index}: ${JSON.stringify(raw)} instead of ${JSON.stringify(expected)}`);
      return;
    }
    if (base64) {
      if (typeof raw !== 'string') problems.push(`${event} #${index} is a ${typeof raw}, not a base64 string`);
      else if (raw !== base64Json(value)) problems.push(`${event} #${index} is not base64 of its JSON`);
    } else if (raw === null || typeof raw !== 'object') {
      problems.push(`${event} #${index} is a ${typeof raw}, not a plain object`);
    }
  });
  return problems;
}

/** Resolves with the first push of `event` (already received or still to come) that matches; rejects after `ms`. */
export async function waitFor<T = any>(
  socket: TestSocket,
  event: string,
  match: (value: any) => boolean = () => true,
  ms = 3000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = socket.received(event).find(match);
    if (found !== undefined) return found as T;
    if (Date.now() > deadline)
      throw new Error(
        `${socket.generation}: no matching ${event} push within ${ms} ms; got ${JSON.stringify(socket.received(event)).slice(0, 600)}`,
      );
    await sleep(10);
  }
}

/** Resolves when `count` pushes of `event` matching `match` arrived; rejects after `ms`. */
export async function waitForCount(
  socket: TestSocket,
  event: string,
  count: number,
  match: (value: any) => boolean = () => true,
  ms = 5000,
): Promise<any[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = socket.received(event).filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline)
      throw new Error(`${socket.generation}: ${found.length} of ${count} ${event} pushes within ${ms} ms`);
    await sleep(10);
  }
}

/** Polls until `check` returns true; rejects after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 3000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(15);
  }
}

/** Whether the socket is still connected (every client generation has `connected`). */
export const isConnected = (socket: TestSocket): boolean => socket.raw.connected === true;

/** Resolves when the socket is disconnected (now or later); rejects after `ms`. */
export function disconnected(socket: TestSocket, ms = 3000): Promise<void> {
  if (!isConnected(socket)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${socket.generation} still connected after ${ms} ms`)), ms);
    socket.raw.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A current socket.io 4 client (EIO4, WebSocket) that may authenticate in the handshake
 * (`auth: {token, clientKey}` or `{apiKey}`) and never sends `conf`: it gets plain pushes.
 */
export async function connectCurrent(
  url: string,
  auth?: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<TestSocket> {
  const { raw, received, call } = await connectRecordingV4(url, { auth }, 'current client', timeoutMs);
  return {
    generation: 'G3',
    raw,
    call,
    next: () => Promise.reject(new Error('use waitFor with current clients')),
    received,
    close: () => raw.close(),
  };
}

/** Emits `event` and resolves with its ack; rejects when none comes within five seconds. */
export function emitWithAck(raw: SocketV4, event: string, ...args: unknown[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
    raw.emit(event, ...args, (answer: unknown) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/**
 * Connects a socket.io 4 client over WebSocket that records every push in PUSH_EVENTS; a refused
 * handshake rejects with socket.io's connect_error (its `data` is the server's refusal).
 */
export async function connectRecordingV4(
  url: string,
  options: { auth?: Record<string, unknown>; extraHeaders?: Record<string, string> },
  who: string,
  timeoutMs = 5000,
) {
  const raw = ioV4(url, { forceNew: true, transports: ['websocket'], reconnection: false, ...options });
  const log = new Map<string, any[]>();
  for (const event of PUSH_EVENTS)
    raw.on(event, (payload: unknown) => (log.get(event) ?? log.set(event, []).get(event)!).push(payload));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${who} did not connect`)), timeoutMs);
      raw.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      raw.once('connect_error', (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    raw.close();
    throw error;
  }
  return {
    raw,
    received: (event: string): any[] => log.get(event) ?? [],
    call: (event: string, ...args: unknown[]) => emitWithAck(raw, event, ...args),
  };
}

/** The `data` of a refused handshake (socket.io 4's connect_error), or a failure when it connected. */
export async function handshakeRefusal(
  url: string,
  auth: Record<string, unknown>,
): Promise<{ message: string; data: unknown }> {
  try {
    const socket = await connectCurrent(url, auth);
    socket.close();
  } catch (error) {
    const failure = error as Error & { data?: unknown };
    return { message: failure.message, data: failure.data };
  }
  throw new Error(`the handshake with ${JSON.stringify(Object.keys(auth))} was accepted`);
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request to the listening server (socket.io answers outside Fastify, so no inject). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.setTimeout(5000, () => request.destroy(new Error(`HTTP ${url} timed out`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A raw WebSocket to the socket.io endpoint: every text frame it got, and whether it closed. */
export interface RawWire {
  ws: WebSocket;
  frames: string[];
  closed: Promise<number>;
  isClosed(): boolean;
  send(frame: string | Buffer): void;
  /** Resolves with the first frame (received or to come) matching; rejects after `ms`. */
  frame(match: (frame: string) => boolean, ms?: number): Promise<string>;
  close(): void;
}

export async function rawWire(url: string, eio: 3 | 4): Promise<RawWire> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=${eio}&transport=websocket`);
  const frames: string[] = [];
  let closedFlag = false;
  ws.on('message', (data, isBinary) => frames.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString()));
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      closedFlag = true;
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw WebSocket did not open')), 3000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return {
    ws,
    frames,
    closed,
    isClosed: () => closedFlag,
    send: (frame) => ws.send(frame),
    frame: async (match, ms = 3000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = frames.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames).slice(0, 400)}`);
        await sleep(10);
      }
    },
    close: () => ws.terminate(),
  };
}

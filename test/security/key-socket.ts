import type { Socket } from 'socket.io-client';
import { connectRecordingV4, eventually } from '../helpers/realtime-tools.js';

/** An API-key socket (handshake `{apiKey}`) that records its pushes; `headers` go with the handshake. */
export interface KeySocket {
  raw: Socket;
  received(event: string): any[];
  call(event: string, ...args: unknown[]): Promise<any>;
  close(): void;
}

export async function connectKey(
  url: string,
  apiKey: string,
  headers: Record<string, string> = {},
): Promise<KeySocket> {
  const { raw, received, call } = await connectRecordingV4(
    url,
    { auth: { apiKey }, extraHeaders: headers },
    'key socket',
  );
  return { raw, received, call, close: () => raw.close() };
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
export const until = (check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> =>
  eventually(check, ms, what);

import type { Socket } from 'socket.io';
import { AppError, errorBody } from '../http/errors.js';

/** What a connection is, kept in `socket.data` (serializable: other nodes can read it through the adapter). */
export interface SessionData {
  appId?: string;
  userId?: string;
  tokenId?: string;
  /** Set for a connection authenticated with an API key (a backend): the platform admin. */
  keyId?: string;
  /** After `conf {encoding: "base64"}` (IMKIT's newer SDKs): pushes and the auth2 ack are base64 of the JSON. */
  base64: boolean;
}

export type ParleySocket = Socket<
  Record<string, (...args: never[]) => void>,
  Record<string, (...args: never[]) => void>,
  Record<string, never>,
  SessionData
>;

/**
 * socket.io room names: one per user (and per group a user belongs to), one per app and read scope
 * for API-key sockets (a push goes to the keys holding the scope it needs), one per encoding.
 */
export const rooms = {
  user: (appId: string, userId: string) => `u:${appId}:${userId}`,
  admins: (appId: string, scope: string) => `a:${appId}:${scope}`,
  plain: 'enc:plain',
  base64: 'enc:b64',
};

export const toBase64 = (payload: unknown): string =>
  Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64');

/** The envelope IMKIT's SDKs read from an ack (spec 1.4 [hist]: RC 0 on success). */
export const ackOk = (result: unknown) => ({ RC: 0, RM: 'OK', result });

/** A failure ack, always shape B (the SDKs read `RC` and `RM`); unexpected errors say nothing of their cause. */
export function ackError(error: unknown): Record<string, unknown> {
  const appError = error instanceof AppError ? error : new AppError('INTERNAL_ERROR');
  return errorBody(appError, 'B') as unknown as Record<string, unknown>;
}

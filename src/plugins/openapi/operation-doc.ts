import type { ErrorCode } from '../../http/errors.js';

/** What the document says of one operation beyond its route's schema. */
export interface OperationDoc {
  /** The operationId: camelCase, unique, stable (generated clients name their methods after it). */
  id: string;
  /** Shown under the summary; a route's own `schema.description` follows it. */
  description?: string;
  /** The operation's own refusals, besides authentication's and validation's (error-responses.ts). */
  errors?: readonly ErrorCode[];
  /** A JSON request body to show, where one sampled from the schema would not read like a real call. */
  requestExample?: unknown;
}

export const op = (
  id: string,
  description?: string,
  errors?: readonly ErrorCode[],
  requestExample?: unknown,
): OperationDoc => ({
  id,
  ...(description === undefined ? {} : { description }),
  ...(errors === undefined ? {} : { errors }),
  ...(requestExample === undefined ? {} : { requestExample }),
});

/** Refusals shared by the operations on one room. */
export const ROOM_ERRORS = ['ROOM_NOT_FOUND', 'NOT_ROOM_MEMBER'] as const satisfies readonly ErrorCode[];
export const ROOM_WRITE_ERRORS = [
  ...ROOM_ERRORS,
  'ROOM_FROZEN',
  'NOT_PERMITTED',
] as const satisfies readonly ErrorCode[];

import { expect } from 'vitest';

/** Error bodies (spec 1.6) shared by the API and security suites. */

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

/**
 * The domain's errors: a code, a message and optional extra fields, nothing about HTTP. Services
 * throw `new AppError(code, message?)`; the HTTP layer (`http/errors.ts`) maps each code to its
 * status, RM, wire code and body shape (spec 1.5), so no service picks wire wording.
 */
export const DEFAULT_MESSAGES = {
  MISSING_API_KEY: 'IM-API-KEY header is required',
  INVALID_API_KEY: 'The provided API key is invalid or expired',
  RATE_LIMIT_EXCEEDED: 'Too many requests, please try again later',
  INSUFFICIENT_PERMISSIONS: 'API key does not have permission for this operation',
  MISSING_CLIENT_KEY: 'Client key is required for SDK initialization',
  INVALID_CLIENT_KEY: 'The provided client key is invalid or expired',
  CLIENT_KEY_MISMATCH: 'Client key does not match the specified domain',
  INVALID_TOKEN: 'Invalid or expired token',
  FORBIDDEN: 'Permission denied',
  INVALID_REQUEST: 'Invalid request',
  MISSING_PARAMETER: 'A required parameter is missing',
  INVALID_QUERY: 'MongoDB query syntax error',
  RESULT_TOO_LARGE: 'Please use more specific query or smaller limit',
  CLIENT_NOT_FOUND: 'The specified client does not exist',
  TOKEN_NOT_FOUND: 'Specified token not found for this client',
  TOKEN_CONFLICT: 'Token already exists for another client',
  GROUP_ALREADY_EXISTS: 'A group with this ID already exists',
  GROUP_NOT_FOUND: 'The specified group does not exist',
  KEY_NOT_FOUND: 'The specified API key does not exist',
  KEY_REVOKED: 'The API key has been revoked',
  KEY_EXPIRED: 'The API key has expired',
  KEY_ROLLED: "A rolled key's expiry is set by its rotation; revoke it to end it sooner",
  ROOM_NOT_FOUND: 'The specified room does not exist',
  ROOM_EXISTS: 'A room with this ID already exists',
  NOT_ROOM_MEMBER: 'You are not a member of this room',
  ROOM_FROZEN: 'The room is frozen: only the platform admin can change it or send messages',
  MESSAGE_EXISTS: 'A message with this ID already exists; choose another _id',
  MESSAGE_NOT_FOUND: 'The specified message does not exist in this room',
  INSUFFICIENT_PERMISSION: 'Only platform admin, room owner or room manager can delete messages',
  INVALID_SEARCH_TYPE: "Search type must include 'messages'",
  INVALID_TAGS: 'Tags must be an array of strings',
  INVALID_ROOM_TAGS: 'Room tags must be valid strings',
  USER_BLOCKED: 'You are blocked from writing in this room',
  ROOM_OR_USER_NOT_FOUND: 'The specified room or user does not exist',
  USER_ALREADY_BLOCKED: 'This user is already blocked in this room',
  BLOCK_NOT_FOUND: 'No block relationship exists for this user in the specified room',
  INVALID_USER_ID: 'The specified user ID is not valid',
  USER_NOT_FOUND: 'The specified user does not exist',
  SELF_BLOCK_FORBIDDEN: 'Users cannot block themselves',
  ROOM_NOT_MUTED: 'The specified room is not in the mute list',
  CONFIG_NOT_FOUND: 'The specified config key does not exist',
  INVALID_CONFIG_FORMAT: 'Config format is invalid or malformed',
  INVALID_BODY: 'Request body must be a valid JSON object',
  BATCH_NOT_FOUND: 'The specified batch does not exist',
  NOT_FOUND: 'Route not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  PAYLOAD_TOO_LARGE: 'Request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Request body must be JSON',
  SERVICE_UNAVAILABLE: 'The server is not ready',
  INTERNAL_ERROR: 'Internal server error',
  NOT_PERMITTED: 'Permission denied',
  FREEZE_NOT_PERMITTED: 'Only room owner, manager, or platform admin can freeze room',
  MODERATION_NOT_PERMITTED: 'Permission denied',
  MUTE_CLIENT_NOT_FOUND: 'The specified client does not exist',
  SESSION_REQUIRED: 'Sign in to the dashboard first',
  INVALID_CREDENTIALS: 'Wrong operator name or password',
  CSRF_TOKEN_INVALID: 'The X-CSRF-Token header is missing or wrong',
  OPERATOR_EXISTS: 'An operator with this name already exists',
} satisfies Record<string, string>;

export type ErrorCode = keyof typeof DEFAULT_MESSAGES;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra fields sent with the error (e.g. `retryAfter`). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, extra?: Record<string, unknown>) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = 'AppError';
    this.code = code;
    this.extra = extra;
  }
}

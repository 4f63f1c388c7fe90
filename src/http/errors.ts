/**
 * One error type for the whole server. Services throw `new AppError(code, message?)`; the error
 * handler turns it into the wire shape the spec fixes for that code (spec 1.5):
 * shape A `{error, message}` for the key layer, shape B `{RC, RM, error:{code,message}}` otherwise.
 */
export type ErrorCode = keyof typeof ERROR_TABLE;

interface ErrorSpec {
  status: number;
  /** RM of shape B. */
  rm: string;
  /** Default message. */
  message: string;
  /** Key-layer errors use shape A with exactly these messages. */
  shapeA?: true;
}

export const ERROR_TABLE = {
  MISSING_API_KEY: { status: 401, rm: 'Unauthorized', message: 'IM-API-KEY header is required', shapeA: true },
  INVALID_API_KEY: { status: 401, rm: 'Unauthorized', message: 'The provided API key is invalid or expired', shapeA: true },
  RATE_LIMIT_EXCEEDED: { status: 429, rm: 'Too Many Requests', message: 'Too many requests, please try again later', shapeA: true },
  INSUFFICIENT_PERMISSIONS: { status: 403, rm: 'Forbidden', message: 'API key does not have permission for this operation', shapeA: true },
  MISSING_CLIENT_KEY: { status: 401, rm: 'Unauthorized', message: 'Client key is required for SDK initialization', shapeA: true },
  INVALID_CLIENT_KEY: { status: 403, rm: 'Forbidden', message: 'The provided client key is invalid or expired', shapeA: true },
  CLIENT_KEY_MISMATCH: { status: 403, rm: 'Forbidden', message: 'Client key does not match the specified domain', shapeA: true },

  INVALID_TOKEN: { status: 401, rm: 'Unauthorized', message: 'Invalid or expired token' },
  FORBIDDEN: { status: 403, rm: 'Forbidden', message: 'Permission denied' },
  INVALID_REQUEST: { status: 400, rm: 'Bad Request', message: 'Invalid request' },
  MISSING_PARAMETER: { status: 400, rm: 'Bad Request', message: 'A required parameter is missing' },
  INVALID_QUERY: { status: 400, rm: 'Invalid query syntax', message: 'MongoDB query syntax error' },
  RESULT_TOO_LARGE: { status: 413, rm: 'Query result too large', message: 'Please use more specific query or smaller limit' },
  CLIENT_NOT_FOUND: { status: 404, rm: 'Not Found', message: 'The specified client does not exist' },
  TOKEN_NOT_FOUND: { status: 404, rm: 'Not Found', message: 'Specified token not found for this client' },
  TOKEN_CONFLICT: { status: 409, rm: 'Conflict', message: 'Token already exists for another client' },
  GROUP_ALREADY_EXISTS: { status: 409, rm: 'Conflict', message: 'A group with this ID already exists' },
  GROUP_NOT_FOUND: { status: 404, rm: 'Not Found', message: 'The specified group does not exist' },
  KEY_NOT_FOUND: { status: 404, rm: 'Not Found', message: 'The specified API key does not exist' },
  KEY_REVOKED: { status: 409, rm: 'Conflict', message: 'The API key has been revoked' },
  KEY_EXPIRED: { status: 409, rm: 'Conflict', message: 'The API key has expired' },
  KEY_ROLLED: { status: 409, rm: 'Conflict', message: "A rolled key's expiry is set by its rotation; revoke it to end it sooner" },
  ROOM_NOT_FOUND: { status: 404, rm: 'Room not found', message: 'The specified room does not exist' },
  ROOM_EXISTS: { status: 409, rm: 'Conflict', message: 'A room with this ID already exists' },
  NOT_ROOM_MEMBER: { status: 403, rm: 'Forbidden', message: 'You are not a member of this room' },
  ROOM_FROZEN: { status: 403, rm: 'Forbidden', message: 'The room is frozen: only the platform admin can change it or send messages' },
  MESSAGE_EXISTS: { status: 409, rm: 'Conflict', message: 'A message with this ID already exists; choose another _id' },
  MESSAGE_NOT_FOUND: { status: 404, rm: 'Message not found', message: 'The specified message does not exist in this room' },
  INSUFFICIENT_PERMISSION: { status: 403, rm: 'Permission denied', message: 'Only platform admin, room owner or room manager can delete messages' },
  INVALID_SEARCH_TYPE: { status: 400, rm: 'Invalid search parameters', message: "Search type must include 'messages'" },
  INVALID_TAGS: { status: 400, rm: 'Bad Request', message: 'Tags must be an array of strings' },
  INVALID_ROOM_TAGS: { status: 400, rm: 'Bad Request', message: 'Room tags must be valid strings' },
  USER_BLOCKED: { status: 403, rm: 'Forbidden', message: 'You are blocked from writing in this room' },
  ROOM_OR_USER_NOT_FOUND: { status: 404, rm: 'Resource not found', message: 'The specified room or user does not exist' },
  USER_ALREADY_BLOCKED: { status: 409, rm: 'User already blocked', message: 'This user is already blocked in this room' },
  BLOCK_NOT_FOUND: { status: 404, rm: 'Block relationship not found', message: 'No block relationship exists for this user in the specified room' },
  INVALID_USER_ID: { status: 400, rm: 'Invalid parameters', message: 'The specified user ID is not valid' },
  USER_NOT_FOUND: { status: 404, rm: 'User not found', message: 'The specified user does not exist' },
  SELF_BLOCK_FORBIDDEN: { status: 400, rm: 'Cannot block yourself', message: 'Users cannot block themselves' },
  ROOM_NOT_MUTED: { status: 400, rm: 'Room is not muted', message: 'The specified room is not in the mute list' },
  CONFIG_NOT_FOUND: { status: 404, rm: 'Config not found', message: 'The specified config key does not exist' },
  INVALID_CONFIG_FORMAT: { status: 400, rm: 'Invalid request format', message: 'Config format is invalid or malformed' },
  INVALID_BODY: { status: 400, rm: 'Bad Request', message: 'Request body must be a valid JSON object' },
  BATCH_NOT_FOUND: { status: 404, rm: 'Not Found', message: 'The specified batch does not exist' },
  NOT_FOUND: { status: 404, rm: 'Not Found', message: 'Route not found' },
  METHOD_NOT_ALLOWED: { status: 405, rm: 'Method Not Allowed', message: 'Method not allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, rm: 'Payload Too Large', message: 'Request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, rm: 'Unsupported Media Type', message: 'Request body must be JSON' },
  SERVICE_UNAVAILABLE: { status: 503, rm: 'Service Unavailable', message: 'The server is not ready' },
  INTERNAL_ERROR: { status: 500, rm: 'Internal Server Error', message: 'Internal server error' },
} satisfies Record<string, ErrorSpec>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields sent with the error (e.g. `retryAfter`). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, extra?: Record<string, unknown>) {
    const spec: ErrorSpec = ERROR_TABLE[code];
    super(message ?? spec.message);
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.extra = extra;
  }
}

/**
 * An endpoint's own refusal under a code the key layer also uses (e.g. `INSUFFICIENT_PERMISSIONS`
 * for a mismatched `IM-CLIENT-ID`): sent in shape B with its own message, never as a key-layer body.
 */
export class EndpointError extends AppError {
  constructor(code: ErrorCode, message?: string, readonly rm?: string) {
    super(code, message);
  }
}

export interface ShapeA {
  error: string;
  message: string;
  [extra: string]: unknown;
}

export interface ShapeB {
  RC: number;
  RM: string;
  error: { code: string; message: string };
}

export function errorBody(error: AppError): ShapeA | ShapeB {
  const spec: ErrorSpec = ERROR_TABLE[error.code];
  if (spec.shapeA && !(error instanceof EndpointError)) {
    // Exact key-page bodies: the fixed message, plus only the documented extra fields.
    return { error: error.code, message: spec.message, ...error.extra };
  }
  const rm = error instanceof EndpointError && error.rm !== undefined ? error.rm : spec.rm;
  return { RC: spec.status, RM: rm, error: { code: error.code, message: error.message } };
}

import { type AppError, DEFAULT_MESSAGES, type ErrorCode } from '../core/errors.js';

export { AppError, type ErrorCode } from '../core/errors.js';

/**
 * The HTTP side of the domain's error codes (`core/errors.ts`): each code's status, RM and body shape
 * (spec 1.5): shape A `{error, message}` for the key layer, shape B `{RC, RM, error:{code,message}}`
 * otherwise.
 */
interface ErrorSpec {
  status: number;
  /** RM of shape B. */
  rm: string;
  /** Key-layer errors use shape A with exactly their default messages. */
  shapeA?: true;
  /** The code sent on the wire, when it is not the domain code itself. */
  wireCode?: string;
}

export const ERROR_TABLE: Record<ErrorCode, ErrorSpec> = {
  MISSING_API_KEY: { status: 401, rm: 'Unauthorized', shapeA: true },
  INVALID_API_KEY: { status: 401, rm: 'Unauthorized', shapeA: true },
  RATE_LIMIT_EXCEEDED: { status: 429, rm: 'Too Many Requests', shapeA: true },
  INSUFFICIENT_PERMISSIONS: { status: 403, rm: 'Forbidden', shapeA: true },
  MISSING_CLIENT_KEY: { status: 401, rm: 'Unauthorized', shapeA: true },
  INVALID_CLIENT_KEY: { status: 403, rm: 'Forbidden', shapeA: true },
  CLIENT_KEY_MISMATCH: { status: 403, rm: 'Forbidden', shapeA: true },
  INVALID_TOKEN: { status: 401, rm: 'Unauthorized' },
  FORBIDDEN: { status: 403, rm: 'Forbidden' },
  INVALID_REQUEST: { status: 400, rm: 'Bad Request' },
  MISSING_PARAMETER: { status: 400, rm: 'Bad Request' },
  INVALID_QUERY: { status: 400, rm: 'Invalid query syntax' },
  RESULT_TOO_LARGE: { status: 413, rm: 'Query result too large' },
  CLIENT_NOT_FOUND: { status: 404, rm: 'Not Found' },
  TOKEN_NOT_FOUND: { status: 404, rm: 'Not Found' },
  TOKEN_CONFLICT: { status: 409, rm: 'Conflict' },
  GROUP_ALREADY_EXISTS: { status: 409, rm: 'Conflict' },
  GROUP_NOT_FOUND: { status: 404, rm: 'Not Found' },
  KEY_NOT_FOUND: { status: 404, rm: 'Not Found' },
  KEY_REVOKED: { status: 409, rm: 'Conflict' },
  KEY_EXPIRED: { status: 409, rm: 'Conflict' },
  KEY_ROLLED: { status: 409, rm: 'Conflict' },
  ROOM_NOT_FOUND: { status: 404, rm: 'Room not found' },
  ROOM_EXISTS: { status: 409, rm: 'Conflict' },
  NOT_ROOM_MEMBER: { status: 403, rm: 'Forbidden' },
  ROOM_FROZEN: { status: 403, rm: 'Forbidden' },
  MESSAGE_EXISTS: { status: 409, rm: 'Conflict' },
  MESSAGE_NOT_FOUND: { status: 404, rm: 'Message not found' },
  INSUFFICIENT_PERMISSION: { status: 403, rm: 'Permission denied' },
  INVALID_SEARCH_TYPE: { status: 400, rm: 'Invalid search parameters' },
  INVALID_TAGS: { status: 400, rm: 'Bad Request' },
  INVALID_ROOM_TAGS: { status: 400, rm: 'Bad Request' },
  USER_BLOCKED: { status: 403, rm: 'Forbidden' },
  ROOM_OR_USER_NOT_FOUND: { status: 404, rm: 'Resource not found' },
  USER_ALREADY_BLOCKED: { status: 409, rm: 'User already blocked' },
  BLOCK_NOT_FOUND: { status: 404, rm: 'Block relationship not found' },
  INVALID_USER_ID: { status: 400, rm: 'Invalid parameters' },
  USER_NOT_FOUND: { status: 404, rm: 'User not found' },
  SELF_BLOCK_FORBIDDEN: { status: 400, rm: 'Cannot block yourself' },
  ROOM_NOT_MUTED: { status: 400, rm: 'Room is not muted' },
  CONFIG_NOT_FOUND: { status: 404, rm: 'Config not found' },
  INVALID_CONFIG_FORMAT: { status: 400, rm: 'Invalid request format' },
  INVALID_BODY: { status: 400, rm: 'Bad Request' },
  BATCH_NOT_FOUND: { status: 404, rm: 'Not Found' },
  NOT_FOUND: { status: 404, rm: 'Not Found' },
  METHOD_NOT_ALLOWED: { status: 405, rm: 'Method Not Allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, rm: 'Payload Too Large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, rm: 'Unsupported Media Type' },
  SERVICE_UNAVAILABLE: { status: 503, rm: 'Service Unavailable' },
  INTERNAL_ERROR: { status: 500, rm: 'Internal Server Error' },
  // Endpoint refusals the spec words differently from the key layer's codes: sent in shape B
  // under the wire code the endpoint documents.
  NOT_PERMITTED: { status: 403, rm: 'Forbidden', wireCode: 'INSUFFICIENT_PERMISSIONS' },
  FREEZE_NOT_PERMITTED: { status: 403, rm: 'Permission denied', wireCode: 'INSUFFICIENT_PERMISSIONS' },
  MODERATION_NOT_PERMITTED: { status: 403, rm: 'Access denied', wireCode: 'INSUFFICIENT_PERMISSIONS' },
  MUTE_CLIENT_NOT_FOUND: { status: 404, rm: 'Client not found', wireCode: 'CLIENT_NOT_FOUND' },
  // The dashboard's operators (issue 12).
  SESSION_REQUIRED: { status: 401, rm: 'Unauthorized' },
  INVALID_CREDENTIALS: { status: 401, rm: 'Unauthorized' },
  CSRF_TOKEN_INVALID: { status: 403, rm: 'Forbidden' },
  OPERATOR_EXISTS: { status: 409, rm: 'Conflict' },
};

export const httpStatus = (error: AppError): number => ERROR_TABLE[error.code].status;

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

/** The wire body of an error; `shape: 'B'` for answers that are always shape B (socket acks). */
export function errorBody(error: AppError, shape?: 'B'): ShapeA | ShapeB {
  const spec = ERROR_TABLE[error.code];
  const code = spec.wireCode ?? error.code;
  if (spec.shapeA && shape !== 'B') {
    // Exact key-page bodies: the fixed message, plus only the documented extra fields.
    return { error: code, message: DEFAULT_MESSAGES[error.code], ...error.extra };
  }
  return { RC: spec.status, RM: spec.rm, error: { code, message: error.message } };
}

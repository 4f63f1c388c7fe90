import { STATUS_CODES } from 'node:http';
import { AppError, ERROR_TABLE, errorBody, type ErrorCode } from '../../http/errors.js';
import type { AuthMode } from '../../http/types.js';
import { ErrorShapeA, ErrorShapeB } from '../../http/schemas.js';

/** The two error bodies of spec 1.5, and either, as named components of the document. */
export const ERROR_SCHEMA_NAMES = { A: String(ErrorShapeA.$id), B: String(ErrorShapeB.$id), either: 'ErrorBody' };

/** What authentication answers before a route runs, by the route's auth mode (plugins/auth.ts, operator-auth.ts). */
const AUTH_ERRORS: Record<AuthMode, ErrorCode[]> = {
  admin: [
    'MISSING_API_KEY',
    'INVALID_API_KEY',
    'SESSION_REQUIRED',
    'INSUFFICIENT_PERMISSIONS',
    'CSRF_TOKEN_INVALID',
    'RATE_LIMIT_EXCEEDED',
  ],
  user: [
    'MISSING_CLIENT_KEY',
    'INVALID_TOKEN',
    'INVALID_API_KEY',
    'INVALID_CLIENT_KEY',
    'CLIENT_KEY_MISMATCH',
    'INSUFFICIENT_PERMISSIONS',
    'NOT_PERMITTED',
    'RATE_LIMIT_EXCEEDED',
  ],
  clientKey: ['MISSING_CLIENT_KEY', 'INVALID_API_KEY', 'INVALID_CLIENT_KEY', 'RATE_LIMIT_EXCEEDED'],
  bodyTokens: [
    'MISSING_CLIENT_KEY',
    'INVALID_API_KEY',
    'INVALID_CLIENT_KEY',
    'INSUFFICIENT_PERMISSIONS',
    'RATE_LIMIT_EXCEEDED',
  ],
  operator: ['SESSION_REQUIRED', 'CSRF_TOKEN_INVALID', 'FORBIDDEN', 'RATE_LIMIT_EXCEEDED'],
  public: [],
};

/** An error code's wire example: the body `http/errors.ts` sends for it, with its default message. */
function exampleOf(code: ErrorCode): unknown {
  return errorBody(new AppError(code, undefined, code === 'RATE_LIMIT_EXCEEDED' ? { retryAfter: 30 } : undefined));
}

function shapeOf(code: ErrorCode): 'A' | 'B' {
  return ERROR_TABLE[code].shapeA ? 'A' : 'B';
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The component the responses name where both shapes occur (the two shapes are components by their `$id`). */
export function errorSchemas(): Record<string, object> {
  return {
    [ERROR_SCHEMA_NAMES.either]: {
      description:
        'Either error body: shape A `{error, message}` from the key layer (API key, client key, scopes, rate ' +
        'limits), shape B `{RC, RM, error: {code, message}}` from the endpoint (spec 1.5).',
      oneOf: [ref(ERROR_SCHEMA_NAMES.A), ref(ERROR_SCHEMA_NAMES.B)],
    },
  };
}

export interface ErrorSources {
  auth: AuthMode;
  /** The operation's own refusals (its entry in the operations table). */
  errors: readonly ErrorCode[];
}

/** Every error code an operation may answer, in a stable order. */
export function errorCodesOf({ auth, errors }: ErrorSources): ErrorCode[] {
  // Every route can answer INVALID_REQUEST: the input guard refuses NUL characters anywhere, before validation.
  const codes = new Set<ErrorCode>(['INVALID_REQUEST', ...AUTH_ERRORS[auth]]);
  for (const code of errors) codes.add(code);
  return [...codes];
}

/** OpenAPI responses for the codes, one per status: the shape(s) they take, and an example of each code. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_TABLE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, object> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const shapes = new Set(list.map(shapeOf));
    const schema = shapes.size === 2 ? ref(ERROR_SCHEMA_NAMES.either) : ref(ERROR_SCHEMA_NAMES[[...shapes][0] ?? 'B']);
    const lines = list.map((code) => {
      const wire = ERROR_TABLE[code].wireCode ?? code;
      return `- \`${wire}\` (shape ${shapeOf(code)}): ${exampleMessage(code)}`;
    });
    responses[String(status)] = {
      description: `${STATUS_CODES[status] ?? 'Error'}. Error codes:\n${lines.join('\n')}`,
      ...(list.includes('RATE_LIMIT_EXCEEDED')
        ? {
            headers: {
              'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
            },
          }
        : {}),
      content: {
        'application/json': {
          schema,
          examples: Object.fromEntries(
            list.map((code) => [code, { summary: ERROR_TABLE[code].wireCode ?? code, value: exampleOf(code) }]),
          ),
        },
      },
    };
  }
  return responses;
}

function exampleMessage(code: ErrorCode): string {
  const body = exampleOf(code) as { message?: string; error?: { message: string } | string };
  return typeof body.error === 'object' ? body.error.message : (body.message ?? '');
}

/** An answer the server refused, with the message it gave (both error shapes of the API). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;

/** The session's CSRF token, sent with every state-changing call; it lives only in memory. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** The application an admin call acts on (X-Parley-App). */
  appId?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** The user an admin call on a user route acts as (IM-CLIENT-ID). */
  clientId?: string;
}

type ErrorBody = { error?: unknown; message?: unknown; RM?: unknown };

function describeError(status: number, body: unknown, fallback: string): { message: string; code?: string } {
  if (body && typeof body === 'object') {
    const { error, message, RM } = body as ErrorBody;
    // Shape B: {RC, RM, error: {code, message}}; shape A: {error, message}.
    if (error && typeof error === 'object') {
      const nested = error as { code?: unknown; message?: unknown };
      return {
        message: typeof nested.message === 'string' ? nested.message : String(RM ?? fallback),
        code: typeof nested.code === 'string' ? nested.code : undefined,
      };
    }
    if (typeof message === 'string') return { message, code: typeof error === 'string' ? error : undefined };
  }
  if (typeof body === 'string' && body.trim() !== '') return { message: body.trim().slice(0, 300) };
  return { message: `${fallback} (HTTP ${status})` };
}

function urlOf(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/**
 * Calls the dashboard or admin API as the signed-in operator: the session cookie, the CSRF token
 * on every state change, and the selected application. Unwraps the `{RC: 0, result}` envelope.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  if (options.appId !== undefined) headers['x-parley-app'] = options.appId;
  if (options.clientId !== undefined) headers['im-client-id'] = options.clientId;
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'Parley cannot be reached. Check that the server is running.', undefined, undefined);
  }
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) {
    const { message, code } = describeError(response.status, body, response.statusText || 'Request failed');
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(
      response.status,
      message,
      code,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  if (body && typeof body === 'object' && 'RC' in body && 'result' in body) return (body as { result: T }).result;
  return body as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfterSeconds !== undefined)
      return `${error.message} Try again in ${error.retryAfterSeconds} s.`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testRedisUrl, type TestApp } from './test-app.js';

export const PASSWORD = 'correct horse battery staple';

/** A signed-in operator: the cookie to send back and the session's CSRF token. */
export interface OperatorSession {
  cookie: string;
  csrfToken: string;
  operator: { id: string; name: string };
}

/** The `parley_session=…` pair of a response's Set-Cookie header. */
export function sessionCookieOf(response: LightMyRequestResponse): string {
  const header = [response.headers['set-cookie'] ?? []].flat().find((line) => line.startsWith('parley_session='));
  if (!header) throw new Error(`no session cookie in ${response.statusCode} ${response.body}`);
  return header.split(';')[0]!;
}

export async function login(
  t: TestApp,
  name: string,
  password = PASSWORD,
  remoteAddress = '127.0.0.1',
): Promise<OperatorSession> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/dashboard/api/login',
    payload: { name, password },
    remoteAddress,
  });
  if (response.statusCode !== 200) throw new Error(`login ${name}: ${response.statusCode} ${response.body}`);
  const { csrfToken, operator } = response.json();
  return { cookie: sessionCookieOf(response), csrfToken, operator };
}

/** Creates an operator (through the service, as the CLI does) and signs it in. */
export async function operatorSession(t: TestApp, name: string): Promise<OperatorSession> {
  await t.services.operators.create(name, PASSWORD);
  return login(t, name);
}

/** A request with the operator's cookie, CSRF token and (for the admin API) X-Parley-App. */
export function asOperator(
  t: TestApp,
  session: OperatorSession,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    remoteAddress: '127.0.0.1',
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      'x-parley-app': t.appId,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs `parley <args>` from the sources as its own process, on the test app's database and Redis. */
export function runCliFromSource(
  t: TestApp,
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: t.config.databaseUrl,
      REDIS_PREFIX: t.config.redisPrefix,
      PARLEY_APP_ID: t.appId,
      ...(testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { checkOrigin, clearSessionCookie, setSessionCookie } from '../../http/operator-session.js';
import type { OperatorSignedIn } from '../../http/types.js';
import { iso } from '../../shared/time.js';
import type { OperatorsService } from './operators.service.js';
import {
  LoginBody,
  PasswordBody,
  SessionListResponse,
  SessionParams,
  SessionResponse,
  SetupBody,
  SignedInResponse,
} from './operators.schemas.js';
import type { SessionsService, SignedIn } from './sessions.service.js';

const tags = ['Dashboard'];
/** Before any session: anyone may try, from the server's own origin only. */
const signIn = { auth: 'public' } as const;
const signedIn = { auth: 'operator' } as const;

export function signedInOf(request: FastifyRequest): OperatorSignedIn {
  if (request.operatorSession === null) throw new AppError('SESSION_REQUIRED');
  return request.operatorSession;
}

const clientOf = (request: FastifyRequest) => ({
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '',
});

/** A refusal over the sign-in budget carries Retry-After, as every 429 of the API does. */
async function limited<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const wait =
      error instanceof AppError && error.code === 'RATE_LIMIT_EXCEEDED' ? error.extra?.retryAfter : undefined;
    if (wait !== undefined) reply.header('Retry-After', String(wait));
    throw error;
  }
}

function startSession(request: FastifyRequest, reply: FastifyReply, opened: SignedIn & { token: string }) {
  setSessionCookie(request, reply, opened.token, opened.session.expiresAt);
  return { operator: opened.operator, csrfToken: opened.session.csrfToken };
}

/** `/dashboard/api/…`: setup, sign-in and out, the operator's sessions and password. */
export const operatorsRoutes: FastifyPluginAsyncTypebox<{
  operators: OperatorsService;
  sessions: SessionsService;
}> = async (app, { operators, sessions }) => {
  app.post(
    '/dashboard/api/setup',
    {
      config: signIn,
      schema: {
        tags,
        summary: 'Create an operator from a one-time setup link and sign in',
        body: SetupBody,
        response: { 201: SignedInResponse },
      },
    },
    async (request, reply) => {
      checkOrigin(request);
      const opened = await operators.setup(request.body, clientOf(request));
      return reply.code(201).send(startSession(request, reply, opened));
    },
  );

  app.post(
    '/dashboard/api/login',
    {
      config: signIn,
      schema: { tags, summary: 'Sign in as an operator', body: LoginBody, response: { 200: SignedInResponse } },
    },
    async (request, reply) => {
      checkOrigin(request);
      const { name, password } = request.body;
      const opened = await limited(reply, () => operators.login(name, password, clientOf(request)));
      return startSession(request, reply, opened);
    },
  );

  app.post(
    '/dashboard/api/logout',
    { config: signedIn, schema: { tags, summary: 'Sign out: ends this session' } },
    async (request, reply) => {
      const { operator, session } = signedInOf(request);
      await sessions.revoke(operator.id, session.id);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/dashboard/api/session',
    { config: signedIn, schema: { tags, summary: 'The signed-in operator', response: { 200: SessionResponse } } },
    async (request) => {
      const { operator, session } = signedInOf(request);
      return {
        operator,
        csrfToken: session.csrfToken,
        expiresAt: iso(Math.min(session.idleExpiresAt, session.expiresAt)),
      };
    },
  );

  app.get(
    '/dashboard/api/sessions',
    {
      config: signedIn,
      schema: { tags, summary: "The operator's live sessions", response: { 200: SessionListResponse } },
    },
    async (request) => {
      const { operator, session: current } = signedInOf(request);
      const list = await sessions.list(operator.id);
      return {
        sessions: list.map((session) => ({
          id: session.id,
          createdAt: iso(session.createdAt),
          lastSeen: iso(session.lastSeenAt),
          ip: session.ip,
          userAgent: session.userAgent,
          current: session.id === current.id,
        })),
      };
    },
  );

  app.delete(
    '/dashboard/api/sessions/:id',
    { config: signedIn, schema: { tags, summary: 'End one of your sessions', params: SessionParams } },
    async (request, reply) => {
      const { operator, session } = signedInOf(request);
      await sessions.revoke(operator.id, request.params.id);
      if (request.params.id === session.id) clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.post(
    '/dashboard/api/password',
    {
      config: signedIn,
      schema: { tags, summary: 'Change your password (ends your other sessions)', body: PasswordBody },
    },
    async (request, reply) => {
      const { currentPassword, newPassword } = request.body;
      await operators.changePassword(signedInOf(request), currentPassword, newPassword);
      return reply.code(204).send();
    },
  );
};

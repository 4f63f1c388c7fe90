import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { authOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { iso } from '../../shared/time.js';
import { SignInBody, SignInResponse, SignInV2Response } from './sandbox.schemas.js';
import type { SandboxSignIn, SignInInput } from './sandbox.service.js';

const tags = ['Sandbox sign-in'];
/** The API key (with the scope token issuing needs), or the client key alone on a sandbox server. */
const config = { auth: 'clientKey', scope: 'tokens:write' } as const;

/** `POST /auths/sign` and `/auths/sign/v2` ([hist] 2.1, 2.2, 14 item 3). */
export const sandboxRoutes: FastifyPluginAsyncTypebox<{ signIn: SandboxSignIn }> = async (app, { signIn }) => {
  const sign = async (request: FastifyRequest, body: SignInInput | null) => {
    const auth = authOf(request);
    if (typeof body?.id === 'string' && body.id !== '') request.auditTargets.push(body.id);
    const { user, token, expiresAt } = await signIn.sign(
      auth.app,
      body ?? {},
      auth.kind === 'apiKey' ? 'apiKey' : 'clientKey',
    );
    return {
      authType: 'Standalone JWT',
      token,
      expirationDate: iso(expiresAt),
      expirationDateMS: expiresAt,
      id: user.id,
      nickname: user.nickname,
      avatarUrl: user.avatarUrl,
      exp: Math.floor(expiresAt / 1000),
    };
  };

  app.post(
    '/auths/sign',
    {
      config,
      schema: {
        tags,
        summary: 'A user token for development: bare answer ([hist] 2.1)',
        description:
          'With `IM-API-KEY` (scope tokens:write) always; with `IM-CLIENT-KEY` alone only when the server ' +
          'runs with PARLEY_SANDBOX=true, else 403. Creates the user if missing.',
        body: SignInBody,
        response: { 200: SignInResponse },
      },
    },
    async (request) => sign(request, request.body),
  );

  app.post(
    '/auths/sign/v2',
    {
      config,
      schema: {
        tags,
        summary: 'A user token for development: enveloped, `token` also at the top level ([hist] 2.2)',
        description: 'Same rules as POST /auths/sign.',
        body: SignInBody,
        response: { 200: SignInV2Response },
      },
    },
    async (request) => {
      const signed = await sign(request, request.body);
      return { ...ok(signed), token: signed.token };
    },
  );
};

import { createPublicKey, generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import { generate } from 'selfsigned';

const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** How the fake answers a send to one device token. `delayMs` holds the answer back (timeouts). */
export interface FakeFcmAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeFcmServiceAccount {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

export interface FakeFcm {
  /** A complete service-account key whose `token_uri` is this fake's `/token`. */
  serviceAccount: FakeFcmServiceAccount;
  /** `https://127.0.0.1:<port>`: the sender's `baseUrl`. */
  baseUrl: string;
  /** The PEM of the fake's self-signed certificate: the sender's `transport.ca`. */
  ca: string;
  /** Every send that passed authentication, in order. */
  received: Array<{ projectId: string; message: any; authorization: string }>;
  /** Access tokens handed out by `/token`. */
  tokensIssued: number;
  /** Requests to `/token`, answered or refused. */
  tokenRequests: number;
  /** The answer per device token; any other token gets 200 `{ name }`. */
  answers: Map<string, FakeFcmAnswer>;
  /** `expires_in` of the tokens it issues (default 3599). */
  tokenLifetimeS: number;
  /** When set, `/token` answers this instead of checking the assertion. */
  tokenFailure?: { status: number; body: unknown };
  /** FCM's answer for an expired or uninstalled app's token (404 `UNREGISTERED`). */
  unregistered(token: string): void;
  /** FCM's answer for a malformed token (400 `INVALID_ARGUMENT` on `message.token`). */
  invalidToken(token: string): void;
  /** 503 `UNAVAILABLE` with `Retry-After`. */
  unavailable(token: string, retryAfterS?: number): void;
  /** Forgets every token issued so far: the next send with one of them gets 401. */
  revokeTokens(): void;
  close(): Promise<void>;
}

const fcmError = (code: number, status: string, message: string, details: unknown[] = []) => ({
  error: { code, message, status, details },
});
const fcmErrorCode = (errorCode: string) => ({
  '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
  errorCode,
});

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
    .end(JSON.stringify(body));
}

/** What is wrong with a v1 message for the fake's checks, or undefined. */
function messageProblem(message: any): string | undefined {
  if (typeof message !== 'object' || message === null) return 'message is required';
  if (typeof message.token !== 'string' || message.token === '') return 'message.token is required';
  for (const [key, value] of Object.entries(message.data ?? {}))
    if (typeof value !== 'string') return `Invalid value at 'message.data[${key}].value' (TYPE_STRING)`;
  const ttl = message.android?.ttl;
  if (ttl !== undefined && !/^\d+(\.\d+)?s$/.test(ttl)) return "Invalid value at 'message.android.ttl'";
  return undefined;
}

/**
 * A local stand-in for Google's OAuth2 token endpoint and FCM HTTP v1, over HTTPS with a
 * self-signed certificate: it checks the service-account assertion (signature, iss, aud, scope,
 * exp) like Google does, only accepts the access tokens it issued, and records each message.
 */
export async function startFakeFcm(): Promise<FakeFcm> {
  const [{ privateKey }, certificate] = await Promise.all([
    promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }),
    generate([{ name: 'commonName', value: 'fake-fcm.test' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    }),
  ]);
  const publicKey = createPublicKey(privateKey);
  const projectId = `parley-test-${randomBytes(3).toString('hex')}`;
  const issued = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();

  const fake: FakeFcm = {
    serviceAccount: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey,
      client_email: `firebase-adminsdk@${projectId}.iam.gserviceaccount.com`,
      client_id: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: '',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/firebase-adminsdk%40${projectId}.iam.gserviceaccount.com`,
      universe_domain: 'googleapis.com',
    },
    baseUrl: '',
    ca: certificate.cert,
    received: [],
    tokensIssued: 0,
    tokenRequests: 0,
    answers: new Map(),
    tokenLifetimeS: 3599,
    unregistered(token) {
      fake.answers.set(token, {
        status: 404,
        body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', [fcmErrorCode('UNREGISTERED')]),
      });
    },
    invalidToken(token) {
      const message = 'The registration token is not a valid FCM registration token';
      fake.answers.set(token, {
        status: 400,
        body: fcmError(400, 'INVALID_ARGUMENT', message, [
          fcmErrorCode('INVALID_ARGUMENT'),
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'message.token', description: message }],
          },
        ]),
      });
    },
    unavailable(token, retryAfterS = 30) {
      fake.answers.set(token, {
        status: 503,
        body: fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', [fcmErrorCode('UNAVAILABLE')]),
        headers: { 'retry-after': String(retryAfterS) },
      });
    },
    revokeTokens() {
      issued.clear();
    },
    close: () => Promise.resolve(),
  };

  async function token(request: IncomingMessage, response: ServerResponse) {
    fake.tokenRequests += 1;
    const form = new URLSearchParams(await readBody(request));
    if (fake.tokenFailure) return reply(response, fake.tokenFailure.status, fake.tokenFailure.body);
    if (form.get('grant_type') !== JWT_BEARER)
      return reply(response, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        algorithms: ['RS256'],
        issuer: fake.serviceAccount.client_email,
        audience: fake.serviceAccount.token_uri,
        requiredClaims: ['iat', 'exp'],
      });
      if (payload.scope !== FCM_SCOPE) throw new Error('scope');
      if ((payload.exp as number) - (payload.iat as number) > 3600) throw new Error('lifetime');
      if (protectedHeader.kid !== undefined && protectedHeader.kid !== fake.serviceAccount.private_key_id)
        throw new Error('kid');
    } catch {
      return reply(response, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    issued.add(accessToken);
    fake.tokensIssued += 1;
    reply(response, 200, { access_token: accessToken, expires_in: fake.tokenLifetimeS, token_type: 'Bearer' });
  }

  async function send(request: IncomingMessage, response: ServerResponse, projectId: string) {
    const body = await readBody(request);
    const authorization = request.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (!bearer || !issued.has(bearer))
      return reply(
        response,
        401,
        fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.', []),
      );
    if (projectId !== fake.serviceAccount.project_id)
      return reply(response, 403, fcmError(403, 'PERMISSION_DENIED', 'Permission denied on the project.', []));
    let message: any;
    try {
      message = (JSON.parse(body) as { message?: unknown }).message;
    } catch {
      return reply(response, 400, fcmError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'));
    }
    const problem = messageProblem(message);
    if (problem)
      return reply(response, 400, fcmError(400, 'INVALID_ARGUMENT', problem, [fcmErrorCode('INVALID_ARGUMENT')]));
    fake.received.push({ projectId, message, authorization });
    const answer = fake.answers.get(message.token) ?? {
      status: 200,
      body: { name: `projects/${projectId}/messages/${randomUUID()}` },
    };
    const answerNow = () => reply(response, answer.status, answer.body, answer.headers);
    if (!answer.delayMs) return answerNow();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed) answerNow();
    }, answer.delayMs);
    timers.add(timer);
  }

  const server: Server = createServer({ key: certificate.private, cert: certificate.cert }, (request, response) => {
    const path = new URL(request.url ?? '/', 'https://fake').pathname;
    const sendPath = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
    const handled =
      request.method !== 'POST'
        ? reply(response, 405, { error: 'method not allowed' })
        : path === '/token'
          ? token(request, response)
          : sendPath
            ? send(request, response, decodeURIComponent(sendPath[1] as string))
            : reply(response, 404, { error: 'not found' });
    Promise.resolve(handled).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.serviceAccount.token_uri = `${fake.baseUrl}/token`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}

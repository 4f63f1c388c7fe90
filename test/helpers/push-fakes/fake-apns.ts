import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http2, { type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { errors, jwtVerify } from 'jose';
import { generate } from 'selfsigned';
import type { ApnsCredentials } from '../../../src/modules/push/delivery/apns-sender.js';

/** How the fake answers one device token; `delayMs` holds the answer back (timeouts). */
export interface FakeApnsAnswer {
  status: number;
  reason?: string;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  delayMs?: number;
}

export interface FakeApnsRequest {
  deviceToken: string;
  /** Every header but the pseudo-headers, `authorization` included. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: any;
  /** What the fake answered (0 while the answer is held back). */
  status: number;
}

export interface FakeApns {
  /** `https://127.0.0.1:<port>`: the sender's `transport.url`. */
  url: string;
  /** The PEM of the fake's self-signed certificate: the sender's `transport.ca`. */
  ca: string;
  /** Credentials the fake accepts (a fresh ES256 key; `production: false`). */
  credentials: ApnsCredentials;
  /** Every request, in order, including the refused ones. */
  received: FakeApnsRequest[];
  /** Answers per device token for requests that pass the checks; default 200 with an `apns-id`. */
  answers: Map<string, FakeApnsAnswer>;
  /** HTTP/2 sessions opened so far (TLS handshakes that succeeded). */
  readonly connections: number;
  /** TCP connections open now, handshakes that failed included. */
  readonly openConnections: number;
  /** Ends every open connection with a GOAWAY (as APNs does now and then); the fake keeps listening. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

const PUSH_TYPES = new Set([
  'alert',
  'background',
  'voip',
  'location',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
  'widgets',
  'controls',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEVICE_PATH = /^\/3\/device\/([^/?#]*)$/;
const MAX_BODY_READ = 64 * 1024;

type Refusal = { status: number; reason: string };

const appleId = () => randomBytes(5).toString('hex').toUpperCase();

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    plain[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return plain;
}

/**
 * A local APNs (HTTP/2 over TLS on 127.0.0.1) that checks requests the way APNs does, in its order:
 * method and path, the provider token (ES256 signature, `kid`, `iss`, `iat` under an hour old), push
 * type, topic, the other `apns-*` headers, the device token, then the payload.
 */
export async function startFakeApns(): Promise<FakeApns> {
  const keys = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const publicKey = createPublicKey(keys.publicKey);
  const credentials: ApnsCredentials = {
    keyP8: keys.privateKey,
    keyId: appleId(),
    teamId: appleId(),
    bundleId: 'com.example.parley',
    production: false,
  };
  const certificate = await generate([{ name: 'commonName', value: 'fake-apns.test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });

  const received: FakeApnsRequest[] = [];
  const answers = new Map<string, FakeApnsAnswer>();
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;

  async function providerTokenRefusal(authorization: string | undefined): Promise<Refusal | undefined> {
    const match = /^bearer (.+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return { status: 403, reason: 'MissingProviderToken' };
    try {
      const { protectedHeader } = await jwtVerify(match[1], publicKey, {
        algorithms: ['ES256'],
        issuer: credentials.teamId,
        maxTokenAge: '1h',
        requiredClaims: ['iat'],
      });
      if (protectedHeader.kid !== credentials.keyId) return { status: 403, reason: 'InvalidProviderToken' };
      return undefined;
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { status: 403, reason: 'ExpiredProviderToken' };
      return { status: 403, reason: 'InvalidProviderToken' };
    }
  }

  function headerRefusal(headers: Record<string, string>, deviceToken: string): Refusal | undefined {
    const pushType = headers['apns-push-type'];
    if (!pushType || !PUSH_TYPES.has(pushType)) return { status: 400, reason: 'InvalidPushType' };
    const topic = headers['apns-topic'];
    if (!topic) return { status: 400, reason: 'MissingTopic' };
    if (topic !== (pushType === 'voip' ? `${credentials.bundleId}.voip` : credentials.bundleId))
      return { status: 400, reason: 'TopicDisallowed' };
    const priority = headers['apns-priority'];
    if (priority !== undefined && !['1', '5', '10'].includes(priority)) return { status: 400, reason: 'BadPriority' };
    if (pushType === 'background' && priority === '10') return { status: 400, reason: 'BadPriority' };
    const expiration = headers['apns-expiration'];
    if (expiration !== undefined && !/^\d+$/.test(expiration)) return { status: 400, reason: 'BadExpirationDate' };
    const apnsId = headers['apns-id'];
    if (apnsId !== undefined && !UUID.test(apnsId)) return { status: 400, reason: 'BadMessageId' };
    const collapseId = headers['apns-collapse-id'];
    if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return { status: 400, reason: 'BadCollapseId' };
    if (!/^[0-9A-Fa-f]{64,200}$/.test(deviceToken)) return { status: 400, reason: 'BadDeviceToken' };
    return undefined;
  }

  function payloadRefusal(raw: Buffer, body: unknown, pushType: string | undefined): Refusal | undefined {
    if (raw.length === 0) return { status: 400, reason: 'PayloadEmpty' };
    if (raw.length > (pushType === 'voip' ? 5120 : 4096)) return { status: 413, reason: 'PayloadTooLarge' };
    const aps = (body as { aps?: unknown } | null)?.aps;
    // APNs documents no reason for a body that is not a JSON object with `aps`; the fake names one.
    if (typeof body !== 'object' || body === null || typeof aps !== 'object' || aps === null)
      return { status: 400, reason: 'BadPayload' };
    return undefined;
  }

  async function refusalOf(
    requestHeaders: IncomingHttpHeaders,
    headers: Record<string, string>,
    deviceToken: string | undefined,
    raw: Buffer,
    body: unknown,
  ): Promise<Refusal | undefined> {
    if (requestHeaders[':method'] !== 'POST') return { status: 405, reason: 'MethodNotAllowed' };
    if (deviceToken === undefined) return { status: 404, reason: 'BadPath' };
    return (
      (await providerTokenRefusal(headers.authorization)) ??
      headerRefusal(headers, deviceToken) ??
      payloadRefusal(raw, body, headers['apns-push-type'])
    );
  }

  function respond(stream: ServerHttp2Stream, requestApnsId: string | undefined, answer: FakeApnsAnswer): void {
    if (stream.closed || stream.destroyed) return;
    const headers: Record<string, string | number> = {
      ':status': answer.status,
      'apns-id': requestApnsId ?? randomUUID(),
    };
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    if (answer.status === 200) {
      stream.respond(headers, { endStream: true });
      return;
    }
    headers['content-type'] = 'application/json';
    stream.respond(headers);
    const reason = answer.reason ?? (answer.status === 410 ? 'Unregistered' : 'InternalServerError');
    stream.end(JSON.stringify(answer.status === 410 ? { reason, timestamp: Date.now() } : { reason }));
  }

  async function handle(stream: ServerHttp2Stream, requestHeaders: IncomingHttpHeaders, raw: Buffer) {
    const headers = plainHeaders(requestHeaders);
    const deviceToken = DEVICE_PATH.exec(String(requestHeaders[':path'] ?? ''))?.[1];
    let body: unknown = raw.toString('utf8');
    try {
      body = JSON.parse(body as string);
    } catch {
      // kept as text
    }
    const entry: FakeApnsRequest = { deviceToken: deviceToken ?? '', headers, body, status: 0 };
    received.push(entry);
    const refusal = await refusalOf(requestHeaders, headers, deviceToken, raw, body);
    const answer: FakeApnsAnswer = refusal ?? answers.get(entry.deviceToken) ?? { status: 200 };
    const answerNow = () => {
      entry.status = answer.status;
      respond(stream, headers['apns-id'], answer);
    };
    if (!answer.delayMs) return answerNow();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answerNow();
    }, answer.delayMs);
    timers.add(timer);
  }

  const server = http2.createSecureServer({ key: certificate.private, cert: certificate.cert });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
    connections++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, requestHeaders) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_READ) chunks.push(chunk);
    });
    stream.on('end', () => void handle(stream, requestHeaders, Buffer.concat(chunks)));
    stream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const closeSession = (session: Http2Session) =>
    new Promise<void>((resolve) => {
      if (session.destroyed) return resolve();
      session.once('close', () => resolve());
      session.close();
    });
  const socketClosed = (socket: Socket) =>
    new Promise<void>((resolve) => {
      if (socket.closed) return resolve();
      socket.once('close', () => resolve());
    });

  return {
    url: `https://127.0.0.1:${port}`,
    ca: certificate.cert,
    credentials,
    received,
    answers,
    get connections() {
      return connections;
    },
    get openConnections() {
      return sockets.size;
    },
    async dropConnections() {
      await Promise.all([...sessions].map(closeSession));
      await Promise.all([...sockets].map(socketClosed));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

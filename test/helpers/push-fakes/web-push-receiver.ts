import { type ECDH, createECDH, randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptAes128gcm, verifyVapid } from './web-push-crypto.js';

export interface WebPushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** One push the receiver accepted, decrypted as the browser would. */
export interface ReceivedWebPush {
  name: string;
  payload: any;
  ttl: number;
  urgency?: string;
  topic?: string;
  vapid: { subject: string; publicKey: string };
}

export interface WebPushReceiver {
  /** Origin of the fake push service, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Pushes answered with a 2xx, in arrival order. */
  received: ReceivedWebPush[];
  /** Every POST, whatever was answered (refused ones too, with why). */
  attempts: Array<{ name: string; status: number; error?: string }>;
  /** What to answer for a subscription's name (default 201). */
  answers: Map<string, { status: number; retryAfter?: number }>;
  /**
   * A browser's subscription: a P-256 key pair and a 16-byte auth secret, its private half kept
   * here to decrypt. With `applicationServerKey`, pushes signed by another VAPID key get 403, as
   * real push services answer.
   */
  newSubscription(
    name?: string,
    options?: { applicationServerKey?: string },
  ): { name: string; subscription: WebPushSubscriptionJson; token: string };
  /** Waits until `count` pushes were accepted (5 s at most), then returns them. */
  waitFor(count: number, ms?: number): Promise<ReceivedWebPush[]>;
  close(): Promise<void>;
}

interface Subscriber {
  ecdh: ECDH;
  auth: Buffer;
  applicationServerKey?: string;
}

/** A push service answers at most 4096 bytes of body (RFC 8030 7.2); larger gets 413. */
const MAX_BODY = 4096;
const PATH = /^\/push\/([^/?]+)$/;

function nameOf(path: string | undefined): string | undefined {
  try {
    const encoded = PATH.exec(path ?? '')?.[1];
    return encoded === undefined ? undefined : decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local browser push service on 127.0.0.1 (RFC 8030): each subscription's endpoint is
 * `<url>/push/<name>`. A POST is checked like a push service does (VAPID, TTL, size), then
 * decrypted like the browser does (RFC 8291), and answered as `answers` says.
 */
export async function startWebPushReceiver(): Promise<WebPushReceiver> {
  const subscribers = new Map<string, Subscriber>();
  const received: ReceivedWebPush[] = [];
  const attempts: WebPushReceiver['attempts'] = [];
  const answers = new Map<string, { status: number; retryAfter?: number }>();
  let url = '';
  let counter = 0;

  function accept(name: string, request: IncomingMessage, body: Buffer): ReceivedWebPush {
    const subscriber = subscribers.get(name);
    if (!subscriber) throw new Refusal(404, 'no such subscription');
    let vapid: ReturnType<typeof verifyVapid>;
    try {
      vapid = verifyVapid(request.headers.authorization, url);
    } catch (error) {
      throw new Refusal(401, `VAPID: ${(error as Error).message}`);
    }
    if (subscriber.applicationServerKey && subscriber.applicationServerKey !== vapid.publicKey)
      throw new Refusal(403, 'VAPID key is not the subscription’s applicationServerKey');
    const ttl = Number(request.headers.ttl);
    if (request.headers.ttl === undefined || !Number.isInteger(ttl) || ttl < 0) throw new Refusal(400, 'TTL missing');
    if (body.length > MAX_BODY) throw new Refusal(413, `body of ${body.length} bytes`);
    if (request.headers['content-encoding'] !== 'aes128gcm') throw new Refusal(400, 'not aes128gcm');
    let payload: unknown;
    try {
      payload = JSON.parse(decryptAes128gcm(body, subscriber.ecdh, subscriber.auth).toString('utf8'));
    } catch (error) {
      throw new Refusal(400, `decryption: ${(error as Error).message}`);
    }
    const urgency = request.headers.urgency;
    const topic = request.headers.topic;
    return {
      name,
      payload,
      ttl,
      ...(typeof urgency === 'string' && { urgency }),
      ...(typeof topic === 'string' && { topic }),
      vapid: { subject: vapid.subject, publicKey: vapid.publicKey },
    };
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    const name = nameOf(request.url);
    if (request.method !== 'POST' || !name) {
      response.writeHead(404).end();
      return;
    }
    let push: ReceivedWebPush;
    try {
      push = accept(name, request, body);
    } catch (error) {
      const status = error instanceof Refusal ? error.status : 500;
      attempts.push({ name, status, error: (error as Error).message });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: status, error: (error as Error).message }));
      return;
    }
    const answer = answers.get(name) ?? { status: 201 };
    attempts.push({ name, status: answer.status });
    if (answer.status >= 200 && answer.status < 300) received.push(push);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (answer.status === 201) headers.location = `${url}/message/${randomUUID()}`;
    if (answer.retryAfter !== undefined) headers['retry-after'] = String(answer.retryAfter);
    response.writeHead(answer.status, headers).end(answer.status >= 300 ? JSON.stringify({ code: answer.status }) : '');
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    received,
    attempts,
    answers,
    newSubscription(name = `browser-${++counter}`, options = {}) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      subscribers.set(name, {
        ecdh,
        auth,
        ...(options.applicationServerKey && { applicationServerKey: options.applicationServerKey }),
      });
      const subscription = {
        endpoint: `${url}/push/${encodeURIComponent(name)}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
      return { name, subscription, token: JSON.stringify(subscription) };
    },
    async waitFor(count, ms = 5000) {
      const deadline = Date.now() + ms;
      while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return received;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

import type { KeyObject } from 'node:crypto';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { SignJWT } from 'jose';
import { BlockedDestination, destinationForRequest, guardedLookup, withDefaultCas } from '../../../outbound/index.js';
import { type ApnsCredentials, apnsSigningKey } from './apns-credentials.js';
import { APNS_DEVICE_TOKEN, type ApnsRequest, apnsRequestOf } from './apns-request.js';
import type { DeliveryOutcome, DeviceTarget, PushContent, PushSender, SenderTransport } from './contract.js';
import { retryOutcome } from './retry-after.js';

export { type ApnsCredentials, parseApnsCredentials } from './apns-credentials.js';
export { apnsRequestOf } from './apns-request.js';

export const APNS_PRODUCTION_URL = 'https://api.push.apple.com';
export const APNS_SANDBOX_URL = 'https://api.sandbox.push.apple.com';

/** Apple refuses provider tokens older than an hour and refreshing them more often than every 20 minutes. */
const TOKEN_REUSE_MS = 50 * 60_000;
/** APNs answers errors with a small JSON object; anything past this is not read. */
const MAX_REPLY_CHARS = 2048;
/** Answers that say the device token will never be delivered to: its registration is removed. */
const DEAD_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered', 'ExpiredToken']);
const REASON = /^[A-Za-z]{1,64}$/;
const APNS_ID = /^[0-9A-Fa-f-]{36}$/;
const MAX_RETRY_AFTER_MS = 3_600_000;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface ProviderToken {
  issuedAt: number;
  jwt: Promise<string>;
  /** The JWT once signed, to tell whether a refusal was about the current one. */
  value?: string;
}

class RequestTimeout extends Error {
  override name = 'RequestTimeout';
}

/** APNs's `reason`, only when it looks like one (never echoes anything else an answer holds). */
function reasonOf(body: string): string | undefined {
  try {
    const reason = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof reason === 'string' && REASON.test(reason) ? reason : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Delivers to iOS devices through APNs over HTTP/2 with token authentication: one session per
 * sender (APNs wants connections kept open), opened again after it closed, failed or was sent a
 * GOAWAY; one ES256 provider token, signed again every 50 minutes or when APNs says it expired.
 */
export class ApnsSender implements PushSender {
  readonly provider = 'apns' as const;
  private readonly origin: string;
  private readonly signingKey: KeyObject;
  private readonly now: () => number;
  private session?: ClientHttp2Session;
  private probing?: ClientHttp2Session;
  private token?: ProviderToken;
  private closed = false;

  constructor(
    private readonly credentials: ApnsCredentials,
    private readonly transport: SenderTransport & { url?: string },
    options: { now?: () => number } = {},
  ) {
    this.origin = transport.url ?? (credentials.production ? APNS_PRODUCTION_URL : APNS_SANDBOX_URL);
    this.signingKey = apnsSigningKey(credentials.keyP8);
    this.now = options.now ?? Date.now;
  }

  async send(target: DeviceTarget, content: PushContent): Promise<DeliveryOutcome> {
    if (target.type !== 'ios' && target.type !== 'ios-voip')
      return { status: 'failed', detail: `not an APNs device type: ${target.type}` };
    // Such a token can never be delivered (APNs would answer BadDeviceToken), and it must not reach the path.
    if (!APNS_DEVICE_TOKEN.test(target.token))
      return { status: 'dead', detail: 'not an APNs device token (64 to 200 hex digits)' };
    if (this.closed) return { status: 'retry', detail: 'APNs sender closed' };
    const request = apnsRequestOf(target, content, this.credentials);
    let jwt: string;
    try {
      jwt = await this.providerToken();
    } catch {
      return { status: 'failed', detail: 'the APNs provider token could not be signed' };
    }
    if (this.closed) return { status: 'retry', detail: 'APNs sender closed' };
    try {
      return this.outcomeOf(await this.post(request, jwt), jwt);
    } catch (error) {
      return this.outcomeOfError(error);
    }
  }

  /** Closes the session once its requests are answered (or timed out). */
  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (!session || session.destroyed) return;
    await new Promise<void>((resolve) => {
      session.once('close', resolve);
      session.close();
    });
  }

  private outcomeOf(reply: Reply, jwt: string): DeliveryOutcome {
    const { status } = reply;
    const reason = reasonOf(reply.body);
    const detail = reason ? `${status} ${reason}` : String(status);
    if (status === 200) {
      const apnsId = reply.headers['apns-id'];
      return { status: 'sent', detail: typeof apnsId === 'string' && APNS_ID.test(apnsId) ? apnsId : undefined };
    }
    if (status === 410 || (status === 400 && reason !== undefined && DEAD_REASONS.has(reason)))
      return { status: 'dead', detail };
    if (status === 403 && reason === 'ExpiredProviderToken') {
      if (this.token?.value === jwt) this.token = undefined;
      return { status: 'retry', detail };
    }
    if (status === 429 || status >= 500) return retryOutcome(detail, reply.headers, Date.now(), MAX_RETRY_AFTER_MS);
    return { status: 'failed', detail };
  }

  private outcomeOfError(error: unknown): DeliveryOutcome {
    // A stream canceled because its session failed carries the session's error (ECONNREFUSED, a TLS code…).
    const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
    // Refused by the SSRF guard: by the URL itself, or by the address its name resolved to at connect time.
    const blocked = [error, cause].find((candidate) => candidate instanceof BlockedDestination);
    if (blocked) return { status: 'failed', detail: `APNs URL refused: ${(blocked as Error).message}` };
    if (error instanceof RequestTimeout) return { status: 'retry', detail: error.message };
    const reported = typeof cause?.code === 'string' ? cause.code : code;
    return { status: 'retry', detail: `network error: ${typeof reported === 'string' ? reported : 'unknown'}` };
  }

  /** The current provider token, signed again once it is 50 minutes old. */
  private providerToken(): Promise<string> {
    const now = this.now();
    if (this.token && now - this.token.issuedAt < TOKEN_REUSE_MS) return this.token.jwt;
    const token: ProviderToken = { issuedAt: now, jwt: Promise.resolve('') };
    token.jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.credentials.keyId })
      .setIssuer(this.credentials.teamId)
      .setIssuedAt(Math.floor(now / 1000))
      .sign(this.signingKey)
      .then(
        (jwt) => {
          token.value = jwt;
          return jwt;
        },
        (error: unknown) => {
          if (this.token === token) this.token = undefined;
          throw error;
        },
      );
    this.token = token;
    return token.jwt;
  }

  private currentSession(): ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const target = destinationForRequest(this.origin, this.transport.allowPrivate);
    const session = http2.connect(target.origin, {
      lookup: guardedLookup(this.transport.allowPrivate),
      ...(this.transport.ca ? { ca: withDefaultCas(this.transport.ca) } : {}),
    });
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // The requests on it report the error; the next request opens a new session.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    this.session = session;
    return session;
  }

  /**
   * After a request timed out: a session still connecting is given up; an open one is pinged and
   * given up when the ping is not answered in time (a connection dropped silently on the way would
   * otherwise hold every request until TCP gives up).
   */
  private probe(session: ClientHttp2Session): void {
    if (session.destroyed || session.closed || this.probing === session) return;
    if (session.connecting) {
      session.destroy();
      return;
    }
    this.probing = session;
    const timer = setTimeout(() => session.destroy(), this.transport.timeoutMs).unref();
    const done = () => {
      clearTimeout(timer);
      if (this.probing === session) this.probing = undefined;
    };
    const sent = session.ping((error) => {
      done();
      if (error) session.destroy();
    });
    if (!sent) done();
  }

  private post(request: ApnsRequest, jwt: string): Promise<Reply> {
    const session = this.currentSession();
    const timeoutMs = this.transport.timeoutMs;
    return new Promise<Reply>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': request.path,
        authorization: `bearer ${jwt}`,
        'content-type': 'application/json',
        ...request.headers,
      });
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      let body = '';
      const timer = setTimeout(() => {
        reject(new RequestTimeout(`timeout after ${timeoutMs} ms`));
        stream.close(http2.constants.NGHTTP2_CANCEL);
        this.probe(session);
      }, timeoutMs);
      stream.setEncoding('utf8');
      stream.on('response', (answer) => {
        status = Number(answer[':status']);
        headers = answer;
      });
      stream.on('data', (chunk: string) => {
        if (body.length < MAX_REPLY_CHARS) body += chunk.slice(0, MAX_REPLY_CHARS - body.length);
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (status > 0) resolve({ status, headers, body });
        else reject(Object.assign(new Error('stream closed without an answer'), { code: `RST_${stream.rstCode}` }));
      });
      stream.end(request.body);
    });
  }
}

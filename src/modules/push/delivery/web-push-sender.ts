import webpush from 'web-push';
import { BlockedDestination, GuardedPoster, type GuardedReply } from '../../../outbound/index.js';
import type { DeliveryOutcome, DeviceTarget, PushContent, PushSender, SenderTransport } from './contract.js';
import { retryOutcome } from './retry-after.js';
import { parseVapidCredentials, type VapidCredentials } from './vapid-credentials.js';
import { fitWebPushPayload, webPushPayloadOf } from './web-push-payload.js';
import { InvalidWebSubscription, parseWebSubscription } from './web-subscription.js';

export { generateVapidCredentials, parseVapidCredentials, type VapidCredentials } from './vapid-credentials.js';
export { InvalidWebSubscription, parseWebSubscription, type WebSubscription } from './web-subscription.js';

/** How long a push service keeps a message for an offline browser when the content sets no expiry. */
const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
/** Push services keep messages four weeks at most (FCM's limit). */
const MAX_TTL_SECONDS = 28 * 24 * 60 * 60;
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** RFC 8030 5.4: a topic is at most 32 characters of the base64url alphabet. */
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_DETAIL_PART = 100;

/** TTL header: seconds until `expiry` (Unix seconds), none left once it passed; else the default. */
export function webPushTtlOf(expiry: number | undefined, nowMs: number): number {
  if (expiry === undefined) return DEFAULT_TTL_SECONDS;
  return Math.min(MAX_TTL_SECONDS, Math.max(0, Math.floor(expiry - nowMs / 1000)));
}

/** Printable ASCII only, short: an answer's text is chosen by whoever runs the endpoint. */
const printable = (text: string) =>
  text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, MAX_DETAIL_PART);

/** The push service's reason, if it gave one: `reason` (Apple), `error`/`message` (Mozilla), or a line of text (FCM). */
function reasonOf(body: string): string {
  let text = body;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const reason = [json.reason, json.error, json.message].find((value) => typeof value === 'string');
    text = typeof reason === 'string' ? reason : '';
  } catch {
    text = body.split('\n', 1)[0] ?? '';
  }
  const reason = printable(text);
  return reason ? `: ${reason}` : '';
}

/** The message id a push service gives in `Location` (its last path segment). */
function messageIdOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  try {
    const segment = new URL(location, 'http://push.invalid').pathname.split('/').filter(Boolean).pop();
    return segment ? printable(decodeURIComponent(segment)) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 8030 answers: 2xx accepted; 404/410 the subscription is gone; 429 and 5xx later; the rest is our request's fault. */
export function outcomeOfReply(
  reply: Pick<GuardedReply, 'status' | 'headers' | 'body'>,
  nowMs: number,
): DeliveryOutcome {
  const { status, headers } = reply;
  if (status >= 200 && status < 300) {
    const id = messageIdOf(headers.location);
    return id ? { status: 'sent', detail: id } : { status: 'sent' };
  }
  const detail = `push service answered HTTP ${status}${reasonOf(reply.body)}`;
  if (status === 404 || status === 410) return { status: 'dead', detail };
  if (status === 429 || status >= 500) return retryOutcome(detail, headers, nowMs, MAX_RETRY_AFTER_MS);
  return { status: 'failed', detail };
}

function outcomeOfError(error: unknown): DeliveryOutcome {
  if (error instanceof BlockedDestination) return { status: 'dead', detail: `endpoint refused: ${error.message}` };
  if (error instanceof Error && error.name === 'TimeoutError')
    return { status: 'retry', detail: 'push service timed out' };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return { status: 'retry', detail: `network error${typeof code === 'string' ? ` ${printable(code)}` : ''}` };
}

/** The request headers as strings, lower case, without the length (the poster sets it). */
function headersOf(details: Record<string, string | number>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details))
    if (name.toLowerCase() !== 'content-length') headers[name.toLowerCase()] = String(value);
  return headers;
}

/**
 * Web Push (RFC 8030) with an `aes128gcm`-encrypted payload (RFC 8291) and VAPID (RFC 8292):
 * `web-push` encrypts and signs, the request goes through the outbound guard, since the endpoint
 * is chosen by a user.
 */
export class WebPushSender implements PushSender {
  readonly provider = 'webpush' as const;
  private readonly credentials: VapidCredentials;
  private readonly poster: GuardedPoster;

  constructor(
    credentials: VapidCredentials,
    private readonly transport: SenderTransport,
  ) {
    this.credentials = parseVapidCredentials(credentials);
    this.poster = new GuardedPoster({
      allowPrivate: transport.allowPrivate,
      timeoutMs: transport.timeoutMs,
      maxReplyBytes: 4096,
      ...(transport.ca !== undefined && { ca: transport.ca }),
    });
  }

  async send(target: DeviceTarget, content: PushContent): Promise<DeliveryOutcome> {
    if (target.type !== 'web') return { status: 'failed', detail: `not a web device (${target.type})` };
    let subscription: ReturnType<typeof parseWebSubscription>;
    try {
      subscription = parseWebSubscription(target.token, { allowPrivate: this.transport.allowPrivate });
    } catch (error) {
      if (error instanceof InvalidWebSubscription)
        return { status: 'dead', detail: `invalid subscription: ${error.message}` };
      throw error;
    }
    const topic = content.collapseKey && TOPIC.test(content.collapseKey) ? content.collapseKey : undefined;
    let request: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      request = webpush.generateRequestDetails(
        subscription,
        JSON.stringify(fitWebPushPayload(webPushPayloadOf(content))),
        {
          vapidDetails: this.credentials,
          contentEncoding: 'aes128gcm',
          TTL: webPushTtlOf(content.expiry, Date.now()),
          urgency: content.kind === 'message' ? 'high' : 'normal',
          ...(topic && { topic }),
        },
      );
    } catch {
      // The subscription and credentials were validated: not expected, and its message may quote a key.
      return { status: 'failed', detail: 'the message could not be encrypted or signed' };
    }
    try {
      const reply = await this.poster.post(
        request.endpoint,
        headersOf(request.headers),
        request.body ?? Buffer.alloc(0),
      );
      return outcomeOfReply(reply, Date.now());
    } catch (error) {
      return outcomeOfError(error);
    }
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}

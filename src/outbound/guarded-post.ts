import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { signWebhook } from './signature.js';
import { destinationForRequest, guardedLookup } from './ssrf-guard.js';

export interface GuardedPostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** The answer body is read up to this size; the rest is discarded. */
  maxReplyBytes: number;
  /** Extra CA certificates (PEM) trusted for https besides the default ones (a push gateway's own CA). */
  ca?: string;
}

/** A JSON body signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
export interface SignedMessage {
  id: string;
  body: string;
  /** Every secret signs (a rotation sends two signatures). */
  secrets: readonly string[];
  /** Sent after `content-type` and before the signature headers. */
  headers?: Record<string, string>;
}

export interface GuardedReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * The CAs an https (or HTTP/2) request trusts by default, plus `extra`. Giving `ca` replaces the
 * defaults, so they are listed again: on Node 22.15+ with those of NODE_EXTRA_CA_CERTS and
 * --use-system-ca, else Node's bundled roots.
 */
export function withDefaultCas(extra: string): string[] {
  const withSettings = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  return [...(withSettings ? withSettings('default') : tls.rootCertificates), extra];
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * POSTs to an outside destination (webhooks, push gateways) through connections that only reach addresses passing the
 * SSRF guard (checked at connect time, see `guardedLookup`). Redirects are never followed: a 3xx is
 * an answer like any other. Throws `BlockedDestination` for a refused destination, `TimeoutError`
 * (by name) after `timeoutMs`, and network errors as they come.
 */
export class GuardedPoster {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: GuardedPostOptions) {
    // Agents of their own, so that no pooled socket made under another policy is ever reused.
    const lookup = guardedLookup(options.allowPrivate);
    this.httpAgent = new http.Agent({ keepAlive: true, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      lookup,
      ...(options.ca ? { ca: withDefaultCas(options.ca) } : {}),
    } as https.AgentOptions);
  }

  /** POSTs a body (text as UTF-8, or bytes as they are, e.g. an encrypted Web Push message). */
  post(url: string, headers: Record<string, string>, body: string | Uint8Array): Promise<GuardedReply> {
    const target = destinationForRequest(url, this.options.allowPrivate);
    const agent = target.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    const send = target.protocol === 'https:' ? https.request : http.request;
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    return new Promise<GuardedReply>((resolve, reject) => {
      const request = send(
        target,
        { method: 'POST', agent, headers: { ...headers, 'content-length': String(payload.length) } },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            clearTimeout(timer);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          };
          response.on('data', (chunk: Buffer) => {
            if (size >= this.options.maxReplyBytes) return;
            const room = this.options.maxReplyBytes - size;
            chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
            size += Math.min(chunk.length, room);
            if (size >= this.options.maxReplyBytes) {
              response.destroy();
              finish();
            }
          });
          response.on('end', finish);
          response.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(() => request.destroy(new TimeoutError('timed out')), this.options.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(payload);
    });
  }

  /** POSTs a JSON body signed with the current time (webhooks, the HTTP push provider). */
  postSigned(url: string, message: SignedMessage): Promise<GuardedReply> {
    const timestamp = Math.floor(Date.now() / 1000);
    return this.post(
      url,
      {
        'content-type': 'application/json',
        ...message.headers,
        'webhook-id': message.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(message.secrets, message.id, timestamp, message.body),
      },
      message.body,
    );
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/** A local webhook receiver: records each request and answers as `respond` says (status and body). */
export class WebhookReceiver {
  readonly received: Received[] = [];
  respond: (request: Received, index: number) => { status: number; body?: unknown } = () => ({ status: 200 });
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const entry: Received = {
          path: request.url ?? '/',
          headers: request.headers,
          body,
          json: body ? JSON.parse(body) : undefined,
        };
        this.received.push(entry);
        const answer = this.respond(entry, this.received.length - 1);
        response
          .writeHead(answer.status, { 'content-type': 'application/json' })
          .end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async waitFor(count: number, ms = 5000): Promise<Received[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return this.received;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Verifies a Standard Webhooks signature header against a `whsec_` secret; true when any v1 signature matches. */
export function verifySignature(secret: string, received: Received, toleranceS = 300): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = Number(received.headers['webhook-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceS) return false;
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${timestamp}.${received.body}`)
    .digest('base64');
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((part) => part === `v1,${expected}`);
}

import { randomBytes } from 'node:crypto';
import { BlockedDestination, GuardedPoster } from '../../outbound/index.js';
import type { DeliveryOutcome } from './delivery/contract.js';

/**
 * IMKIT's external push services (history 11.4): instead of the platforms, an HTTP service of the
 * integrator's own receives each push, as JSON signed like webhooks. v1 (`PUSH`): one request per
 * receiver with `toClient`, `badge` and `alert`; v2 (`PUSH_GENERIC`): one request per message with
 * `roomName` and `pushToClients`.
 */
export class ExternalPushClient {
  private readonly poster: GuardedPoster;

  constructor(
    private readonly secretsOf: (appId: string) => Promise<string[]>,
    options: { allowPrivate: boolean; timeoutMs: number },
  ) {
    this.poster = new GuardedPoster({ ...options, maxReplyBytes: 4096 });
  }

  async post(appId: string, url: string, body: Record<string, unknown>): Promise<DeliveryOutcome> {
    try {
      const reply = await this.poster.postSigned(url, {
        id: `push_${randomBytes(12).toString('base64url')}`,
        body: JSON.stringify(body),
        secrets: await this.secretsOf(appId),
      });
      if (reply.status >= 200 && reply.status < 300) return { status: 'sent', detail: `HTTP ${reply.status}` };
      if (reply.status === 408 || reply.status === 429 || reply.status >= 500)
        return { status: 'retry', detail: `HTTP ${reply.status}` };
      return { status: 'failed', detail: `HTTP ${reply.status}` };
    } catch (error) {
      if (error instanceof BlockedDestination)
        return { status: 'failed', detail: 'destination refused: a private address' };
      return { status: 'retry', detail: (error as Error).message.slice(0, 200) };
    }
  }
}

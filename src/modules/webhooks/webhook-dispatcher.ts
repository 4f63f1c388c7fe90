import type { WebhookConfig } from '../../config/config.js';
import { BlockedDestination, GuardedPoster, checkDestination } from '../../outbound/index.js';
import type { Delivery, WebhooksRepository } from './webhooks.repository.js';
import type { WebhooksService } from './webhooks.service.js';
import { SerialTicker } from '../../shared/serial-ticker.js';

const TICK_MS = 200;
const BATCH = 20;
const MAX_BACKOFF_MS = 3_600_000;
const MAX_REPLY_BYTES = 64 * 1024;

/** What turns a receiver's answer into a bot reply in the room (spec 11.3); the chat module provides it. */
export interface BotReplies {
  /** Applies the answer; returns why it was dropped, if it was. */
  applyBotReply(appId: string, roomId: string | null, text: string): Promise<string | undefined>;
}

type Outcome =
  | { delivered: true; reply: string }
  | { delivered: false; retry: boolean; status: number | null; error: string };

/**
 * Sends the outbox: signed the Standard Webhooks way, retried with exponential backoff on timeouts,
 * network errors, 408, 429 and 5xx, never on other answers, and left as a dead letter after the
 * last attempt. Several nodes share the work through a lease on each delivery.
 */
export class WebhookDispatcher {
  private readonly ticker: SerialTicker;
  private readonly poster: GuardedPoster;

  private readonly webhooks: WebhooksRepository;
  private readonly config: WebhookConfig;
  private readonly replies: BotReplies;
  private readonly secrets: Pick<WebhooksService, 'settings' | 'signingSecrets'>;
  private readonly onError: (error: unknown) => void;

  constructor(deps: {
    repository: WebhooksRepository;
    config: WebhookConfig;
    replies: BotReplies;
    secrets: Pick<WebhooksService, 'settings' | 'signingSecrets'>;
    onError: (error: unknown) => void;
  }) {
    this.webhooks = deps.repository;
    this.config = deps.config;
    this.replies = deps.replies;
    this.secrets = deps.secrets;
    this.onError = deps.onError;
    const { config, onError } = deps;
    this.ticker = new SerialTicker(TICK_MS, () => this.tick(), onError);
    this.poster = new GuardedPoster({
      allowPrivate: config.allowPrivate,
      timeoutMs: config.timeoutMs,
      maxReplyBytes: MAX_REPLY_BYTES,
    });
  }

  start(): void {
    this.ticker.start();
  }

  async stop(): Promise<void> {
    await this.ticker.stop();
    this.poster.close();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    const due = await this.webhooks.due(now, BATCH);
    await Promise.all(
      due.map(async (delivery) => {
        if (this.ticker.stopped) return;
        if (!(await this.webhooks.claim(delivery.id, delivery.lockedUntil, now + this.config.timeoutMs + 5_000)))
          return;
        await this.deliver(delivery);
      }),
    );
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const attempts = delivery.attempts + 1;
    const outcome = await this.attempt(delivery);
    if (outcome.delivered) {
      await this.webhooks.record(delivery.id, {
        status: 'delivered',
        attempts,
        nextAttemptAt: Date.now(),
        lastStatus: 200,
        lastError: null,
      });
      const dropped = await this.replies
        .applyBotReply(delivery.appId, delivery.roomId, outcome.reply)
        .catch((error: unknown) => {
          this.onError(error);
          return undefined;
        });
      if (dropped)
        await this.webhooks.record(delivery.id, {
          status: 'delivered',
          attempts,
          nextAttemptAt: Date.now(),
          lastStatus: 200,
          lastError: dropped.slice(0, 500),
        });
      return;
    }
    const exhausted = !outcome.retry || attempts >= this.config.maxAttempts;
    const backoff = Math.min(this.config.retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    await this.webhooks.record(delivery.id, {
      status: exhausted ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: Date.now() + (exhausted ? 0 : backoff),
      lastStatus: outcome.status,
      lastError: outcome.error.slice(0, 500),
    });
  }

  private async attempt(delivery: Delivery): Promise<Outcome> {
    try {
      await checkDestination(delivery.url, this.config.allowPrivate);
    } catch (error) {
      if (error instanceof BlockedDestination)
        return { delivered: false, retry: false, status: null, error: `destination refused: ${error.message}` };
      throw error;
    }
    const secrets = this.secrets.signingSecrets(await this.secrets.settings(delivery.appId));
    try {
      const response = await this.poster.postSigned(delivery.url, {
        id: delivery.id,
        body: delivery.payload,
        secrets,
        headers: { 'user-agent': 'Parley-Webhooks/1' },
      });
      if (response.status >= 200 && response.status < 300) return { delivered: true, reply: response.body };
      const retry = response.status === 408 || response.status === 429 || response.status >= 500;
      return { delivered: false, retry, status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      if (error instanceof BlockedDestination)
        return { delivered: false, retry: false, status: null, error: `destination refused: ${error.message}` };
      const name = (error as Error).name;
      return {
        delivered: false,
        retry: true,
        status: null,
        error: name === 'TimeoutError' ? 'timed out' : `network error: ${(error as Error).message}`,
      };
    }
  }
}

import type { PushSender } from './delivery/contract.js';
import type { PlatformName } from './push-settings.repository.js';
import type { OpenedCredential } from './push-settings.service.js';

/** Makes a platform's sender from its opened credentials. */
export type SenderFactory = (platform: PlatformName, credentials: unknown) => PushSender;

/**
 * One sender per application and platform, kept while its credentials are unchanged (an APNs
 * sender holds an HTTP/2 session, an FCM sender its access token); rebuilt when they change.
 */
export class PushSenders {
  private readonly senders = new Map<string, { sender: PushSender; updatedAt: number }>();

  constructor(private readonly create: SenderFactory) {}

  get(appId: string, platform: PlatformName, credential: OpenedCredential): PushSender {
    const key = `${appId}\u0000${platform}`;
    const kept = this.senders.get(key);
    if (kept && kept.updatedAt === credential.updatedAt) return kept.sender;
    if (kept) void kept.sender.close?.().catch(() => undefined);
    const sender = this.create(platform, credential.value);
    this.senders.set(key, { sender, updatedAt: credential.updatedAt });
    return sender;
  }

  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.all(senders.map(({ sender }) => sender.close?.().catch(() => undefined)));
  }
}

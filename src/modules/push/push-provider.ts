import type { Logger } from 'pino';
import type { PushDevice } from '../devices/index.js';
import { GuardedPoster, checkDestination } from '../../outbound/index.js';

/** A notification on its way out: its recipients' registered devices and what to show (spec 10). */
export interface OutgoingPush {
  id: string;
  appId: string;
  kind: 'custom' | 'message';
  users: string[];
  devices: PushDevice[];
  payload: Record<string, unknown>;
}

/**
 * What hands a notification to the platforms. FCM or APNs providers plug in here later without any
 * caller changing; a provider throws to have the notification tried again.
 */
export interface PushProvider {
  readonly name: string;
  send(push: OutgoingPush): Promise<void>;
}

/** Writes each notification to the log (development, or no push platform yet). */
export class LogPushProvider implements PushProvider {
  readonly name = 'log';
  constructor(private readonly logger: Logger) {}

  async send(push: OutgoingPush): Promise<void> {
    this.logger.info(
      {
        push: push.id,
        app: push.appId,
        kind: push.kind,
        users: push.users.length,
        devices: push.devices.length,
        title: push.payload.title,
      },
      'push notification',
    );
  }
}

/** POSTs each notification to an HTTP endpoint (a push gateway of your own), signed like webhooks. */
export class HttpPushProvider implements PushProvider {
  readonly name = 'http';
  private readonly poster: GuardedPoster;

  constructor(
    private readonly url: string,
    private readonly secretsOf: (appId: string) => Promise<string[]>,
    private readonly options: { allowPrivate: boolean; timeoutMs: number },
  ) {
    this.poster = new GuardedPoster({
      allowPrivate: options.allowPrivate,
      timeoutMs: options.timeoutMs,
      maxReplyBytes: 4096,
    });
  }

  async send(push: OutgoingPush): Promise<void> {
    await checkDestination(this.url, this.options.allowPrivate);
    const body = JSON.stringify({
      id: push.id,
      appID: push.appId,
      kind: push.kind,
      devices: push.devices.map((device) => ({
        client: device.userId,
        type: device.type,
        token: device.token,
        deviceId: device.deviceId,
      })),
      payload: push.payload,
    });
    const response = await this.poster.postSigned(this.url, {
      id: push.id,
      body,
      secrets: await this.secretsOf(push.appId),
    });
    if (response.status < 200 || response.status >= 300)
      throw new Error(`push endpoint answered HTTP ${response.status}`);
  }
}

import { sha256Hex } from '../../shared/secrets.js';
import type { DeviceDirectory, PushDevice } from '../devices/index.js';
import type { DeliveryOutcome, DeviceTarget, DeviceType, PushContent } from './delivery/contract.js';
import type { ExternalPushClient } from './external-push.js';
import { externalAlertOf, pushContentOf } from './push-content.js';
import type { DeliveryRecord, DeliveryStatus, PushDeliveriesRepository } from './push-deliveries.repository.js';
import type { PushProvider } from './push-provider.js';
import type { PushRecord } from './push.repository.js';
import type { PushSenders } from './push-senders.js';
import type { PlatformName, PushSettings } from './push-settings.repository.js';
import type { DeliverySetup, PushSettingsService } from './push-settings.service.js';

/** What the push module reads of the chat: a receiver's total unread, for the badge. */
export interface UnreadCounter {
  unreadTotal(appId: string, userId: string): Promise<number>;
}

/** What one attempt at a notification came to. */
export interface DispatchResult {
  /** Deliveries worth another attempt (after `retryAfterMs` at the earliest, when a platform said so). */
  retry: number;
  retryAfterMs: number;
  sent: number;
  /** Every delivery recorded for it (devices and external requests). */
  targets: number;
  /** The providers it went through. */
  providers: string[];
  lastError: string | null;
}

/**
 * Whether a `web` token is a standard Web Push subscription (its JSON). IMKIT's web SDK registers an
 * FCM token as `web` (realtime-protocol 6.2): any other `web` token is one of those.
 */
export const isWebPushSubscription = (token: string): boolean => token.trimStart().startsWith('{');

/** The platform a device is reached through. */
export function platformOf(device: { type: string; token: string }): PlatformName | undefined {
  switch (device.type as DeviceType) {
    case 'ios':
    case 'ios-voip':
      return 'apns';
    case 'android':
    case 'fcm':
      return 'fcm';
    case 'web':
      return isWebPushSubscription(device.token) ? 'webpush' : 'fcm';
    default:
      return undefined;
  }
}
/** Where a delivery went: a device, or an external service's request. */
type DeliveryTarget = Omit<DeliveryRecord, 'status' | 'attempts' | 'detail' | 'updatedAt' | 'pushId' | 'appId'>;
type RecordDelivery = (delivery: DeliveryTarget, outcome: DeliveryOutcome) => Promise<void>;

const FINAL: ReadonlySet<DeliveryStatus> = new Set(['sent', 'dead', 'failed']);
/** Devices of one notification sent at once. */
const PARALLEL = 8;
const MAX_DETAIL = 300;

const deviceKey = (device: { type: string; token: string }) =>
  sha256Hex(`device\u0000${device.type}\u0000${device.token}`);
const tail = (token: string) => token.slice(-6);

/**
 * Delivers one recorded notification (issue 15): to each device of each receiver through its
 * platform (FCM, APNs, Web Push) when the app has credentials for it, else through the server-wide
 * provider (log or HTTP); and to the app's external push services. Each delivery is recorded with
 * the platform's answer; a retry attempt skips what was delivered or is final, so a notification
 * interrupted by a crash resumes where it stopped; a dead device's registration is removed.
 */
export class PushDispatcher {
  constructor(
    private readonly deps: {
      devices: DeviceDirectory;
      settings: Pick<PushSettingsService, 'forDelivery'>;
      senders: PushSenders;
      deliveries: PushDeliveriesRepository;
      unread: UnreadCounter;
      fallback: PushProvider;
      external: ExternalPushClient;
      /** Each delivery's outcome, for metrics. */
      counted: (provider: string, status: DeliveryStatus) => void;
    },
  ) {}

  async dispatch(push: PushRecord, attempt: number, lastAttempt: boolean): Promise<DispatchResult> {
    const setup = await this.deps.settings.forDelivery(push.appId);
    const done = new Map((await this.deps.deliveries.of([push.id])).map((record) => [record.target, record]));
    const result: DispatchResult = {
      retry: 0,
      retryAfterMs: 0,
      sent: [...done.values()].filter((record) => record.status === 'sent').length,
      targets: 0,
      providers: [],
      lastError: null,
    };
    const badges = new BadgeBook(push.appId, setup.settings, this.deps.unread);
    const record: RecordDelivery = async (delivery, outcome) => {
      const status: DeliveryStatus = outcome.status === 'retry' && lastAttempt ? 'failed' : outcome.status;
      const detail = outcome.detail?.slice(0, MAX_DETAIL) ?? null;
      await this.deps.deliveries.record({
        ...delivery,
        pushId: push.id,
        appId: push.appId,
        status,
        attempts: attempt,
        detail,
      });
      this.deps.counted(delivery.provider, status);
      if (!result.providers.includes(delivery.provider)) result.providers.push(delivery.provider);
      if (status === 'sent') result.sent++;
      if (status === 'retry') {
        result.retry++;
        if (outcome.status === 'retry') result.retryAfterMs = Math.max(result.retryAfterMs, outcome.retryAfterMs ?? 0);
      }
      if (status !== 'sent') result.lastError = `${delivery.provider}: ${detail ?? status}`;
    };

    const devices = await this.targetsOf(push);
    result.targets = devices.length;
    const leftOver: PushDevice[] = [];
    const platformDevices: Array<{ device: PushDevice; platform: PlatformName }> = [];
    for (const device of devices) {
      if (FINAL.has(done.get(deviceKey(device))?.status as DeliveryStatus)) continue;
      const platform = platformOf(device);
      if (platform && (setup.credentials[platform] || setup.unusable[platform]))
        platformDevices.push({ device, platform });
      else leftOver.push(device);
    }
    for (let start = 0; start < platformDevices.length; start += PARALLEL)
      await Promise.all(
        platformDevices.slice(start, start + PARALLEL).map(async ({ device, platform }) => {
          const outcome = await this.sendToDevice(push, device, platform, setup, badges);
          if (outcome.status === 'dead') await this.deps.devices.forgetToken(push.appId, device.type, device.token);
          await record(
            {
              target: deviceKey(device),
              provider: platform,
              userId: device.userId || null,
              deviceType: device.type,
              tokenTail: tail(device.token),
            },
            outcome,
          );
        }),
      );
    if (leftOver.length > 0) await this.sendThroughFallback(push, leftOver, record);
    result.targets += await this.sendToExternalServices(push, setup.settings, done, badges, record);
    return result;
  }

  private async targetsOf(push: PushRecord): Promise<PushDevice[]> {
    if (!push.tokens) return this.deps.devices.forUsers(push.appId, push.users);
    const { type, tokens } = push.tokens;
    const owners = new Map((await this.deps.devices.forTokens(push.appId, type, tokens)).map((d) => [d.token, d]));
    return tokens.map(
      (token) => owners.get(token) ?? { type, token, userId: '', deviceId: null, createdAt: 0, updatedAt: 0 },
    );
  }

  private async sendToDevice(
    push: PushRecord,
    device: PushDevice,
    platform: PlatformName,
    setup: DeliverySetup,
    badges: BadgeBook,
  ): Promise<DeliveryOutcome> {
    const credential = setup.credentials[platform];
    if (!credential) return { status: 'failed', detail: setup.unusable[platform] ?? 'no credentials' };
    const target: DeviceTarget = {
      type: device.type as DeviceType,
      token: device.token,
      userId: device.userId,
      deviceId: device.deviceId,
    };
    const content: PushContent = pushContentOf(
      push,
      {
        deviceType: target.type,
        badge: device.userId ? await badges.of(device.userId) : (setup.settings.constantBadge ?? undefined),
      },
      setup.settings,
    );
    try {
      return await this.deps.senders.get(push.appId, platform, credential).send(target, content);
    } catch (error) {
      return { status: 'retry', detail: `sender error: ${(error as Error).message}` };
    }
  }

  /** Devices of platforms the app has no credentials for go to the server-wide provider, as one batch. */
  private async sendThroughFallback(push: PushRecord, devices: PushDevice[], record: RecordDelivery): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      await this.deps.fallback.send({
        id: push.id,
        appId: push.appId,
        kind: push.kind,
        users: push.users,
        devices,
        payload: push.payload,
      });
      outcome = { status: 'sent' };
    } catch (error) {
      outcome = { status: 'retry', detail: (error as Error).message };
    }
    for (const device of devices)
      await record(
        {
          target: deviceKey(device),
          provider: this.deps.fallback.name,
          userId: device.userId || null,
          deviceType: device.type,
          tokenTail: tail(device.token),
        },
        outcome,
      );
  }

  /** IMKIT's external push services (history 11.4); pushes to tokens have no receivers to name. */
  private async sendToExternalServices(
    push: PushRecord,
    settings: PushSettings,
    done: Map<string, DeliveryRecord>,
    badges: BadgeBook,
    record: RecordDelivery,
  ): Promise<number> {
    if (push.tokens) return 0;
    const message = push.kind === 'message' ? ((push.payload.message as Record<string, unknown>) ?? {}) : push.payload;
    let targets = 0;
    const external = (provider: string, userId: string | null): DeliveryTarget => ({
      target: sha256Hex(`${provider}\u0000${userId ?? ''}`),
      provider,
      userId,
      deviceType: null,
      tokenTail: null,
    });
    if (settings.genericPushUrl) {
      targets++;
      const delivery = external('imkit-generic', null);
      if (!FINAL.has(done.get(delivery.target)?.status as DeliveryStatus)) {
        const body = { ...message, roomName: push.payload.roomName ?? '', pushToClients: push.users };
        await record(delivery, await this.deps.external.post(push.appId, settings.genericPushUrl, body));
      }
    }
    if (settings.externalPushUrl) {
      for (const userId of push.users) {
        targets++;
        const delivery = external('imkit-push', userId);
        if (FINAL.has(done.get(delivery.target)?.status as DeliveryStatus)) continue;
        const body = {
          ...message,
          toClient: userId,
          badge: await badges.of(userId),
          alert: externalAlertOf(push.payload, push.kind),
        };
        await record(delivery, await this.deps.external.post(push.appId, settings.externalPushUrl, body));
      }
    }
    return targets;
  }
}

/** Each receiver's badge, read once per attempt: the constant badge when the app set one, else total unread. */
class BadgeBook {
  private readonly badges = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly appId: string,
    private readonly settings: PushSettings,
    private readonly unread: UnreadCounter,
  ) {}

  of(userId: string): Promise<number | undefined> {
    if (this.settings.constantBadge !== null) return Promise.resolve(this.settings.constantBadge);
    let badge = this.badges.get(userId);
    if (!badge) {
      badge = this.unread.unreadTotal(this.appId, userId).catch(() => undefined);
      this.badges.set(userId, badge);
    }
    return badge;
  }
}

import type { DeviceType, PushContent } from './delivery/contract.js';
import type { PushSettings } from './push-settings.repository.js';

/** Platform family of a device type: which sound setting applies. */
export const isApple = (type: string): boolean => type === 'ios' || type === 'ios-voip';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * How long a platform keeps a push for a device that is off: a day for a chat message (a phone off
 * overnight still hears of it), IMKIT's hour (`timeToLive: 3600`, spec 10.2) for a custom push.
 * Without one, APNs tries once and drops it.
 */
const MESSAGE_TTL_S = 24 * 3600;
const CUSTOM_TTL_S = 3600;
const nowS = () => Math.floor(Date.now() / 1000);

/** What the dispatcher knows of one receiver when it builds their notification. */
export interface Receiver {
  deviceType: DeviceType;
  /** Total unread, or the constant badge; undefined when it could not be known. */
  badge: number | undefined;
}

/**
 * One receiver's notification from what was recorded (spec 10.1-10.2, history 11.5): a chat
 * message's push as IMKIT built it, or a custom push's payload field by field.
 */
export function pushContentOf(
  push: { id: string; kind: 'custom' | 'message'; payload: Record<string, unknown> },
  receiver: Receiver,
  settings: PushSettings,
): PushContent {
  const payload = push.payload;
  const platformSound = isApple(receiver.deviceType) ? settings.soundIos : settings.soundAndroid;
  if (push.kind === 'message') {
    return {
      kind: 'message',
      id: push.id,
      type: 'message',
      title: str(payload.title) ?? '',
      body: str(payload.body) ?? '',
      locKey: str(payload['loc-key']),
      locArgs: Array.isArray(payload['loc-args']) ? payload['loc-args'].map(String) : undefined,
      badge: receiver.badge,
      sound: platformSound ?? 'default',
      collapseKey: str(payload.room),
      expiry: nowS() + MESSAGE_TTL_S,
      data: {
        type: 'message',
        payload: messageDataOf(payload.message),
        redirect: '/chat',
        roomTags: JSON.stringify(payload.roomTags ?? []),
        room: str(payload.room) ?? '',
        messageId: str(payload.messageId) ?? '',
      },
    };
  }
  const alert = payload.alert;
  return {
    kind: 'custom',
    id: push.id,
    type: str(payload.type),
    title: str(payload.title),
    body: str(payload.body),
    alert:
      typeof alert === 'string' || (alert !== null && typeof alert === 'object' && !Array.isArray(alert))
        ? (alert as PushContent['alert'])
        : undefined,
    badge: typeof payload.badge === 'number' ? payload.badge : receiver.badge,
    sound: str(payload.sound) ?? platformSound ?? 'default',
    icon: str(payload.icon),
    collapseKey: str(payload.collapseKey),
    expiry: typeof payload.expiry === 'number' ? payload.expiry : nowS() + CUSTOM_TTL_S,
    topic: str(payload.topic),
    data: { ...(str(payload.type) ? { type: str(payload.type) as string } : {}), payload: JSON.stringify(payload) },
  };
}

/** Platforms take about 4 KB a push: a long message travels as its identity, the app fetches the rest. */
const MAX_MESSAGE_DATA = 2_000;

function messageDataOf(message: unknown): string {
  const whole = JSON.stringify(message ?? {});
  if (whole.length <= MAX_MESSAGE_DATA) return whole;
  const view = message as Record<string, unknown>;
  const sender = view.sender as Record<string, unknown> | null | undefined;
  return JSON.stringify({
    _id: view._id,
    room: view.room,
    messageType: view.messageType,
    messageTime: view.messageTime,
    sender: sender ? { _id: sender._id, nickname: sender.nickname } : sender,
    truncated: true,
  });
}

/** The alert of IMKIT's external push service v1 (history 11.4): what FCM or APNs would show. */
export function externalAlertOf(payload: Record<string, unknown>, kind: 'custom' | 'message'): unknown {
  if (kind === 'custom') return payload.alert ?? { title: payload.title, body: payload.body };
  return { title: payload.title, body: payload.body, 'loc-key': payload['loc-key'], 'loc-args': payload['loc-args'] };
}

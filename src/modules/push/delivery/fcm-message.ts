import type { PushContent } from './contract.js';

/** The FCM HTTP v1 `message` Parley sends (the fields it uses). */
export interface FcmMessage {
  token: string;
  /** FCM refuses any value that is not a string. */
  data: Record<string, string>;
  notification?: { title?: string; body?: string };
  android: {
    collapse_key?: string;
    /** Duration, e.g. `"3600s"`. */
    ttl?: string;
    notification: {
      sound?: string;
      icon?: string;
      body_loc_key?: string;
      body_loc_args?: string[];
      click_action: string;
      notification_count?: number;
    };
  };
  apns: {
    headers: Record<string, string>;
    payload: { aps: Record<string, unknown> };
  };
  webpush?: { notification: { title?: string; body?: string; icon?: string } };
}

/** What IMKIT's Android apps open on a tap (spec 10.2). */
const CLICK_ACTION = 'push_chatroom';
/** IMKIT's custom pushes lived an hour when the caller gave no expiry (spec 10.2, `timeToLive: 3600`). */
const CUSTOM_TTL_S = 3600;
/** FCM refuses data keys that are reserved words or start with `google`/`gcm`. */
const isReservedDataKey = (key: string) => key === 'from' || key === 'message_type' || /^(google|gcm)/i.test(key);

/** Drops the fields left undefined (FCM refuses `null` in several places; `undefined` would vanish anyway). */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function asDataString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

const badgeOf = (badge: number | undefined) =>
  badge !== undefined && Number.isInteger(badge) && badge >= 0 ? badge : undefined;

/** FCM `data`: the content's data fields, then `type`, `title`, `body`, `badge`, `loc-key`, `loc-args` (JSON) as IMKIT sent them; every value a string. */
export function fcmDataOf(content: PushContent): Record<string, string> {
  const data: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    const text = asDataString(value);
    if (text !== undefined && !isReservedDataKey(key)) data[key] = text;
  };
  for (const [key, value] of Object.entries(content.data as Record<string, unknown>)) put(key, value);
  if (data.type === undefined) put('type', content.type);
  put('title', content.title);
  put('body', content.body);
  put('badge', badgeOf(content.badge));
  put('loc-key', content.locKey);
  if (content.locArgs) put('loc-args', JSON.stringify(content.locArgs));
  return data;
}

function ttlOf(content: PushContent, nowMs: number): string | undefined {
  if (content.expiry !== undefined) return `${Math.max(0, Math.floor(content.expiry - nowMs / 1000))}s`;
  return content.kind === 'custom' ? `${CUSTOM_TTL_S}s` : undefined;
}

/** The iOS alert: the caller's own for a custom push that gave one, else title, body and localization. */
function apnsAlertOf(content: PushContent): string | Record<string, unknown> | undefined {
  if (content.kind === 'custom' && content.alert !== undefined)
    return typeof content.alert === 'string' ? content.alert : defined({ ...content.alert });
  const alert = defined({
    title: content.title,
    body: content.body,
    'loc-key': content.locKey,
    'loc-args': content.locArgs,
  });
  return Object.keys(alert).length > 0 ? alert : undefined;
}

/**
 * Maps one receiver's content to the FCM v1 message for one device, in the form IMKIT sent
 * (spec 10.2): data for the app, a notification for Android and the web, and an APNs payload
 * for iOS apps registered through FCM. Chat messages go at APNs priority 5 as IMKIT's did;
 * custom pushes at 10 as its APNs form did.
 */
export function fcmMessageOf(token: string, content: PushContent, nowMs = Date.now()): FcmMessage {
  const badge = badgeOf(content.badge);
  const notification = defined({ title: content.title, body: content.body });
  const hasNotification = Object.keys(notification).length > 0;
  const alert = apnsAlertOf(content);
  return {
    token,
    data: fcmDataOf(content),
    ...(hasNotification ? { notification } : {}),
    android: {
      ...defined({ collapse_key: content.collapseKey, ttl: ttlOf(content, nowMs) }),
      notification: {
        ...defined({
          sound: content.sound,
          icon: content.icon,
          body_loc_key: content.locKey,
          body_loc_args: content.locArgs,
        }),
        click_action: CLICK_ACTION,
        ...defined({ notification_count: badge }),
      },
    },
    apns: {
      headers: {
        'apns-priority': content.kind === 'message' ? '5' : '10',
        ...(content.expiry !== undefined ? { 'apns-expiration': String(Math.floor(content.expiry)) } : {}),
      },
      payload: { aps: defined({ alert, badge, sound: content.sound, 'mutable-content': 1 }) },
    },
    ...(hasNotification ? { webpush: { notification: { ...notification, ...defined({ icon: content.icon }) } } } : {}),
  };
}

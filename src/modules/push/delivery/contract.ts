/**
 * The contract between the push dispatcher and the platform senders (FCM, APNs, Web Push): the
 * dispatcher builds one platform-neutral `PushContent` per receiver and asks the sender of the
 * device's platform to deliver it to one device; the sender maps it to its platform's format
 * (spec 10.2, history 11.5) and says what became of it.
 */

/** Device types a user may register (history 3.3). `android` and `fcm` both go through FCM. */
export type DeviceType = 'ios' | 'ios-voip' | 'android' | 'fcm' | 'web';

/** One registered device of one receiver. For `web`, `token` is the browser's PushSubscription as JSON. */
export interface DeviceTarget {
  type: DeviceType;
  token: string;
  userId: string;
  deviceId: string | null;
}

/** What one receiver is shown, before any platform's mapping. */
export interface PushContent {
  /** `message`: a chat message's automatic push; `custom`: `POST /push/push2clients` / `push2tokens`. */
  kind: 'message' | 'custom';
  /** The notification id Parley recorded: usable as a collapse or idempotency id. */
  id: string;
  /** Application category (`payload.type`), `"message"` for chat messages. */
  type?: string;
  title?: string;
  body?: string;
  /** e.g. `im_loc_text`; with `locArgs` `[sender nickname, content]`. */
  locKey?: string;
  locArgs?: string[];
  /** iOS alert given as is by the caller (`payload.alert`): a string or `{ "loc-key", "loc-args" }`. */
  alert?: string | { 'loc-key'?: string; 'loc-args'?: string[] };
  /** The receiver's badge: total unread, or the app's constant badge. */
  badge?: number;
  /** Sound for the platform of the device (already chosen: Android or iOS setting, or the caller's). */
  sound?: string;
  icon?: string;
  /** FCM `collapse_key` / APNs `apns-collapse-id`. */
  collapseKey?: string;
  /** Expiry, Unix seconds (APNs `apns-expiration`, FCM/Web Push TTL). */
  expiry?: number;
  /** APNs topic given by the caller (else the credential's bundle id). */
  topic?: string;
  /**
   * Flat string fields delivered as data (FCM `data`, APNs custom keys, Web Push JSON): for a chat
   * message `type`, `payload` (JSON of the message), `redirect` `/chat`, `roomTags` (JSON), `room`,
   * `messageId`; for a custom push `payload` (JSON of the caller's payload).
   */
  data: Record<string, string>;
}

/**
 * What became of one delivery to one device:
 * - `sent`: the platform accepted it (`detail`: its id, e.g. FCM message name or `apns-id`);
 * - `dead`: the platform says the token is gone (FCM `UNREGISTERED`/`INVALID_ARGUMENT` about the
 *   token, APNs 410 / `BadDeviceToken`, Web Push 404/410): the device registration is removed;
 * - `retry`: worth trying again later (429, 5xx, network error, timeout), after `retryAfterMs` if
 *   the platform said so;
 * - `failed`: permanent and not the device's fault (bad credentials, bad request): not retried.
 * `detail` is the platform's answer, short, never holding a secret or a full token.
 */
export type DeliveryOutcome =
  | { status: 'sent'; detail?: string }
  | { status: 'dead'; detail: string }
  | { status: 'retry'; detail: string; retryAfterMs?: number }
  | { status: 'failed'; detail: string };

/** Delivers to the devices of one platform, with one application's credentials. */
export interface PushSender {
  /** `fcm`, `apns` or `webpush`: the label of the delivery records and metrics. */
  readonly provider: 'fcm' | 'apns' | 'webpush';
  send(target: DeviceTarget, content: PushContent): Promise<DeliveryOutcome>;
  /** Releases connections (APNs keeps an HTTP/2 session). */
  close?(): Promise<void>;
}

/**
 * How a sender reaches its platform. The defaults are the real endpoints; tests and private
 * gateways point them elsewhere (server settings `PUSH_FCM_URL`, `PUSH_APNS_URL`, `PUSH_CA_FILE`).
 */
export interface SenderTransport {
  /** Extra CA certificates (PEM) to trust, for a gateway with its own certificate. */
  ca?: string;
  /** Per request, milliseconds. */
  timeoutMs: number;
  /** Whether private and loopback addresses may be reached (tests, private gateways). */
  allowPrivate: boolean;
}

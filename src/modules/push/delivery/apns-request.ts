import type { ApnsCredentials } from './apns-credentials.js';
import type { DeviceTarget, PushContent } from './contract.js';
import { fitJsonBody, truncateUtf8 } from './apns-size.js';

/** One APNs request, before the provider token is added. */
export interface ApnsRequest {
  /** `/3/device/<token>`. */
  path: string;
  /** Every APNs header but `authorization` (the sender adds the provider token). */
  headers: Record<string, string>;
  /** The JSON payload, shortened to APNs's limit when it was larger. */
  body: string;
}

/** An APNs device token: hex. Anything else can never be delivered. */
export const APNS_DEVICE_TOKEN = /^[0-9A-Fa-f]{64,200}$/;

/** APNs's payload limits: 4 KB, 5 KB for VoIP. */
export const MAX_PAYLOAD_BYTES = 4096;
export const MAX_VOIP_PAYLOAD_BYTES = 5120;
const MAX_COLLAPSE_ID_BYTES = 64;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Alert = string | Record<string, unknown>;

/**
 * The alert as the caller gave it (`payload.alert`, spec 10.1), else a dictionary of the neutral
 * texts: `title`, `body`, `loc-key` and `loc-args` (IMKIT's message alert, history 11.5).
 */
function alertOf(content: PushContent): Alert | undefined {
  if (content.alert !== undefined) return typeof content.alert === 'string' ? content.alert : { ...content.alert };
  const alert: Record<string, unknown> = {};
  if (content.title !== undefined) alert.title = content.title;
  if (content.body !== undefined) alert.body = content.body;
  if (content.locKey !== undefined) alert['loc-key'] = content.locKey;
  if (content.locArgs !== undefined) alert['loc-args'] = [...content.locArgs];
  return Object.keys(alert).length > 0 ? alert : undefined;
}

/** `payload` is the JSON of the message (or of the caller's payload): delivered as an object, as IMKIT did. */
function dataFields(data: Record<string, string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'aps') continue;
    if (key !== 'payload') fields[key] = value;
    else {
      try {
        fields.payload = JSON.parse(value);
      } catch {
        fields.payload = value;
      }
    }
  }
  return fields;
}

/**
 * Maps one neutral push to APNs's request (spec 10.2, history 11.5): `{ aps, payload, ...data }`.
 * - `ios`: push type `alert`, priority 10 (shown at once; 5 lets iOS hold it back to save power,
 *   which suits nothing a user should read now), `mutable-content` for chat messages so that a
 *   notification service extension may rewrite them. With no alert, badge nor sound there is
 *   nothing to show: a `background` push (`content-available`), which Apple requires at priority 5.
 * - `ios-voip`: push type `voip` on `<topic>.voip`, priority 10, the data without any alert.
 */
export function apnsRequestOf(target: DeviceTarget, content: PushContent, credentials: ApnsCredentials): ApnsRequest {
  const voip = target.type === 'ios-voip';
  const topic = content.topic ?? credentials.bundleId;
  const aps: Record<string, unknown> = {};
  let pushType = 'voip';
  if (!voip) {
    const alert = alertOf(content);
    if (alert !== undefined) aps.alert = alert;
    if (content.badge !== undefined) aps.badge = content.badge;
    if (content.sound !== undefined) aps.sound = content.sound;
    pushType = Object.keys(aps).length > 0 ? 'alert' : 'background';
    if (pushType === 'background') aps['content-available'] = 1;
    else if (content.kind === 'message') aps['mutable-content'] = 1;
  }
  const headers: Record<string, string> = {
    'apns-push-type': pushType,
    'apns-topic': voip && !topic.endsWith('.voip') ? `${topic}.voip` : topic,
    'apns-priority': pushType === 'background' ? '5' : '10',
    'apns-expiration': String(
      content.expiry !== undefined && Number.isFinite(content.expiry) ? Math.max(0, Math.floor(content.expiry)) : 0,
    ),
  };
  if (content.collapseKey) headers['apns-collapse-id'] = truncateUtf8(content.collapseKey, MAX_COLLAPSE_ID_BYTES);
  if (UUID.test(content.id)) headers['apns-id'] = content.id.toLowerCase();
  const body = { aps, ...dataFields(content.data) };
  return {
    path: `/3/device/${target.token}`,
    headers,
    body: fitJsonBody(body, voip ? MAX_VOIP_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES),
  };
}

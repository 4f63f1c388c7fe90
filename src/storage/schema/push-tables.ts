/** Push platforms' credentials, push settings and delivery records (migration 019). */

export interface PushCredentialsTable {
  app_id: string;
  /** fcm | apns | webpush */
  provider: string;
  /** The credential's JSON, sealed with SECRETS_KEY when set (see shared/secret-box.ts) */
  secret: string;
  /** JSON of what may be shown: project id, key id, bundle id, public key… never a secret */
  summary: string;
  created_at: number;
  updated_at: number;
}

export interface PushSettingsTable {
  app_id: string;
  constant_badge: number | null;
  sound_android: string | null;
  sound_ios: string | null;
  /** IMKIT's external push service v1 (`PUSH`, history 11.4): one request per receiver */
  external_push_url: string | null;
  /** IMKIT's generic push service v2 (`PUSH_GENERIC`): one request per message */
  generic_push_url: string | null;
  updated_at: number;
}

export interface PushDeliveriesTable {
  push_id: string;
  /** sha256 (hex) of the device's type and token, or of the external request's target */
  target: string;
  app_id: string;
  provider: string;
  user_id: string | null;
  device_type: string | null;
  token_tail: string | null;
  /** sent | dead | retry | failed */
  status: string;
  attempts: number;
  detail: string | null;
  created_at: number;
  updated_at: number;
}

import type { Generated } from 'kysely';
import type { OperatorSessionsTable, OperatorSetupTokensTable, OperatorsTable } from './operator-tables.js';
import type { PushCredentialsTable, PushDeliveriesTable, PushSettingsTable } from './push-tables.js';

export type { OperatorSessionsTable, OperatorSetupTokensTable, OperatorsTable } from './operator-tables.js';
export type { PushCredentialsTable, PushDeliveriesTable, PushSettingsTable } from './push-tables.js';

/**
 * Table types. Times are millisecond epochs (int8 in PostgreSQL), booleans are 0/1 integers and
 * JSON values are text in both databases, so one repository implementation serves both.
 */
export interface Database {
  apps: AppsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  user_tokens: UserTokensTable;
  audit_log: AuditLogTable;
  key_usage: KeyUsageTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  room_user_state: RoomUserStateTable;
  room_invitations: RoomInvitationsTable;
  room_departures: RoomDeparturesTable;
  messages: MessagesTable;
  message_batches: MessageBatchesTable;
  user_prefs: UserPrefsTable;
  files: FilesTable;
  push_devices: PushDevicesTable;
  room_bans: RoomBansTable;
  user_blocks: UserBlocksTable;
  app_config: AppConfigTable;
  webhook_settings: WebhookSettingsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  push_notifications: PushNotificationsTable;
  push_credentials: PushCredentialsTable;
  push_settings: PushSettingsTable;
  push_deliveries: PushDeliveriesTable;
  message_deletions: MessageDeletionsTable;
  message_reactions: MessageReactionsTable;
  user_deleted_messages: UserDeletedMessagesTable;
  file_shares: FileSharesTable;
  file_tags: FileTagsTable;
  sticker_sets: StickerSetsTable;
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  operator_setup_tokens: OperatorSetupTokensTable;
}

export interface AppsTable {
  id: string;
  name: string;
  client_key: string;
  client_key_created_at: number;
  /** HS256 secret for tokens this app issues. */
  token_secret: string;
  /** JSON: AppSettings */
  settings: string;
  is_default: number;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  app_id: string;
  name: string;
  key_hash: string;
  last4: string;
  /** JSON string array */
  scopes: string;
  /** JSON string array of CIDRs, or null for any address */
  allowed_ips: string | null;
  rate_limit: number;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  created_by: string;
  last_used_at: number | null;
  last_used_ip: string | null;
  rolled_from: string | null;
  rolled_to: string | null;
  /** 'generated' (Parley format) or 'imported' (any format, e.g. PARLEY_API_KEY) */
  origin: string;
}

export interface UsersTable {
  app_id: string;
  id: string;
  nickname: string;
  avatar_url: string;
  email: string | null;
  description: string | null;
  is_robot: number;
  /** 1 for a user group ("team"): a virtual user standing for its members (spec 3.6). */
  is_group: number;
  /** JSON string array of member user ids (groups only) */
  group_members: string | null;
  /** JSON object of integrator-defined fields */
  custom: string;
  /** JSON {port, family, address} of the last connection */
  address: string | null;
  user_agent: string | null;
  last_login_time: number;
  last_join_or_create_room_time: number | null;
  notification_enabled: number;
  /** JSON string array of muted room ids */
  mute: string;
  created_at: number;
  updated_at: number;
}

export interface UserTokensTable {
  id: string;
  app_id: string;
  user_id: string;
  token_hash: string;
  last4: string;
  /** 'issued' (server JWT) or 'assigned' (integrator string) */
  kind: string;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  app_id: string;
  at: number;
  key_id: string | null;
  key_name: string | null;
  ip: string;
  method: string;
  route: string;
  url: string;
  status: number;
  /** JSON string array */
  target_ids: string;
  request_id: string;
  duration_ms: number;
  count: number;
  /** The operator who made the request through a dashboard session (key_id is then null). */
  operator_id: Generated<string | null>;
}

export interface KeyUsageTable {
  app_id: string;
  key_id: string;
  /** Start of the minute, ms epoch. */
  minute: number;
  requests: number;
  errors: number;
  rate_limited: number;
}

export interface RoomsTable {
  app_id: string;
  id: string;
  name: string;
  cover: string;
  description: string;
  /** 'direct' or 'group' */
  room_type: string;
  owner: string | null;
  /** JSON string array */
  managers: string;
  /** JSON string array */
  room_tags: string;
  webhook: string | null;
  bot_mode: number;
  bot_state: string | null;
  encrypted: number;
  service_status: number;
  /** 1 active, 0 frozen */
  status: number;
  /** 1 open to joining, 0 closed */
  opening: number;
  /** 'shared' | 'joined' */
  history_visibility: Generated<string>;
  ext_params: string | null;
  last_message_id: string | null;
  last_message_seq: number | null;
  /** createdAt of the newest message written: a new message is never earlier (migration 014). */
  last_written_at: Generated<number>;
  /** Messages ever written in the room: one more per message, never fewer (deletions do not count) */
  messages_written: Generated<number>;
  message_count: number;
  /** Random, new on every change of the room's members: member lists read at a stamp stay valid while it holds */
  members_stamp: Generated<string>;
  pinned_message_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoomMembersTable {
  app_id: string;
  room_id: string;
  /** A user or a user group */
  user_id: string;
  /** 'admin' | 'member' | null */
  role: string | null;
  /** JSON object of custom member properties */
  properties: string;
  joined_at: number;
  position: number;
  /** The room's last message seq when this member joined */
  history_from_seq: Generated<number>;
}

export interface RoomUserStateTable {
  app_id: string;
  room_id: string;
  user_id: string;
  /** `seq` of the last message read; 0 when nothing was read */
  last_read_seq: number;
  last_read_id: string | null;
  /**
   * The room's `messages_written` at which this user had nothing unread, moved on by what they read
   * and what is deleted unread: their unread messages are `rooms.messages_written - unread_base`.
   */
  unread_base: number;
  /** JSON room preference object (tags, tagColors, hidden, sticky, muted, folder) */
  pref: string | null;
  updated_at: number;
}

/** A room a user left or was removed from ([hist] 5.6), until they join it again. */
export interface RoomDeparturesTable {
  app_id: string;
  room_id: string;
  user_id: string;
  /** The room preference the user had (JSON), as `room_user_state.pref` */
  pref: string | null;
  quitted_at: number;
}

export interface RoomInvitationsTable {
  app_id: string;
  room_id: string;
  user_id: string;
  inviter: string | null;
  created_at: number;
}

export interface MessagesTable {
  seq: Generated<number>;
  app_id: string;
  id: string;
  room_id: string;
  sender_id: string | null;
  message_type: string;
  /** JSON object: `message` and every other field the sender supplied */
  content: string;
  /** The text search matches: the string `message` and string values of `extra` */
  search_text: string;
  pinned: number;
  /** 1: hidden by a moderator (history 7.8). */
  hidden: Generated<number>;
  batch_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface MessageBatchesTable {
  id: string;
  app_id: string;
  /** JSON: the accepted request */
  request: string;
  total: number;
  next_index: number;
  sent: number;
  /** JSON array of {index, code, message} */
  failures: string;
  /** 'pending' | 'done' */
  status: string;
  locked_until: number;
  created_at: number;
  updated_at: number;
}

export interface UserPrefsTable {
  app_id: string;
  user_id: string;
  key: string;
  /** JSON value */
  data: string;
  updated_at: number;
}

export interface StickerSetsTable {
  app_id: string;
  id: string;
  name: string;
  sort_order: number;
  zip_file_id: string;
  zip_name: string;
  zip_etag: string;
  /** JSON array of {name, fileId, etag} */
  images: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface FilesTable {
  app_id: string;
  id: string;
  bucket: string;
  owner_id: string | null;
  name: string;
  mime_type: string;
  size: number;
  /** JSON object the uploader sent as `extra` */
  extra: string | null;
  content: Buffer;
  created_at: number;
}

export interface PushDevicesTable {
  app_id: string;
  /** ios | android | fcm | web | ios-voip */
  type: string;
  token: string;
  user_id: string;
  device_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoomBansTable {
  app_id: string;
  room_id: string;
  user_id: string;
  /** Who banned: a user id, or "admin" for the API key */
  blocker: string;
  created_at: number;
  updated_at: number;
}

export interface UserBlocksTable {
  app_id: string;
  blocker: string;
  blockee: string;
  /** The pair's direct room */
  room_id: string;
  created_at: number;
  updated_at: number;
}

export interface AppConfigTable {
  app_id: string;
  key: string;
  /** JSON value */
  value: string;
  updated_at: number;
}

export interface WebhookSettingsTable {
  app_id: string;
  url: string | null;
  base_url: string | null;
  /** `whsec_` + base64 of 32 random bytes (Standard Webhooks) */
  secret: string;
  previous_secret: string | null;
  previous_until: number | null;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  app_id: string;
  room_id: string | null;
  event: string;
  url: string;
  /** JSON body, exactly as signed and sent */
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface PushNotificationsTable {
  id: string;
  app_id: string;
  kind: string;
  /** JSON string array of recipient user ids */
  users: string;
  /** JSON notification content (spec 10.1 payload) */
  payload: string;
  status: string;
  attempts: number;
  /** Devices it was handed over for */
  devices: number;
  next_attempt_at: number;
  locked_until: number;
  provider: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** JSON `{ type, tokens }` for `POST /push/push2tokens`: sent to these tokens instead of users' devices */
  tokens: string | null;
}

export interface MessageDeletionsTable {
  app_id: string;
  room_id: string;
  message_id: string;
  deleted_at: number;
}

/** A user's reaction to a message (history 7.7). */
export interface MessageReactionsTable {
  app_id: string;
  message_id: string;
  user_id: string;
  reaction: string;
  created_at: number;
}

/** A message a user deleted for themselves (history 7.9). */
export interface UserDeletedMessagesTable {
  app_id: string;
  user_id: string;
  room_id: string;
  message_id: string;
  created_at: number;
  updated_at: number;
}

/** A room a file was shared in (uploaded for it, or carried by one of its messages). */
export interface FileSharesTable {
  app_id: string;
  file_id: string;
  room_id: string;
  created_at: number;
}

/** The tags of the room an upload was shared in, at upload ([hist] 9.5); the file's size and time copied. */
export interface FileTagsTable {
  app_id: string;
  file_id: string;
  tag: string;
  room_id: string;
  size: number;
  created_at: number;
}

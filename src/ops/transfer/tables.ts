import type { Database } from '../../storage/schema/tables.js';

export type TableName = keyof Database & string;

/** How one table of an application is exported and imported. */
export interface TransferTable {
  name: TableName;
  /** The primary key: the export walks the table in this order (keyset pagination). */
  key: readonly string[];
  /** Binary columns: base64 in the file. */
  bytes?: readonly string[];
  /** A column numbered by the database (a sequence), shifted on import when its numbers are taken. */
  serial?: SerialColumn;
  /** Columns holding positions of `messages.seq` (shifted with it). */
  seqPositions?: readonly string[];
  /** Rows read per page on export (smaller for tables with large rows). */
  pageRows?: number;
}

export interface SerialColumn {
  column: string;
  /** Columns that find the first exported row again in the target (is this file imported already?). */
  probe: readonly string[];
}

/**
 * Every table holding an application's data, in an order that satisfies foreign keys and the SQLite
 * triggers (a room before its messages: the search index numbers rooms as they are inserted).
 * Not here: the dashboard's operators, their sessions and setup tokens (not an application's), and
 * derived tables (search indexes, `room_search_keys`) that the database keeps itself.
 * test/api/transfer/transfer.test.ts checks that every table with an `app_id` column is listed.
 */
export const TRANSFER_TABLES: readonly TransferTable[] = [
  { name: 'apps', key: ['id'] },
  { name: 'api_keys', key: ['id'] },
  { name: 'key_usage', key: ['key_id', 'minute'] },
  { name: 'app_config', key: ['app_id', 'key'] },
  { name: 'webhook_settings', key: ['app_id'] },
  { name: 'users', key: ['app_id', 'id'] },
  { name: 'user_tokens', key: ['id'] },
  { name: 'user_prefs', key: ['app_id', 'user_id', 'key'] },
  { name: 'push_devices', key: ['app_id', 'type', 'token'] },
  { name: 'user_blocks', key: ['app_id', 'blocker', 'blockee'] },
  { name: 'rooms', key: ['app_id', 'id'], seqPositions: ['last_message_seq'] },
  { name: 'room_members', key: ['app_id', 'room_id', 'user_id'], seqPositions: ['history_from_seq'] },
  { name: 'room_user_state', key: ['app_id', 'room_id', 'user_id'], seqPositions: ['last_read_seq'] },
  { name: 'room_invitations', key: ['app_id', 'room_id', 'user_id'] },
  { name: 'room_departures', key: ['app_id', 'room_id', 'user_id'] },
  { name: 'room_bans', key: ['app_id', 'room_id', 'user_id'] },
  {
    name: 'messages',
    key: ['seq'],
    serial: { column: 'seq', probe: ['id'] },
  },
  { name: 'message_reactions', key: ['app_id', 'message_id', 'user_id', 'reaction'] },
  { name: 'user_deleted_messages', key: ['app_id', 'user_id', 'message_id'] },
  { name: 'message_deletions', key: ['app_id', 'room_id', 'message_id', 'deleted_at'] },
  { name: 'message_batches', key: ['id'] },
  { name: 'files', key: ['app_id', 'id'], bytes: ['content'], pageRows: 4 },
  { name: 'file_shares', key: ['app_id', 'file_id', 'room_id'] },
  { name: 'file_tags', key: ['app_id', 'file_id', 'tag'] },
  { name: 'sticker_sets', key: ['app_id', 'id'] },
  { name: 'webhook_deliveries', key: ['id'] },
  { name: 'push_credentials', key: ['app_id', 'provider'] },
  { name: 'push_settings', key: ['app_id'] },
  { name: 'push_notifications', key: ['id'] },
  { name: 'push_deliveries', key: ['push_id', 'target'] },
  { name: 'audit_log', key: ['id'], serial: { column: 'id', probe: ['at', 'request_id', 'route', 'url'] } },
];

/** The column naming the application: `id` in `apps`, `app_id` everywhere else. */
export const appColumn = (table: TableName): string => (table === 'apps' ? 'id' : 'app_id');

export const FORMAT = 'parley-export';
export const FORMAT_VERSION = 1;

import { sql, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';
import type { Database, RoomsTable } from '../../storage/schema/tables.js';
import { randomId } from '../../shared/ids.js';
import { preparedQuery } from '../../storage/prepared-query.js';

/** Whether members read messages from before they joined (issue 9 item 1). */
export type HistoryVisibility = 'shared' | 'joined';
export const HISTORY_VISIBILITIES: readonly HistoryVisibility[] = ['shared', 'joined'];

export interface Room {
  appId: string;
  id: string;
  name: string;
  cover: string;
  description: string;
  roomType: 'direct' | 'group';
  owner: string | null;
  managers: string[];
  roomTags: string[];
  webhook: string | null;
  botMode: boolean;
  botState: string | null;
  encrypted: boolean;
  serviceStatus: number;
  status: number;
  opening: number;
  historyVisibility: HistoryVisibility;
  extParams: string | null;
  lastMessageId: string | null;
  lastMessageSeq: number | null;
  /** createdAt of the newest message written: a new message is never earlier (time order is seq order). */
  lastWrittenAt: number;
  /** Messages ever written in the room (deleted ones too): members' unread counts are measured on it. */
  messagesWritten: number;
  /** Changes with every change of the members: a member list read at this stamp is current while it holds. */
  membersStamp: string;
  messageCount: number;
  pinnedMessageId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A room's members changed (or the room is new): a random stamp no earlier state of any room had. */
export const newMembersStamp = (): string => randomId('m', 16);

/** Room fields a create or update may set. */
export type RoomFields = Partial<
  Pick<
    Room,
    | 'name'
    | 'cover'
    | 'description'
    | 'owner'
    | 'managers'
    | 'roomTags'
    | 'webhook'
    | 'botMode'
    | 'botState'
    | 'encrypted'
    | 'status'
    | 'opening'
    | 'historyVisibility'
    | 'extParams'
  >
> & { roomType?: string };

export const toRoom = (row: Selectable<RoomsTable>): Room => ({
  appId: row.app_id,
  id: row.id,
  name: row.name,
  cover: row.cover,
  description: row.description,
  roomType: row.room_type === 'direct' ? 'direct' : 'group',
  owner: row.owner,
  managers: JSON.parse(row.managers) as string[],
  roomTags: JSON.parse(row.room_tags) as string[],
  webhook: row.webhook,
  botMode: row.bot_mode === 1,
  botState: row.bot_state,
  encrypted: row.encrypted === 1,
  serviceStatus: row.service_status,
  status: row.status,
  opening: row.opening,
  historyVisibility: row.history_visibility === 'joined' ? 'joined' : 'shared',
  extParams: row.ext_params,
  lastMessageId: row.last_message_id,
  lastMessageSeq: row.last_message_seq === null ? null : Number(row.last_message_seq),
  lastWrittenAt: Number(row.last_written_at),
  messagesWritten: Number(row.messages_written),
  membersStamp: row.members_stamp,
  messageCount: Number(row.message_count),
  pinnedMessageId: row.pinned_message_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

function toColumns(fields: RoomFields): Updateable<RoomsTable> {
  const values: Updateable<RoomsTable> = {};
  if (fields.name !== undefined) values.name = fields.name;
  if (fields.cover !== undefined) values.cover = fields.cover;
  if (fields.description !== undefined) values.description = fields.description;
  if (fields.roomType !== undefined) values.room_type = fields.roomType;
  if (fields.owner !== undefined) values.owner = fields.owner;
  if (fields.managers !== undefined) values.managers = JSON.stringify(fields.managers);
  if (fields.roomTags !== undefined) values.room_tags = JSON.stringify(fields.roomTags);
  if (fields.webhook !== undefined) values.webhook = fields.webhook;
  if (fields.botMode !== undefined) values.bot_mode = fields.botMode ? 1 : 0;
  if (fields.botState !== undefined) values.bot_state = fields.botState;
  if (fields.encrypted !== undefined) values.encrypted = fields.encrypted ? 1 : 0;
  if (fields.status !== undefined) values.status = fields.status;
  if (fields.opening !== undefined) values.opening = fields.opening;
  if (fields.historyVisibility !== undefined) values.history_visibility = fields.historyVisibility;
  if (fields.extParams !== undefined) values.ext_params = fields.extParams;
  return values;
}

/**
 * Once per message written: built once (see preparedQuery). No RETURNING: on SQLite it made this
 * single-row update cost ~15 times as much (128 against 8 us), more than reading the count after.
 */
const countMessageAdded = preparedQuery(
  (db, values: { appId: string; id: string; messageId: string; seq: number; createdAt: number }) =>
    db
      .updateTable('rooms')
      .set((eb) => ({
        last_message_id: values.messageId,
        last_message_seq: values.seq,
        last_written_at: sql<number>`case when last_written_at > ${values.createdAt} then last_written_at else ${values.createdAt} end`,
        message_count: eb('message_count', '+', 1),
        messages_written: eb('messages_written', '+', 1),
      }))
      .where('app_id', '=', values.appId)
      .where('id', '=', values.id),
);

const readMessagesWritten = preparedQuery((db, values: { appId: string; id: string }) =>
  db.selectFrom('rooms').select('messages_written').where('app_id', '=', values.appId).where('id', '=', values.id),
);

export class RoomsRepository {
  constructor(private readonly storage: Storage) {}

  get db(): Storage['db'] {
    return this.storage.db;
  }

  transaction<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.storage.db.transaction().execute(work);
  }

  /**
   * A transaction that a unique violation (two requests creating the same row at once) undoes
   * whole and answers as `'conflict'`, whatever the dialect reports.
   */
  async transactionOrConflict<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T | 'conflict'> {
    try {
      return await this.storage.db.transaction().execute(work);
    } catch (error) {
      if (this.storage.dialect.isUniqueViolation(error)) return 'conflict';
      throw error;
    }
  }

  async find(appId: string, id: string, db: Db = this.storage.db): Promise<Room | undefined> {
    const row = await db
      .selectFrom('rooms')
      .selectAll()
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRoom(row);
  }

  /** The rooms of `ids` that exist, in no particular order. */
  async findMany(appId: string, ids: readonly string[]): Promise<Room[]> {
    if (ids.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('rooms')
      .selectAll()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('id', ids))
      .execute();
    return rows.map(toRoom);
  }

  /** Locks the room row (PostgreSQL) so that concurrent changes to its members or messages queue up. */
  async findForUpdate(appId: string, id: string, db: Db): Promise<Room | undefined> {
    let query = db.selectFrom('rooms').selectAll().where('app_id', '=', appId).where('id', '=', id);
    if (this.storage.dialect.name === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toRoom(row);
  }

  async insert(
    appId: string,
    id: string,
    fields: RoomFields & { roomType: 'direct' | 'group' },
    now: number,
    db: Db,
  ): Promise<void> {
    await db
      .insertInto('rooms')
      .values({
        app_id: appId,
        id,
        name: fields.name ?? '',
        cover: fields.cover ?? '',
        description: fields.description ?? '',
        room_type: fields.roomType,
        owner: fields.owner ?? null,
        managers: JSON.stringify(fields.managers ?? []),
        room_tags: JSON.stringify(fields.roomTags ?? []),
        webhook: fields.webhook ?? null,
        bot_mode: fields.botMode ? 1 : 0,
        bot_state: fields.botState ?? null,
        encrypted: fields.encrypted ? 1 : 0,
        service_status: 0,
        status: fields.status ?? 1,
        opening: fields.opening ?? 1,
        history_visibility: fields.historyVisibility ?? 'shared',
        ext_params: fields.extParams ?? null,
        last_message_id: null,
        last_message_seq: null,
        message_count: 0,
        members_stamp: newMembersStamp(),
        pinned_message_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async update(appId: string, id: string, fields: RoomFields, now: number, db: Db): Promise<void> {
    await db
      .updateTable('rooms')
      .set({ ...toColumns(fields), updated_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Records a new message: it becomes the room's last one, counts toward `totalCount` and is one
   * more message written. Answers the room's new count of messages written.
   */
  /** On SQLite (PostgreSQL counts in the message's own statement, see MessageStore). */
  async messageAdded(
    appId: string,
    id: string,
    message: { id: string; seq: number; createdAt: number },
    db: Db,
  ): Promise<number> {
    await countMessageAdded(db, { appId, id, messageId: message.id, seq: message.seq, createdAt: message.createdAt });
    const { rows } = await readMessagesWritten(db, { appId, id });
    if (!rows[0]) throw new Error(`room ${id} vanished while its transaction held it`);
    return Number(rows[0].messages_written);
  }

  /** After deletions: the newest remaining message becomes the last one. */
  async messagesRemoved(
    appId: string,
    id: string,
    removed: number,
    last: { id: string; seq: number } | undefined,
    db: Db,
  ): Promise<void> {
    await db
      .updateTable('rooms')
      .set((eb) => ({
        last_message_id: last?.id ?? null,
        last_message_seq: last?.seq ?? null,
        message_count: eb('message_count', '-', removed),
      }))
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async setPinned(appId: string, id: string, messageId: string | null, db: Db): Promise<void> {
    await db
      .updateTable('rooms')
      .set({ pinned_message_id: messageId })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async delete(appId: string, id: string, db: Db): Promise<number> {
    const result = await db.deleteFrom('rooms').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Rooms that any of `principals` (a user and the groups they belong to) is a member of. */
  async listForPrincipals(
    appId: string,
    principals: readonly string[],
    options: { activeOnly: boolean },
  ): Promise<Room[]> {
    let query = this.storage.db
      .selectFrom('rooms')
      .selectAll('rooms')
      .where('rooms.app_id', '=', appId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('room_members as mm')
            .select('mm.user_id')
            .whereRef('mm.app_id', '=', 'rooms.app_id')
            .whereRef('mm.room_id', '=', 'rooms.id')
            .where(this.storage.dialect.inList('mm.user_id', principals)),
        ),
      );
    if (options.activeOnly) query = query.where('rooms.status', '=', 1);
    return (await query.execute()).map(toRoom);
  }

  /** Rooms active in a window (spec 9.2): created in it, or with a message sent in it. */
  async countActive(appId: string, since: number, until: number): Promise<number> {
    const db = this.storage.db;
    const ids = db
      .selectFrom('messages')
      .select('room_id as id')
      .where('app_id', '=', appId)
      .where('created_at', '>=', since)
      .where('created_at', '<=', until)
      .union(
        db
          .selectFrom('rooms')
          .select('id')
          .where('app_id', '=', appId)
          .where('created_at', '>=', since)
          .where('created_at', '<=', until),
      );
    const row = await db
      .selectFrom(ids.as('active'))
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Rooms of the app, or those created between `since` and `until`. */
  async count(appId: string, since?: number, until?: number): Promise<number> {
    let query = this.storage.db.selectFrom('rooms').where('app_id', '=', appId);
    if (since !== undefined) query = query.where('created_at', '>=', since);
    if (until !== undefined) query = query.where('created_at', '<=', until);
    const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }
}

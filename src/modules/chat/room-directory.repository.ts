import { sql, type SqlBool, type ExpressionBuilder } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Database } from '../../storage/schema/tables.js';

export interface DirectoryFilter {
  /** Part of the room's name, any case. */
  name?: string;
  /** Rooms this user is a member of or banned from. */
  user?: string;
}

export interface DirectoryRoom {
  id: string;
  name: string;
  roomType: string;
  status: number;
  memberCount: number;
  lastMessageAt: number | null;
  createdAt: number;
  /** With a `user` filter: whether they are a member, and whether they are banned. */
  isMember?: boolean;
  isBanned?: boolean;
}

/** `%`, `_` and the escape itself match literally in a LIKE pattern escaped with `\`. */
const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

type RoomsScope = ExpressionBuilder<Database, 'rooms'>;

const memberOf = (eb: RoomsScope, userId: string) =>
  eb.exists(
    eb
      .selectFrom('room_members as m')
      .select('m.user_id')
      .whereRef('m.app_id', '=', 'rooms.app_id')
      .whereRef('m.room_id', '=', 'rooms.id')
      .where('m.user_id', '=', userId),
  );

const bannedFrom = (eb: RoomsScope, userId: string) =>
  eb.exists(
    eb
      .selectFrom('room_bans as b')
      .select('b.user_id')
      .whereRef('b.app_id', '=', 'rooms.app_id')
      .whereRef('b.room_id', '=', 'rooms.id')
      .where('b.user_id', '=', userId),
  );

/** Every room of an application, for operators: found by name or by a user, newest first. */
export class RoomDirectoryRepository {
  constructor(private readonly storage: Storage) {}

  async find(
    appId: string,
    filter: DirectoryFilter,
    page: { skip: number; limit: number },
  ): Promise<{ total: number; rooms: DirectoryRoom[] }> {
    const { user, name } = filter;
    const matching = this.storage.db
      .selectFrom('rooms')
      .where('rooms.app_id', '=', appId)
      .$if(name !== undefined, (query) =>
        query.where(sql<SqlBool>`lower(rooms.name) like ${containsPattern(name ?? '')} escape '\\'`),
      )
      .$if(user !== undefined, (query) =>
        query.where((eb) => eb.or([memberOf(eb, user ?? ''), bannedFrom(eb, user ?? '')])),
      );
    const [count, rows] = await Promise.all([
      matching.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
      matching
        .select([
          'rooms.id',
          'rooms.name',
          'rooms.room_type',
          'rooms.status',
          'rooms.last_message_id',
          'rooms.last_written_at',
          'rooms.created_at',
        ])
        .select((eb) =>
          eb
            .selectFrom('room_members as c')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('c.app_id', '=', 'rooms.app_id')
            .whereRef('c.room_id', '=', 'rooms.id')
            .as('member_count'),
        )
        .$if(user !== undefined, (query) =>
          query.select((eb) => [memberOf(eb, user ?? '').as('is_member'), bannedFrom(eb, user ?? '').as('is_banned')]),
        )
        .orderBy('rooms.created_at', 'desc')
        .orderBy('rooms.id')
        .offset(page.skip)
        .limit(page.limit)
        .execute(),
    ]);
    return {
      total: Number(count.count),
      rooms: rows.map((row) => {
        const flags = row as { is_member?: unknown; is_banned?: unknown };
        return {
          id: row.id,
          name: row.name,
          roomType: row.room_type,
          status: row.status,
          memberCount: Number(row.member_count ?? 0),
          lastMessageAt: row.last_message_id === null ? null : Number(row.last_written_at),
          createdAt: Number(row.created_at),
          ...(user === undefined ? {} : { isMember: Boolean(flags.is_member), isBanned: Boolean(flags.is_banned) }),
        };
      }),
    };
  }
}

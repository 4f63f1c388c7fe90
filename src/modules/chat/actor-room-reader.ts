import type { Compilable, Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';
import type { RoomsTable } from '../../storage/schema/tables.js';
import { preparedQuery } from '../../storage/prepared-query.js';
import { type Room, toRoom } from './rooms.repository.js';

/** What the access rule asks about an actor in a room (see `ActorRoomReader.find`). */
export interface ActorFacts {
  /** The actor is banned in the room (spec 7.1). */
  banned: boolean;
  /** A personal block exists in the room (it closes a direct room, spec 7.4). */
  blocked: boolean;
  /** The actor belongs to some user group: their principals must be looked up. */
  inGroups: boolean;
}

type ActorRoomRow = Selectable<RoomsTable> & {
  actor_banned?: unknown;
  room_blocked?: unknown;
  actor_in_groups?: unknown;
};

/** Reads a room together with what the access rule asks about one actor in it (see `RoomAccess`). */
export class ActorRoomReader {
  /** The statement, one per shape of actor and lock (see preparedQuery). */
  private readonly actorRoomQueries = new Map<
    string,
    ReturnType<typeof preparedQuery<{ appId: string; id: string; userId: string }, ActorRoomRow>>
  >();

  constructor(private readonly storage: Storage) {}

  /**
   * The room with what the access rule asks about its actor, in one statement (a message reads
   * it on every write): whether they are banned in it, whether a personal block closes it, and
   * whether they belong to any user group. With `lock`, the room row is locked as `findForUpdate` does.
   */
  async find(
    appId: string,
    id: string,
    actor: { userId: string | null; admin: boolean },
    db: Db,
    lock: boolean,
  ): Promise<{ room: Room; facts: ActorFacts } | undefined> {
    const { userId, admin } = actor;
    const variant = `${admin ? 'admin' : 'user'}:${userId === null ? 'anonymous' : 'named'}:${lock ? 'lock' : 'read'}`;
    let query = this.actorRoomQueries.get(variant);
    if (!query) {
      query = preparedQuery(
        (db, values: { appId: string; id: string; userId: string }) =>
          this.actorRoomQuery(db, values, {
            admin,
            named: userId !== null,
            lock,
          }) as unknown as Compilable<ActorRoomRow>,
      );
      this.actorRoomQueries.set(variant, query);
    }
    const row = (await query(db, { appId, id, userId: userId ?? '' })).rows[0];
    if (!row) return undefined;
    return {
      room: toRoom(row),
      facts: {
        banned: Boolean(row.actor_banned),
        blocked: Boolean(row.room_blocked),
        inGroups: Boolean(row.actor_in_groups),
      },
    };
  }

  private actorRoomQuery(
    db: Db,
    { appId, id, userId }: { appId: string; id: string; userId: string },
    shape: { admin: boolean; named: boolean; lock: boolean },
  ) {
    return db
      .selectFrom('rooms')
      .selectAll('rooms')
      .where('rooms.app_id', '=', appId)
      .where('rooms.id', '=', id)
      .$if(!shape.admin && shape.named, (query) =>
        query.select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('room_bans')
                .select('room_bans.user_id')
                .whereRef('room_bans.app_id', '=', 'rooms.app_id')
                .whereRef('room_bans.room_id', '=', 'rooms.id')
                .where('room_bans.user_id', '=', userId),
            )
            .as('actor_banned'),
        ),
      )
      .$if(!shape.admin, (query) =>
        query.select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('user_blocks')
                .select('user_blocks.blocker')
                .whereRef('user_blocks.app_id', '=', 'rooms.app_id')
                .whereRef('user_blocks.room_id', '=', 'rooms.id'),
            )
            .as('room_blocked'),
        ),
      )
      .$if(shape.named, (query) =>
        query.select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('users')
                .select('users.id')
                .where('users.app_id', '=', appId)
                .where('users.is_group', '=', 1)
                .where(this.storage.dialect.jsonArrayContains('users.group_members', userId)),
            )
            .as('actor_in_groups'),
        ),
      )
      .$if(shape.lock && this.storage.dialect.name === 'postgres', (query) => query.forUpdate());
  }
}

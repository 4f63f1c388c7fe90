import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';

/** A pending invitation: `userId` is invited to `roomId` by `inviter` (null when the platform admin invited). */
export interface Invitation {
  roomId: string;
  userId: string;
  inviter: string | null;
  createdAt: number;
}

export interface InvitationPage {
  totalCount: number;
  data: Invitation[];
}

export interface Page {
  skip: number;
  limit: number;
}

/** Reads and removals of pending invitations ([hist] 6); `MembersRepository.invite` writes them. */
export class InvitationsRepository {
  constructor(private readonly storage: Storage) {}

  /** The invitations `userId` has, newest first. */
  forUser(appId: string, userId: string, page: Page): Promise<InvitationPage> {
    return this.page('user_id', appId, userId, page);
  }

  /** The invitations of one room, newest first. */
  forRoom(appId: string, roomId: string, page: Page, db: Db = this.storage.db): Promise<InvitationPage> {
    return this.page('room_id', appId, roomId, page, db);
  }

  /** Removes the invitations of `userIds` to the room; answers those that existed, in the order asked. */
  async remove(appId: string, roomId: string, userIds: readonly string[], db: Db): Promise<Invitation[]> {
    if (userIds.length === 0) return [];
    const rows = await db
      .deleteFrom('room_invitations')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where(this.storage.dialect.inList('user_id', userIds))
      .returningAll()
      .execute();
    const order = new Map(userIds.map((id, index) => [id, index]));
    return rows.map(toInvitation).sort((a, b) => (order.get(a.userId) ?? 0) - (order.get(b.userId) ?? 0));
  }

  private async page(
    column: 'user_id' | 'room_id',
    appId: string,
    value: string,
    page: Page,
    db: Db = this.storage.db,
  ): Promise<InvitationPage> {
    const scoped = db.selectFrom('room_invitations').where('app_id', '=', appId).where(column, '=', value);
    const count = await scoped.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    const rows =
      page.limit === 0
        ? []
        : await scoped
            .selectAll()
            .orderBy('created_at', 'desc')
            .orderBy(column === 'user_id' ? 'room_id' : 'user_id')
            .limit(page.limit)
            .offset(page.skip)
            .execute();
    return { totalCount: Number(count.count), data: rows.map(toInvitation) };
  }
}

function toInvitation(row: {
  room_id: string;
  user_id: string;
  inviter: string | null;
  created_at: number | string;
}): Invitation {
  return { roomId: row.room_id, userId: row.user_id, inviter: row.inviter, createdAt: Number(row.created_at) };
}

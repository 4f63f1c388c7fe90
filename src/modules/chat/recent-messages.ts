import type { MembersRepository } from './members.repository.js';
import type { MessageView } from './message-view.js';
import type { MessagesRepository } from './messages.repository.js';
import { historyFloors, type RoomAccess } from './room-access.js';
import type { RoomPresenter } from './room-presenter.js';
import type { RoomsRepository } from './rooms.repository.js';

const DEFAULT_LIMIT = 20;
export const MAX_RECENT = 100;

/** `GET /messages/recent` (history 7.6): the newest messages across the caller's rooms. */
export class RecentMessages {
  constructor(
    private readonly deps: {
      access: RoomAccess;
      rooms: RoomsRepository;
      messages: MessagesRepository;
      members: MembersRepository;
      presenter: RoomPresenter;
    },
  ) {}

  /**
   * Newest first; `limit` 0 or absent: 20, at most 100. A late joiner sees nothing from before it joined;
   * nobody sees what they deleted for themselves (history 7.9).
   */
  async recent(
    appId: string,
    userId: string,
    limit: number | undefined,
  ): Promise<{ count: number; data: MessageView[] }> {
    const { access, rooms, messages, members, presenter } = this.deps;
    const principals = await access.principals(appId, userId);
    const userRooms = await rooms.listForPrincipals(appId, principals, { activeOnly: false });
    const floors = await historyFloors(members, appId, principals, userRooms);
    const page = await messages.recentIn(
      appId,
      userId,
      userRooms.map((room) => ({ id: room.id, fromSeq: floors.get(room.id) ?? 0 })),
      Math.min(limit || DEFAULT_LIMIT, MAX_RECENT),
    );
    const data = await presenter.messageViews(appId, page);
    return { count: data.length, data };
  }
}

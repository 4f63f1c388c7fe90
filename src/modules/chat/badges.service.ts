import type { MessagesRepository } from './messages.repository.js';
import type { ReadStatesRepository } from './read-states.repository.js';
import type { RoomAccess } from './room-access.js';
import type { Room, RoomsRepository } from './rooms.repository.js';

/** Unread counts (spec 6, 12 items 57-59): per room, its messages written since the member's unread base. */
export class BadgesService {
  constructor(
    private readonly deps: {
      rooms: RoomsRepository;
      readStates: ReadStatesRepository;
      messages: MessagesRepository;
      access: RoomAccess;
    },
  ) {}

  /** `GET /me/badge`: unread over the caller's rooms carrying every tag given (AND). */
  async total(appId: string, userId: string, roomTags: string[]): Promise<number> {
    const rooms = (await this.roomsOf(appId, userId)).filter((room) =>
      roomTags.every((tag) => room.roomTags.includes(tag)),
    );
    const badges = await this.unread(appId, userId, rooms);
    return badges.reduce((sum, badge) => sum + badge, 0);
  }

  /**
   * `POST /badges` ([hist] 8.2): each user's total unread count (as `GET /me/badge`), in the order
   * given, and their sum: one app badge for a device signed in as several users.
   */
  async ofUsers(
    appId: string,
    userIds: readonly string[],
  ): Promise<{ data: Array<{ client: string; badge: number }>; totalBadge: number }> {
    const data = await Promise.all(
      userIds.map(async (userId) => ({ client: userId, badge: await this.total(appId, userId, []) })),
    );
    return { data, totalBadge: data.reduce((sum, entry) => sum + entry.badge, 0) };
  }

  /** `POST /badges/byRoomTags`: unread per tag, and over the distinct rooms with any of them. */
  async byRoomTags(
    appId: string,
    userId: string,
    tags: string[] | undefined,
    beforeTime?: number,
  ): Promise<{ totalBadge: number; data: Record<string, number> }> {
    const rooms = await this.roomsOf(appId, userId);
    const wanted = tags && tags.length > 0 ? [...new Set(tags)] : [...new Set(rooms.flatMap((room) => room.roomTags))];
    const relevant = rooms.filter((room) => room.roomTags.some((tag) => wanted.includes(tag)));
    const badges =
      beforeTime === undefined
        ? await this.unread(appId, userId, relevant)
        : await this.unreadBefore(appId, userId, relevant, beforeTime);
    const data: Record<string, number> = Object.fromEntries(wanted.map((tag) => [tag, 0]));
    let totalBadge = 0;
    relevant.forEach((room, index) => {
      const badge = badges[index] ?? 0;
      totalBadge += badge;
      for (const tag of new Set(room.roomTags)) if (Object.hasOwn(data, tag)) data[tag] = (data[tag] ?? 0) + badge;
    });
    return { totalBadge, data };
  }

  /**
   * `POST /badges/byRoomTagsAndTime` (history 8.1): only unread messages sent before `beforeTime`
   * count, i.e. the unread count less the unread messages others sent since. Messages from before the
   * user joined are never unread; when they are that recent, every unread one is too, hence the floor at 0.
   */
  private async unreadBefore(appId: string, userId: string, rooms: Room[], beforeTime: number): Promise<number[]> {
    const states = await this.deps.readStates.readStates(
      appId,
      rooms.map((room) => room.id),
      userId,
    );
    const unreadRooms = rooms.filter((room) => (states.get(room.id)?.badge ?? 0) > 0);
    const recent = await this.deps.messages.othersSince(
      appId,
      userId,
      unreadRooms.map((room) => ({ id: room.id, afterSeq: states.get(room.id)?.lastReadSeq ?? 0 })),
      beforeTime,
    );
    return rooms.map((room) => Math.max(0, (states.get(room.id)?.badge ?? 0) - (recent.get(room.id) ?? 0)));
  }

  private async roomsOf(appId: string, userId: string): Promise<Room[]> {
    return this.deps.rooms.listForPrincipals(appId, await this.deps.access.principals(appId, userId), {
      activeOnly: false,
    });
  }

  private async unread(appId: string, userId: string, rooms: Room[]): Promise<number[]> {
    const states = await this.deps.readStates.readStates(
      appId,
      rooms.map((room) => room.id),
      userId,
    );
    return rooms.map((room) => states.get(room.id)?.badge ?? 0);
  }
}

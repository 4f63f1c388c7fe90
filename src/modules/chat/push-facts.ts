import type { BadgesService } from './badges.service.js';
import type { RoomsRepository } from './rooms.repository.js';

/** What the push module reads of the chat: what a message's room shows, and a receiver's badge. */
export class PushFacts {
  constructor(private readonly deps: { rooms: Pick<RoomsRepository, 'find'>; badges: Pick<BadgesService, 'total'> }) {}

  async roomOf(appId: string, roomId: string) {
    const room = await this.deps.rooms.find(appId, roomId);
    return room ? { name: room.name, roomTags: room.roomTags, encrypted: room.encrypted } : null;
  }

  /** Unread over every room of the user: the badge a push shows. */
  unreadTotal(appId: string, userId: string): Promise<number> {
    return this.deps.badges.total(appId, userId, []);
  }
}

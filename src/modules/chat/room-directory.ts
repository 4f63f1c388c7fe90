import type { DirectoryFilter, DirectoryRoom, RoomDirectoryRepository } from './room-directory.repository.js';

export interface DirectoryEntry {
  _id: string;
  name: string;
  roomType: string;
  status: number;
  memberCount: number;
  lastMessageTimeMS?: number;
  createdTimeMS: number;
  isMember?: boolean;
  isBanned?: boolean;
}

const entry = (room: DirectoryRoom): DirectoryEntry => ({
  _id: room.id,
  name: room.name,
  roomType: room.roomType,
  status: room.status,
  memberCount: room.memberCount,
  ...(room.lastMessageAt === null ? {} : { lastMessageTimeMS: room.lastMessageAt }),
  createdTimeMS: room.createdAt,
  ...(room.isMember === undefined ? {} : { isMember: room.isMember, isBanned: room.isBanned }),
});

/**
 * `GET /admin/rooms`: the operator's view of every room of the application — found by name, or by
 * a user (the rooms they are in and those they are banned from, which their own room list omits).
 */
export class RoomDirectory {
  constructor(private readonly repository: RoomDirectoryRepository) {}

  async find(
    appId: string,
    query: { name?: string; user?: string; skip?: number; limit?: number },
  ): Promise<{ totalCount: number; data: DirectoryEntry[] }> {
    const filter: DirectoryFilter = {};
    const name = query.name?.trim();
    if (name) filter.name = name;
    if (query.user) filter.user = query.user;
    const { total, rooms } = await this.repository.find(appId, filter, {
      skip: query.skip ?? 0,
      limit: query.limit ?? 20,
    });
    return { totalCount: total, data: rooms.map(entry) };
  }
}

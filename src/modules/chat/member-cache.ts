import { LRUCache } from 'lru-cache';
import type { Db } from '../../storage/transaction.js';
import { changesMembers, type Member, type MembersRepository } from './members.repository.js';
import type { Room } from './rooms.repository.js';

/** Members held over all rooms: bounded memory, the busiest rooms stay. */
const MAX_MEMBERS = 200_000;

interface Entry {
  stamp: string;
  members: readonly Member[];
}

/**
 * The member lists of rooms, each kept with the room's `membersStamp` it was read at. Every change
 * of a room's members gives the room a new random stamp in the change's transaction, so a list is
 * used only while the room (read first, under its lock in a transaction) still carries its stamp:
 * as exact as reading it again, on every node, without reading a room of thousands per message.
 */
export class MemberListCache {
  private readonly lists = new LRUCache<string, Entry>({
    maxSize: MAX_MEMBERS,
    sizeCalculation: (entry) => Math.max(1, entry.members.length),
  });

  constructor(private readonly members: MembersRepository) {}

  /** The members of `room` as its stamp says they are; read `room` before calling (never after). */
  async of(room: Room, db?: Db): Promise<Member[]> {
    const key = `${room.appId}\n${room.id}`;
    const cached = this.lists.get(key);
    // A room migrated before stamps existed has none yet: read until its members first change.
    if (cached && room.membersStamp !== '' && cached.stamp === room.membersStamp) return [...cached.members];
    const members = await this.members.list(room.appId, room.id, db);
    // A transaction that changed members reads what may roll back, under a stamp that may stay.
    if (room.membersStamp !== '' && !(db && changesMembers(db)))
      this.lists.set(key, { stamp: room.membersStamp, members: members.map(frozen) });
    return members;
  }
}

/** Shared between requests: nobody may change a cached member. */
function frozen(member: Member): Member {
  Object.freeze(member.properties);
  return Object.freeze(member);
}

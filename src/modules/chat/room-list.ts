import { AppError } from '../../core/errors.js';
import type { ChatReads } from './chat-reads.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import { iso, parseTime } from '../../shared/time.js';
import type { Member } from './members.repository.js';
import { groupsAmongPrincipals, historyFloor } from './room-access.js';
import { parseRoomFilter } from './room-filter.js';
import { roomSummary } from './room-summary.js';
import type { RoomView, ViewerState } from './room-presenter.js';
import type { Room } from './rooms.repository.js';

export interface RoomListQuery {
  sort?: string;
  skip?: number;
  limit?: number;
  updatedAfter?: string;
  pref?: string;
  sortUnreadFirst?: string;
  q?: string;
}

/** A room the caller left ([hist] 5.6). */
export interface QuittedRoom {
  _id: string;
  id: string;
  name: string;
  cover: string;
  description: string;
  roomType: string;
  roomTags: string[];
  encrypted: boolean;
  pref: Record<string, unknown> & { quittedAt: string };
  createdTimeMS: number;
}

interface Entry {
  room: Room;
  members: Member[];
  viewer: ViewerState;
}

type Comparator = (a: Entry, b: Entry) => number;

const SORT_KEYS: Record<string, (entry: Entry) => number | string> = {
  lastMessage: (entry) => entry.room.lastMessageSeq ?? 0,
  createdTime: (entry) => entry.room.createdAt,
  updatedAt: (entry) => entry.room.updatedAt,
  name: (entry) => entry.room.name,
  _id: (entry) => entry.room.id,
  unread: (entry) => entry.viewer.unread,
};

const DEFAULT_SORT = '-lastMessage -createdTime';
/** Ids per lookup query, well under every driver's parameter limit. */
const LOOKUP_CHUNK = 500;

/** `GET /rooms` (spec 4.5, 12 item 39): the caller's active rooms, filtered, sorted and paged. */
export class RoomList {
  constructor(private readonly deps: ChatReads) {}

  async list(
    appId: string,
    userId: string,
    query: RoomListQuery,
  ): Promise<{ totalCount: number; inspect: { query: Record<string, unknown>; tookMS: number }; data: RoomView[] }> {
    const started = performance.now();
    const compare = parseSort(query.sort ?? DEFAULT_SORT, isTruthy(query.sortUnreadFirst));
    const updatedAfter = query.updatedAfter === undefined ? undefined : parseTime(query.updatedAfter);
    if (query.updatedAfter !== undefined && updatedAfter === undefined)
      throw new AppError('INVALID_REQUEST', 'updatedAfter must be an ISO-8601 time or a millisecond epoch');
    const prefFilter = parsePref(query.pref);
    const roomFilter = parseRoomFilter(query.q);

    const principals = await this.deps.access.principals(appId, userId);
    let rooms = await this.deps.rooms.listForPrincipals(appId, principals, { activeOnly: true });
    if (updatedAfter !== undefined) rooms = await this.updatedAfter(appId, rooms, updatedAfter);
    let entries = await this.entries(appId, userId, principals, rooms);
    if (roomFilter) entries = entries.filter((entry) => roomFilter(entry.room, entry.members, userId));
    const matching = prefFilter ? entries.filter((entry) => prefMatches(entry.viewer.pref, prefFilter)) : entries;
    matching.sort(compare);
    const skip = query.skip ?? 0;
    const page = query.limit ? matching.slice(skip, skip + query.limit) : matching.slice(skip);
    const data = await this.deps.presenter.list(appId, page);
    const inspect = {
      query: {
        appID: appId,
        members: userId,
        ...(updatedAfter === undefined
          ? {}
          : {
              $or: [
                {
                  lastMessage: {
                    $gt: `${Math.floor(updatedAfter / 1000)
                      .toString(16)
                      .padStart(8, '0')}0000000000000000`,
                  },
                },
                { createdTime: { $gt: iso(updatedAfter) } },
              ],
            }),
        ...(prefFilter ? { pref: prefFilter } : {}),
        status: 1,
      },
      tookMS: Math.round(performance.now() - started),
    };
    return { totalCount: matching.length, inspect, data };
  }

  /** `GET /rooms/ids` (SDK): the ids of the caller's active rooms, sorted, one page of them. */
  async ids(
    appId: string,
    userId: string,
    page: { skip?: number; limit?: number },
  ): Promise<{ totalCount: number; data: string[] }> {
    const principals = await this.deps.access.principals(appId, userId);
    const rooms = await this.deps.rooms.listForPrincipals(appId, principals, { activeOnly: true });
    const ids = rooms.map((room) => room.id).sort();
    const skip = page.skip ?? 0;
    const limit = page.limit || 500;
    return { totalCount: ids.length, data: ids.slice(skip, skip + limit) };
  }

  /**
   * `GET /rooms/quitted` ([hist] 5.6): the rooms the caller left or was removed from, most recent
   * first, reduced to what a former member may see: no members, no messages; `pref` is the
   * preference they had, with `quittedAt`.
   */
  async quitted(appId: string, userId: string): Promise<{ data: QuittedRoom[] }> {
    const departures = await this.deps.members.departures(appId, userId);
    const rooms = new Map(
      (
        await this.deps.rooms.findMany(
          appId,
          departures.map((departure) => departure.roomId),
        )
      ).map((room) => [room.id, room]),
    );
    return {
      data: departures.flatMap((departure) => {
        const room = rooms.get(departure.roomId);
        return room
          ? [
              {
                ...roomSummary(room),
                encrypted: room.encrypted,
                pref: { tags: [], ...departure.pref, quittedAt: iso(departure.quittedAt) },
                createdTimeMS: room.createdAt,
              },
            ]
          : [];
      }),
    };
  }

  /**
   * Rooms created after `time` or whose last message was: the message's stored time decides, not
   * its id, which a client may have chosen (spec 5.2) with any timestamp in it.
   */
  private async updatedAfter(appId: string, rooms: Room[], time: number): Promise<Room[]> {
    const lastIds = rooms.flatMap((room) =>
      room.createdAt <= time && room.lastMessageId !== null ? [room.lastMessageId] : [],
    );
    const sentAt = new Map<string, number>();
    for (let start = 0; start < lastIds.length; start += LOOKUP_CHUNK) {
      for (const message of await this.deps.presenter.messagesById(appId, lastIds.slice(start, start + LOOKUP_CHUNK)))
        sentAt.set(message.id, message.createdAt);
    }
    return rooms.filter(
      (room) => room.createdAt > time || (room.lastMessageId !== null && (sentAt.get(room.lastMessageId) ?? 0) > time),
    );
  }

  private async entries(appId: string, userId: string, principals: readonly string[], rooms: Room[]): Promise<Entry[]> {
    if (rooms.length === 0) return [];
    const ids = rooms.map((room) => room.id);
    const [states, user, memberLists] = await Promise.all([
      this.deps.readStates.readStates(appId, ids, userId, groupsAmongPrincipals(principals, userId)),
      this.deps.users.find(appId, userId),
      this.deps.members.listMany(appId, ids),
    ]);
    return rooms.map((room) => {
      const state = states.get(room.id);
      const members = memberLists.get(room.id) ?? [];
      const isSuperuser =
        room.owner === userId ||
        room.managers.includes(userId) ||
        members.some((member) => member.userId === userId && member.role === 'admin');
      return {
        room,
        members,
        viewer: {
          unread: state?.badge ?? 0,
          muted: (user?.mute.includes(room.id) ?? false) || state?.pref?.muted === true,
          isSuperuser,
          pref: state?.pref ?? null,
          lastRead: state?.lastReadId ?? null,
          historyFloor: historyFloor(room, members, principals, isSuperuser),
        },
      };
    });
  }
}

/** `-lastMessage -createdTime`: space-separated fields, `-` for descending; ties fall back to the id. */
function parseSort(text: string, unreadFirst: boolean): Comparator {
  const keys = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => {
      const descending = part.startsWith('-');
      const name = part.replace(/^[-+]/, '');
      const key = Object.hasOwn(SORT_KEYS, name) ? SORT_KEYS[name] : undefined;
      if (!key)
        throw new AppError(
          'INVALID_REQUEST',
          `Cannot sort rooms by "${name.slice(0, 64)}"; use ${Object.keys(SORT_KEYS).join(', ')}`,
        );
      return { key, sign: descending ? -1 : 1 };
    });
  return (a, b) => {
    if (unreadFirst) {
      const unread = Number(b.viewer.unread > 0) - Number(a.viewer.unread > 0);
      if (unread !== 0) return unread;
    }
    for (const { key, sign } of keys) {
      const left = key(a);
      const right = key(b);
      if (left < right) return -sign;
      if (left > right) return sign;
    }
    return a.room.id < b.room.id ? -1 : a.room.id > b.room.id ? 1 : 0;
  };
}

const isTruthy = (value: string | undefined): boolean =>
  value !== undefined && value !== '' && value !== '0' && value !== 'false';

/** A JSON object, or no filter at all for anything else (Postman sends `pref=true`, spec 4.5). */
function parsePref(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_REQUEST', 'pref must be a JSON object');
  }
  assertSafeInput(value, 'pref');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.keys(value).length === 0 ? undefined : (value as Record<string, unknown>);
}

/** Each key must equal the caller's pref value; for an array (tags) it must contain it. */
function prefMatches(pref: Record<string, unknown> | null, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([name, wanted]) => {
    const actual = pref?.[name];
    if (Array.isArray(actual))
      return Array.isArray(wanted) ? wanted.every((item) => actual.includes(item)) : actual.includes(wanted);
    if (actual === undefined && wanted === false) return true;
    return JSON.stringify(actual) === JSON.stringify(wanted);
  });
}

import { AppError } from '../../core/errors.js';
import type { ChatReads } from './chat-reads.js';
import { groupsAmongPrincipals, historyFloors } from './room-access.js';
import { FILE_MESSAGE_TYPES, fileIndexKeywords, fileMatches } from './file-messages.js';
import type { MessagesRepository } from './messages.repository.js';
import type { Room } from './rooms.repository.js';
import { roomSummary } from './room-summary.js';
import type { MessageView } from './message-view.js';

export interface SearchInput {
  type?: unknown;
  keyword?: unknown;
  room?: unknown;
  roomTags?: unknown;
  limit?: unknown;
}

const SEARCH_TYPES = [
  'messages',
  'files',
  'roomName',
  'roomMember',
  'roomTags',
  'roomPrefTags',
  'roomPrefFolder',
] as const;
type SearchType = (typeof SEARCH_TYPES)[number];
const isSearchType = (value: string): value is SearchType => (SEARCH_TYPES as readonly string[]).includes(value);

/** A type name a client may send; one Parley does not know is answered with `[]` (see readTypes). */
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MAX_TYPES = 32;
/** File hits are checked after the index lookup; this many candidates per hit wanted are read. */
const FILE_CANDIDATES_PER_HIT = 4;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const MAX_KEYWORD = 256;

/** `POST /search` (spec 5.9, 12 item 56): messages through the text index, within the caller's rooms. */
export class SearchService {
  constructor(
    private readonly deps: ChatReads & {
      messagesRepository: MessagesRepository;
    },
  ) {}

  async search(appId: string, userId: string, input: SearchInput): Promise<Record<string, unknown>> {
    const { known: types, unknown } = readTypes(input.type);
    if (typeof input.keyword !== 'string' || input.keyword.trim() === '')
      throw new AppError('INVALID_REQUEST', 'Missing required field: keyword');
    const keyword = input.keyword.trim();
    if (keyword.length > MAX_KEYWORD)
      throw new AppError('INVALID_REQUEST', `keyword must be at most ${MAX_KEYWORD} characters`);
    if (input.room !== undefined && typeof input.room !== 'string')
      throw new AppError('INVALID_REQUEST', 'room must be a room id');
    const tags = readTags(input.roomTags);
    const limit = readLimit(input.limit);

    const principals = await this.deps.access.principals(appId, userId);
    let rooms = await this.deps.rooms.listForPrincipals(appId, principals, { activeOnly: false });
    if (input.room !== undefined) rooms = rooms.filter((room) => room.id === input.room);
    if (tags.length > 0) rooms = rooms.filter((room) => tags.every((tag) => room.roomTags.includes(tag)));
    const byId = new Map(rooms.map((room) => [room.id, room]));

    const result: Record<string, unknown> = {};
    if (types.has('messages')) {
      const hits = await this.readable(
        appId,
        principals,
        rooms,
        await this.deps.messagesRepository.search({ appId, roomIds: [...byId.keys()], keyword, limit }),
      );
      result.messages = groupByRoom(hits, byId);
    }
    if (types.has('files')) {
      // Each group also names its newest file message (`messageID`): the Vue client's in-room search reads it.
      result.files = groupByRoom(await this.fileHits(appId, principals, rooms, keyword, limit), byId).map((group) => ({
        ...group,
        messageID: group.messages[0],
      }));
    }
    const lower = keyword.toLowerCase();
    const contains = (text: unknown) => typeof text === 'string' && text.toLowerCase().includes(lower);
    if (types.has('roomName')) result.roomName = rooms.filter((room) => contains(room.name)).map(roomSummary);
    if (types.has('roomTags')) result.roomTags = rooms.filter((room) => room.roomTags.some(contains)).map(roomSummary);
    if (types.has('roomMember')) result.roomMember = await this.roomsWithMember(appId, rooms, contains);
    if (types.has('roomPrefTags') || types.has('roomPrefFolder')) {
      const states = await this.deps.readStates.readStates(
        appId,
        rooms.map((room) => room.id),
        userId,
        groupsAmongPrincipals(principals, userId),
      );
      const pref = (room: Room) => states.get(room.id)?.pref ?? {};
      if (types.has('roomPrefTags'))
        result.roomPrefTags = rooms.filter((room) => asArray(pref(room).tags).some(contains)).map(roomSummary);
      if (types.has('roomPrefFolder'))
        result.roomPrefFolder = rooms.filter((room) => contains(pref(room).folder)).map(roomSummary);
    }
    for (const type of unknown) result[type] = [];
    return result;
  }

  /**
   * File messages (FILE_MESSAGE_TYPES) of these rooms whose file name, extension or media type
   * contains the keyword, newest first: found through the text index, then checked by name.
   */
  private async fileHits(appId: string, principals: string[], rooms: Room[], keyword: string, limit: number) {
    const roomIds = rooms.map((room) => room.id);
    const candidates = new Map<string, { id: string; roomId: string; seq: number }>();
    for (const indexKeyword of fileIndexKeywords(keyword)) {
      const hits = await this.deps.messagesRepository.search({
        appId,
        roomIds,
        keyword: indexKeyword,
        limit: limit * FILE_CANDIDATES_PER_HIT,
        messageTypes: FILE_MESSAGE_TYPES,
      });
      for (const hit of hits) candidates.set(hit.id, hit);
    }
    const readable = await this.readable(
      appId,
      principals,
      rooms,
      [...candidates.values()].sort((a, b) => b.seq - a.seq),
    );
    const contents = new Map(
      (
        await this.deps.messagesRepository.findMany(
          appId,
          readable.map((hit) => hit.id),
        )
      ).map((message) => [message.id, message.content]),
    );
    return readable
      .filter((hit) => {
        const content = contents.get(hit.id);
        return content !== undefined && fileMatches(content, keyword);
      })
      .slice(0, limit);
  }

  /** The matching messages themselves, newest first (the SDKs' `message.search` calls). */
  async messages(
    appId: string,
    userId: string,
    input: { keyword: unknown; room?: unknown; limit?: unknown },
  ): Promise<MessageView[]> {
    if (typeof input.keyword !== 'string' || input.keyword.trim() === '')
      throw new AppError('INVALID_REQUEST', 'Missing required field: message (the text to find)');
    const keyword = input.keyword.trim();
    if (keyword.length > MAX_KEYWORD)
      throw new AppError('INVALID_REQUEST', `The text to find must be at most ${MAX_KEYWORD} characters`);
    const limit = readLimit(input.limit);
    const principals = await this.deps.access.principals(appId, userId);
    let rooms = await this.deps.rooms.listForPrincipals(appId, principals, { activeOnly: false });
    if (input.room !== undefined) rooms = rooms.filter((room) => room.id === input.room);
    const hits = await this.readable(
      appId,
      principals,
      rooms,
      await this.deps.messagesRepository.search({
        appId,
        roomIds: rooms.map((room) => room.id),
        keyword,
        limit,
      }),
    );
    return this.views(appId, hits);
  }

  /** An operator's search of one room's messages, newest first: every message, whoever could read it. */
  async inRoom(appId: string, roomId: string, input: { keyword: string; limit?: number }): Promise<MessageView[]> {
    const keyword = input.keyword.trim();
    if (keyword === '') throw new AppError('INVALID_REQUEST', 'Missing required field: keyword');
    if (!(await this.deps.rooms.find(appId, roomId))) throw new AppError('ROOM_NOT_FOUND');
    const hits = await this.deps.messagesRepository.search({
      appId,
      roomIds: [roomId],
      keyword,
      limit: readLimit(input.limit),
    });
    return this.views(appId, hits);
  }

  private async views(appId: string, hits: Array<{ id: string }>): Promise<MessageView[]> {
    const found = new Map(
      (
        await this.deps.presenter.messageViews(
          appId,
          await this.deps.messagesRepository.findMany(
            appId,
            hits.map((hit) => hit.id),
          ),
        )
      ).map((view) => [view._id, view]),
    );
    return hits.map((hit) => found.get(hit.id)).filter((view): view is NonNullable<typeof view> => view !== undefined);
  }

  /** Hits the user may read: none from before they joined a 'joined' room (issue 9 item 1). */
  private async readable<T extends { roomId: string; seq: number }>(
    appId: string,
    principals: string[],
    rooms: Room[],
    hits: T[],
  ): Promise<T[]> {
    const floors = await historyFloors(
      this.deps.members,
      appId,
      principals,
      rooms.filter((room) => hits.some((hit) => hit.roomId === room.id)),
    );
    return floors.size === 0 ? hits : hits.filter((hit) => hit.seq > (floors.get(hit.roomId) ?? 0));
  }

  private async roomsWithMember(appId: string, rooms: Room[], contains: (text: unknown) => boolean) {
    const members = await this.deps.members.listMany(
      appId,
      rooms.map((room) => room.id),
    );
    const users = new Map(
      (
        await this.deps.users.findMany(appId, [...new Set([...members.values()].flat().map((member) => member.userId))])
      ).map((user) => [user.id, user]),
    );
    return rooms
      .filter((room) =>
        (members.get(room.id) ?? []).some(
          (member) => contains(member.userId) || contains(users.get(member.userId)?.nickname),
        ),
      )
      .map(roomSummary);
  }
}

/** Hits grouped by room, rooms in the order of their newest hit (spec 5.9). */
function groupByRoom(hits: ReadonlyArray<{ id: string; roomId: string }>, rooms: ReadonlyMap<string, Room>) {
  const groups = new Map<string, string[]>();
  for (const hit of hits) {
    const ids = groups.get(hit.roomId) ?? [];
    ids.push(hit.id);
    groups.set(hit.roomId, ids);
  }
  return [...groups].flatMap(([roomId, messages]) => {
    const room = rooms.get(roomId);
    return room ? [{ room: roomSummary(room), messages }] : [];
  });
}

/**
 * `type`: an array or a single string (spec 12 item 56) of well-formed names, at least one of them
 * known. A name Parley does not know is answered as `[]` rather than failing the whole search: a
 * client that adds a type (as the Vue client did with `files`) keeps every other result. Names that
 * are properties of every object (`constructor`, …) are not echoed.
 */
function readTypes(value: unknown): { known: Set<SearchType>; unknown: string[] } {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.length > MAX_TYPES ||
    !list.every((item) => typeof item === 'string' && TYPE_NAME.test(item))
  ) {
    throw new AppError('INVALID_SEARCH_TYPE');
  }
  const names = list as string[];
  const known = new Set(names.filter(isSearchType));
  if (known.size === 0) throw new AppError('INVALID_SEARCH_TYPE');
  const unknown = new Set(names.filter((name) => !isSearchType(name) && !(name in Object.prototype)));
  return { known, unknown: [...unknown] };
}

function readTags(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new AppError('INVALID_REQUEST', 'roomTags must be an array of strings');
  return value as string[];
}

function readLimit(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new AppError('INVALID_REQUEST', 'limit must be a positive whole number');
  return Math.min(value, MAX_LIMIT);
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

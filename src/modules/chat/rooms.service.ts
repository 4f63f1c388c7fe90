import type { Limits } from '../../config/config.js';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { objectId } from '../../shared/ids.js';
import type { DialectHelpers } from '../../storage/dialects/dialect.js';
import type { MembersRepository } from './members.repository.js';
import type { MessageWriter } from './message-writer.js';
import type { StoredMessage } from './messages.repository.js';
import type { WebhookOutbox } from '../webhooks/index.js';
import { userSummary } from '../users/index.js';
import type { UsersRepository } from '../users/index.js';
import { directRoomId, isDirectRoomIdShape } from './direct-room.js';
import { checkCreateFields, checkUpdateFields } from './room-field-policy.js';
import { requireSuperuser, type Actor, type RoomAccess, type RoomContext } from './room-access.js';
import type { RoomPresenter, RoomView, ViewerState } from './room-presenter.js';
import type { Db } from '../../storage/transaction.js';
import type { HistoryVisibility, Room, RoomFields, RoomsRepository } from './rooms.repository.js';

export interface RoomInput extends RoomFields {
  _id?: string;
  members?: string[];
  systemMessage?: boolean;
}

/** The application's defaults for new rooms (settings `defaultGroupOpening`, `defaultHistoryVisibility`). */
export interface RoomDefaults {
  defaultGroupOpening: 0 | 1;
  defaultHistoryVisibility: HistoryVisibility;
}

const withDefaults = (input: RoomInput, roomType: string, defaults: RoomDefaults | undefined): RoomInput => ({
  ...input,
  opening: input.opening ?? (roomType === 'group' ? defaults?.defaultGroupOpening : undefined),
  historyVisibility: input.historyVisibility ?? defaults?.defaultHistoryVisibility,
});

const MAX_ROOM_ID_LENGTH = 255;
const MAX_TAGS = 100;

export class RoomsService {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly members: MembersRepository,
    private readonly users: UsersRepository,
    private readonly access: RoomAccess,
    private readonly presenter: RoomPresenter,
    private readonly writer: MessageWriter,
    private readonly bus: EventBus,
    private readonly dialect: DialectHelpers,
    private readonly limits: Limits,
    private readonly systemUserId: string,
    private readonly outbox: WebhookOutbox,
  ) {}

  /**
   * `POST /rooms/` (spec 4.1, 12 items 28-31): custom or generated id; a direct room without an id
   * is the pair's md5 room, and creating it again answers the existing one. `join` adds the actor
   * (`POST /rooms/createAndJoin`).
   */
  async create(
    appId: string,
    actor: Actor,
    input: RoomInput,
    options: { join?: boolean; defaults?: RoomDefaults } = {},
  ): Promise<{ view: RoomView; created: boolean }> {
    const roomType = input.roomType ?? 'group';
    if (roomType !== 'direct' && roomType !== 'group')
      throw new AppError('INVALID_REQUEST', 'roomType must be "direct" or "group"');
    checkCreateFields(actor, input, roomType);
    const memberIds = [...new Set([...(input.members ?? []), ...(options.join && actor.userId ? [actor.userId] : [])])];
    if (memberIds.length > this.limits.roomMembers)
      throw new AppError('INVALID_REQUEST', `A room holds at most ${this.limits.roomMembers} members`);
    if (roomType === 'direct' && memberIds.length !== 2)
      throw new AppError('INVALID_REQUEST', 'A direct room has exactly two members');
    checkTags(input.roomTags);
    if (roomType === 'direct' && !actor.admin && (actor.userId === null || !memberIds.includes(actor.userId))) {
      throw new AppError('NOT_PERMITTED', 'A user creates only direct rooms it is one of the two members of');
    }
    const id =
      input._id ?? (roomType === 'direct' ? directRoomId(memberIds[0]!, memberIds[1]!) : await this.freeRoomId(appId));
    if (id.length === 0 || id.length > MAX_ROOM_ID_LENGTH)
      throw new AppError('INVALID_REQUEST', `_id must be 1 to ${MAX_ROOM_ID_LENGTH} characters`);
    // The API key may still name group rooms with 32-hex ids (UUIDs without dashes): it answers for them.
    const reservedForAPair = roomType === 'direct' || !actor.admin;
    if (
      reservedForAPair &&
      isDirectRoomIdShape(id) &&
      (roomType !== 'direct' || id !== directRoomId(memberIds[0]!, memberIds[1]!))
    ) {
      throw new AppError(
        'INVALID_REQUEST',
        '_id of 32 lowercase hex characters is reserved for the direct room of the pair whose md5 it is',
      );
    }
    const reuseExisting = roomType === 'direct' && input._id === undefined;
    await this.checkUsersExist(appId, [...memberIds, ...(input.owner ? [input.owner] : []), ...(input.managers ?? [])]);
    const sender = await this.systemSender(appId, actor, input.systemMessage === true);

    let outcome: { room: Room; created: boolean; systemMessage?: StoredMessage };
    try {
      outcome = await this.rooms.transaction(async (tx) => {
        const existing = await this.rooms.find(appId, id, tx);
        if (existing)
          return { room: await this.reusable(existing, memberIds, actor, reuseExisting, tx), created: false };
        const now = Date.now();
        await this.rooms.insert(appId, id, { ...withDefaults(input, roomType, options.defaults), roomType }, now, tx);
        await this.members.add(appId, id, memberIds, 0, now, tx);
        let room = (await this.rooms.find(appId, id, tx))!;
        await this.outbox.members(tx, room, 'ADD_MEMBERS', actor.userId, memberIds);
        let systemMessage: StoredMessage | undefined;
        if (input.systemMessage === true && memberIds.length > 0) {
          const users = await this.users.findMany(appId, memberIds, tx);
          const byId = new Map(users.map((user) => [user.id, user]));
          systemMessage = await this.writer.system(
            tx,
            room,
            sender,
            'addMembers',
            memberIds.map((member) => userSummary(member, byId.get(member))),
            'invitees',
          );
          room = (await this.rooms.find(appId, id, tx))!;
        }
        return { room, created: true, systemMessage };
      });
    } catch (error) {
      // Two requests created the same room at once; the pair's direct room is then simply there.
      if (!this.dialect.isUniqueViolation(error)) throw error;
      const existing = await this.rooms.find(appId, id);
      if (!existing) throw new AppError('ROOM_EXISTS');
      outcome = { room: await this.reusable(existing, memberIds, actor, reuseExisting), created: false };
    }
    const members = await this.members.list(appId, id);
    const view = this.presenter.created(outcome.room, members);
    if (outcome.room.lastMessageId) {
      const [last] = await this.presenter.messageViews(
        appId,
        await this.messagesOf(appId, [outcome.room.lastMessageId]),
      );
      if (last) view.lastMessage = last;
    }
    if (outcome.created) {
      const memberList = members.map((member) => member.userId);
      this.bus.publish('room.created', {
        appId,
        roomId: id,
        members: memberList,
        actor: actor.userId,
        room: { ...view },
      });
      if (memberList.length > 0)
        this.bus.publish('member.added', {
          appId,
          roomId: id,
          userIds: memberList,
          members: memberList,
          actor: actor.userId,
        });
      if (outcome.systemMessage) await this.announceMessage(appId, outcome.systemMessage, memberList);
    }
    return { view, created: outcome.created };
  }

  /**
   * An existing room answers a create only when it is the pair's direct room (spec 12 item 28):
   * a room of another kind or other members under that id is a conflict, and a user token sees it
   * only when its user is one of the pair.
   */
  private async reusable(existing: Room, pair: string[], actor: Actor, reuse: boolean, tx?: Db): Promise<Room> {
    if (!reuse || existing.roomType !== 'direct') throw new AppError('ROOM_EXISTS');
    const members = (await this.members.list(existing.appId, existing.id, tx)).map((member) => member.userId);
    const samePair = members.length === 2 && pair.every((id) => members.includes(id));
    if (!samePair) throw new AppError('ROOM_EXISTS');
    if (!actor.admin && (actor.userId === null || !members.includes(actor.userId))) throw new AppError('ROOM_EXISTS');
    return existing;
  }

  /** A generated id no room has taken: a client may have chosen any id before (issue 9 item 5). */
  private async freeRoomId(appId: string): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = objectId();
      if (!(await this.rooms.find(appId, id))) return id;
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'Could not draw a free room id; try again');
  }

  /** `GET /rooms/:id` (spec 4.2): members and the platform admin only. */
  async get(appId: string, actor: Actor, roomId: string): Promise<RoomView> {
    const context = await this.access.loadReadable(appId, roomId, actor);
    return this.detail(context);
  }

  /** `PUT /rooms/:id` (spec 4.3, 7.5): superusers and the platform admin. */
  async update(appId: string, actor: Actor, roomId: string, input: RoomFields): Promise<RoomView> {
    checkTags(input.roomTags);
    await this.checkUsersExist(appId, [...(input.owner ? [input.owner] : []), ...(input.managers ?? [])]);
    const members = await this.rooms.transaction(async (tx) => {
      const context = await this.access.load(appId, roomId, actor, tx);
      const freezing = input.status !== undefined;
      if (freezing)
        requireSuperuser(
          context,
          'Only room owner, manager, or platform admin can freeze room',
          'FREEZE_NOT_PERMITTED',
        );
      else requireSuperuser(context, 'Only room owner, manager, or platform admin can update room');
      checkUpdateFields(actor, input, context.isOwner);
      if (input.roomType !== undefined && input.roomType !== context.room.roomType) {
        throw new AppError('INVALID_REQUEST', 'roomType cannot be changed');
      }
      await this.rooms.update(appId, roomId, input, Date.now(), tx);
      return context.members;
    });
    const context = await this.access.load(appId, roomId, actor);
    const view = await this.detail(context);
    this.bus.publish('room.updated', {
      appId,
      roomId,
      members: members.map((member) => member.userId),
      actor: actor.userId,
      room: view,
    });
    return view;
  }

  /** `DELETE /rooms/:id` (spec 4.4, 12 item 38): the room with its messages, members and state. */
  async delete(appId: string, actor: Actor, roomId: string): Promise<{ n: number; ok: 1 }> {
    const { removed, members, unmuted } = await this.rooms.transaction(async (tx) => {
      const context = await this.access.load(appId, roomId, actor, tx);
      requireSuperuser(context, 'Only room owner, manager, or platform admin can delete room');
      const unmuted = await this.users.forgetMutedRoom(appId, roomId, tx);
      return {
        removed: await this.rooms.delete(appId, roomId, tx),
        members: context.members.map((member) => member.userId),
        unmuted,
      };
    });
    for (const userId of unmuted) this.bus.publish('user.upserted', { appId, userId });
    this.bus.publish('room.deleted', { appId, roomId, members, actor: actor.userId });
    return { n: removed, ok: 1 };
  }

  /** The room in full as `context.actor` sees it. */
  async detail(context: RoomContext): Promise<RoomView> {
    return this.presenter.detail(context.room, context.members, await this.viewerState(context));
  }

  async viewerState(context: RoomContext): Promise<ViewerState | null> {
    const userId = context.actor.userId;
    if (userId === null || (!context.isMember && context.actor.admin)) return null;
    const { room } = context;
    const [states, user] = await Promise.all([
      this.members.readStates(room.appId, [room.id], userId),
      this.users.find(room.appId, userId),
    ]);
    const state = states.get(room.id);
    return {
      unread: state?.badge ?? 0,
      muted: (user?.mute.includes(room.id) ?? false) || state?.pref?.muted === true,
      isSuperuser: context.isSuperuser,
      pref: state?.pref ?? null,
      lastRead: state?.lastReadId ?? null,
      historyFloor: context.historyFloor,
    };
  }

  /** Every id must be an existing user or group; 404 `CLIENT_NOT_FOUND` names the first unknown. */
  async checkUsersExist(appId: string, ids: string[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    for (const id of unique) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 255)
        throw new AppError('INVALID_REQUEST', 'User ids must be 1 to 255 characters');
    }
    const found = new Set((await this.users.findMany(appId, unique)).map((user) => user.id));
    const missing = unique.find((id) => !found.has(id));
    if (missing !== undefined) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${missing}' not found`);
  }

  /** The sender of system messages: the acting user, or the system robot for the platform admin. */
  async systemSender(appId: string, actor: Actor, needed: boolean): Promise<string | null> {
    if (actor.userId !== null) return actor.userId;
    if (!needed) return null;
    await this.users.ensureRobot(appId, this.systemUserId);
    this.bus.publish('user.upserted', { appId, userId: this.systemUserId });
    return this.systemUserId;
  }

  /** A system message just written, to the room's members (in order with the room's other messages). */
  async announceMessage(appId: string, stored: StoredMessage, members: string[]): Promise<void> {
    const message = await this.presenter.messageViewOf(appId, stored);
    this.bus.publish('message.created', {
      appId,
      roomId: stored.roomId,
      message,
      members,
      push: true,
      skipTotalBadge: false,
      mentions: [],
      seq: stored.seq,
      previousSeq: stored.previousSeq ?? null,
    });
  }

  private messagesOf(appId: string, ids: string[]): Promise<StoredMessage[]> {
    return this.presenter.messagesById(appId, ids);
  }
}

function checkTags(tags: string[] | undefined): void {
  if (tags === undefined) return;
  if (tags.length > MAX_TAGS) throw new AppError('INVALID_REQUEST', `A room has at most ${MAX_TAGS} tags`);
}

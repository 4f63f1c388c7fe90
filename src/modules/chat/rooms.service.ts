import type { Limits } from '../../config/config.js';
import type { ChatReads } from './chat-reads.js';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { objectId } from '../../shared/ids.js';
import { NEW_ROOM, type Member } from './members.repository.js';
import type { MembersService } from './members.service.js';
import type { StoredMessage } from './messages.repository.js';
import type { SystemMessages } from './system-messages.js';
import { checkUsersExist } from './user-checks.js';
import { written } from './written.js';
import type { RoomWebhookEvents } from './webhook-events.js';
import { directRoomId, isDirectRoomIdShape } from './direct-room.js';
import { checkCreateFields, checkUpdateFields } from './room-field-policy.js';
import { requireSuperuser, type Actor } from './room-access.js';
import type { RoomView } from './room-presenter.js';
import type { Db } from '../../storage/transaction.js';
import type { HistoryVisibility, Room, RoomFields } from './rooms.repository.js';

export interface RoomInput extends RoomFields {
  _id?: string;
  members?: string[];
  systemMessage?: boolean;
}

/** `POST /rooms/createAndJoin`: a room the caller joins, with invitees added or invited. */
export interface CreateAndJoinInput extends RoomInput {
  invitee?: string | string[];
  invitationRequired?: boolean;
}

/** The application's defaults for new rooms (settings `defaultGroupOpening`, `defaultHistoryVisibility`, `defaultInvitationRequired`). */
export interface RoomDefaults {
  defaultGroupOpening: 0 | 1;
  /** Whether `createAndJoin` invites rather than adds when the body does not say ([hist] 6.1). */
  defaultInvitationRequired?: boolean;
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
    private readonly deps: ChatReads & {
      notices: SystemMessages;
      webhookEvents: RoomWebhookEvents;
      membership: MembersService;
      bus: EventBus;
      limits: Limits;
    },
  ) {}

  /**
   * `POST /rooms/` (spec 4.1, 12 items 28-31): custom or generated id; a direct room without an id
   * is the pair's md5 room, and creating it again answers the existing one. `join` adds the actor
   * (`POST /rooms/createAndJoin`). A user token's group room also takes its user in, as owner unless
   * the body names one, so that the room is in that user's list (IMKIT's mobile SDKs create rooms so).
   * Only the API key's `POST /rooms` answers members as ids (12 items 29-30); every other create
   * answers the room in full, as `GET /rooms/:id` does, for the SDKs that read members as users.
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
    const joins = options.join === true || (!actor.admin && roomType === 'group');
    const creator = joins ? actor.userId : null;
    const answersInFull = options.join === true || !actor.admin;
    // Direct rooms stay without an owner: neither side may remove the other or delete the pair's room.
    const owner = input.owner ?? (creator !== null && !actor.admin && roomType === 'group' ? creator : undefined);
    const memberIds = [...new Set([...(input.members ?? []), ...(creator !== null ? [creator] : [])])];
    if (memberIds.length > this.deps.limits.roomMembers)
      throw new AppError('INVALID_REQUEST', `A room holds at most ${this.deps.limits.roomMembers} members`);
    if (roomType === 'direct' && memberIds.length !== 2)
      throw new AppError('INVALID_REQUEST', 'A direct room has exactly two members');
    checkTags(input.roomTags);
    if (roomType === 'direct' && !actor.admin && (actor.userId === null || !memberIds.includes(actor.userId))) {
      throw new AppError('NOT_PERMITTED', 'A user creates only direct rooms it is one of the two members of');
    }
    const [first = '', second = ''] = memberIds;
    const pairId = roomType === 'direct' ? directRoomId(first, second) : undefined;
    const id = input._id ?? pairId ?? (await this.freeRoomId(appId));
    if (id.length === 0 || id.length > MAX_ROOM_ID_LENGTH)
      throw new AppError('INVALID_REQUEST', `_id must be 1 to ${MAX_ROOM_ID_LENGTH} characters`);
    // The API key may still name group rooms with 32-hex ids (UUIDs without dashes): it answers for them.
    const reservedForAPair = roomType === 'direct' || !actor.admin;
    if (reservedForAPair && isDirectRoomIdShape(id) && id !== pairId) {
      throw new AppError(
        'INVALID_REQUEST',
        '_id of 32 lowercase hex characters is reserved for the direct room of the pair whose md5 it is',
      );
    }
    const reuseExisting = roomType === 'direct' && input._id === undefined;
    await checkUsersExist(this.deps.users, appId, [
      ...memberIds,
      ...(input.owner ? [input.owner] : []),
      ...(input.managers ?? []),
    ]);
    const sender = await this.deps.notices.sender(appId, actor, input.systemMessage === true);

    let outcome: { room: Room; created: boolean; systemMessage?: StoredMessage } | 'conflict' =
      await this.deps.rooms.transactionOrConflict(async (tx) => {
        const existing = await this.deps.rooms.find(appId, id, tx);
        if (existing)
          return { room: await this.reusable(existing, memberIds, actor, reuseExisting, tx), created: false };
        const now = Date.now();
        await this.deps.rooms.insert(
          appId,
          id,
          { ...withDefaults(input, roomType, options.defaults), roomType, owner },
          now,
          tx,
        );
        await this.deps.members.add(appId, id, memberIds, NEW_ROOM, now, tx);
        let room = written(await this.deps.rooms.find(appId, id, tx));
        await this.deps.webhookEvents.members(tx, room, 'ADD_MEMBERS', actor.userId, memberIds);
        let systemMessage: StoredMessage | undefined;
        if (input.systemMessage === true && memberIds.length > 0) {
          systemMessage = await this.deps.notices.write(tx, room, sender, 'addMembers', memberIds, 'invitees');
          room = written(await this.deps.rooms.find(appId, id, tx));
        }
        return { room, created: true, systemMessage };
      });
    if (outcome === 'conflict') {
      // Two requests created the same room at once; the pair's direct room is then simply there.
      const existing = await this.deps.rooms.find(appId, id);
      if (!existing) throw new AppError('ROOM_EXISTS');
      outcome = { room: await this.reusable(existing, memberIds, actor, reuseExisting), created: false };
    }
    const context = await this.deps.access.load(appId, id, actor);
    const detail = await this.deps.presenter.detailFor(context);
    const view = answersInFull ? detail : await this.createdForm(outcome.room, context.members);
    if (outcome.created) {
      const memberList = context.members.map((member) => member.userId);
      // Pushed as the `room` event: members as users there too (fan-out drops the viewer's fields).
      this.deps.bus.publish('room.created', {
        appId,
        roomId: id,
        members: memberList,
        actor: actor.userId,
        room: { ...detail },
      });
      if (memberList.length > 0)
        this.deps.bus.publish('member.added', {
          appId,
          roomId: id,
          userIds: memberList,
          members: memberList,
          actor: actor.userId,
        });
      if (outcome.systemMessage) await this.deps.notices.announce(appId, outcome.systemMessage, memberList);
    }
    return { view, created: outcome.created };
  }

  /** The API key's `POST /rooms` answer: stored fields, members as ids, the system message expanded. */
  private async createdForm(room: Room, members: Member[]): Promise<RoomView> {
    const view = this.deps.presenter.created(room, members);
    if (room.lastMessageId) {
      const [last] = await this.deps.presenter.messageViews(
        room.appId,
        await this.deps.presenter.messagesById(room.appId, [room.lastMessageId]),
      );
      if (last) view.lastMessage = last;
    }
    return view;
  }

  /**
   * `POST /rooms/createAndJoin` (spec 13, [hist] 5.1): the caller joins now; invitees too, or when
   * they accept. Answers the room in full (history 5.1).
   */
  async createAndJoin(
    appId: string,
    actor: Actor & { userId: string },
    body: CreateAndJoinInput,
    defaults: RoomDefaults | undefined,
  ): Promise<RoomView> {
    const { invitee, invitationRequired, ...input } = body;
    const invitees = [...(input.members ?? []), ...(invitee === undefined ? [] : [invitee].flat())];
    // Invitations (group rooms only, spec 4.6): the caller joins now, the invitees when they accept.
    if ((invitationRequired ?? defaults?.defaultInvitationRequired) === true && input.roomType !== 'direct') {
      const { view } = await this.create(appId, actor, { ...input, members: [] }, { join: true, defaults });
      const others = invitees.filter((id) => id !== actor.userId);
      if (others.length === 0) return view;
      return this.deps.membership.add(appId, actor, view._id, { invitees: others, invitationRequired: true });
    }
    return (await this.create(appId, actor, { ...input, members: invitees }, { join: true, defaults })).view;
  }

  /**
   * An existing room answers a create only when it is the pair's direct room (spec 12 item 28):
   * a room of another kind or other members under that id is a conflict, and a user token sees it
   * only when its user is one of the pair.
   */
  private async reusable(existing: Room, pair: string[], actor: Actor, reuse: boolean, tx?: Db): Promise<Room> {
    if (!reuse || existing.roomType !== 'direct') throw new AppError('ROOM_EXISTS');
    const members = (await this.deps.members.list(existing.appId, existing.id, tx)).map((member) => member.userId);
    const samePair = members.length === 2 && pair.every((id) => members.includes(id));
    if (!samePair) throw new AppError('ROOM_EXISTS');
    if (!actor.admin && (actor.userId === null || !members.includes(actor.userId))) throw new AppError('ROOM_EXISTS');
    return existing;
  }

  /** A generated id no room has taken: a client may have chosen any id before (issue 9 item 5). */
  private async freeRoomId(appId: string): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = objectId();
      if (!(await this.deps.rooms.find(appId, id))) return id;
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'Could not draw a free room id; try again');
  }

  /** `GET /rooms/:id` (spec 4.2): members and the platform admin only. */
  async get(appId: string, actor: Actor, roomId: string): Promise<RoomView> {
    const context = await this.deps.access.loadReadable(appId, roomId, actor);
    return this.deps.presenter.detailFor(context);
  }

  /** `GET /rooms/:id/exists` ([hist] 5.5): any user of the application may ask; only existence is told. */
  async exists(appId: string, roomId: string): Promise<{ exists: boolean }> {
    return { exists: (await this.deps.rooms.find(appId, roomId)) !== undefined };
  }

  /** `PUT /rooms/:id` (spec 4.3, 7.5): superusers and the platform admin. */
  async update(appId: string, actor: Actor, roomId: string, input: RoomFields): Promise<RoomView> {
    checkTags(input.roomTags);
    await checkUsersExist(this.deps.users, appId, [...(input.owner ? [input.owner] : []), ...(input.managers ?? [])]);
    const members = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
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
      await this.deps.rooms.update(appId, roomId, input, Date.now(), tx);
      return context.members;
    });
    const context = await this.deps.access.load(appId, roomId, actor);
    const view = await this.deps.presenter.detailFor(context);
    this.deps.bus.publish('room.updated', {
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
    const { removed, members, unmuted, room } = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      requireSuperuser(context, 'Only room owner, manager, or platform admin can delete room');
      const unmuted = await this.deps.users.forgetMutedRoom(appId, roomId, tx);
      return {
        removed: await this.deps.rooms.delete(appId, roomId, tx),
        members: context.members.map((member) => member.userId),
        unmuted,
        room: context.room,
      };
    });
    for (const userId of unmuted) this.deps.bus.publish('user.upserted', { appId, userId });
    const gone = await this.deps.presenter.deleted(room, members);
    this.deps.bus.publish('room.deleted', { appId, roomId, members, actor: actor.userId, room: gone });
    return { n: removed, ok: 1 };
  }
}

function checkTags(tags: string[] | undefined): void {
  if (tags === undefined) return;
  if (tags.length > MAX_TAGS) throw new AppError('INVALID_REQUEST', `A room has at most ${MAX_TAGS} tags`);
}

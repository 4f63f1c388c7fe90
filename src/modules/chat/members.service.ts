import type { Limits } from '../../config/config.js';
import type { ChatReads } from './chat-reads.js';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import type { StoredMessage } from './messages.repository.js';
import { positionOf } from './members.repository.js';
import { requireWritable, requireSuperuser, type Actor, type RoomContext } from './room-access.js';
import type { RoomView } from './room-presenter.js';
import { userSummary, userView, type UserView } from '../users/index.js';
import type { ModerationRepository } from './moderation.repository.js';
import type { SystemMessages } from './system-messages.js';
import { checkUsersExist } from './user-checks.js';
import type { RoomWebhookEvents } from './webhook-events.js';

const RESERVED_PROPERTIES = new Set(['client', 'badge', 'lastRead']);
/** Names that become a prototype when a client merges `memberProperties` into an object. */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const PROPERTY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const MAX_PROPERTIES_BYTES = 16 * 1024;

export interface AddMembersInput {
  invitees: string[];
  systemMessage?: boolean;
  invitationRequired?: boolean;
}

/** Room membership (spec 4.6-4.11, 12 items 37, 41-45). */
export class MembersService {
  constructor(
    private readonly deps: ChatReads & {
      notices: SystemMessages;
      webhookEvents: RoomWebhookEvents;
      moderation: ModerationRepository;
      bus: EventBus;
      limits: Limits;
    },
  ) {}

  /** `POST /rooms/:id/members`: adds existing users; already-members are skipped silently. */
  async add(appId: string, actor: Actor, roomId: string, input: AddMembersInput): Promise<RoomView> {
    const invitees = [...new Set(input.invitees)];
    await checkUsersExist(this.deps.users, appId, invitees);
    const sender = await this.deps.notices.sender(appId, actor, input.systemMessage === true);
    const result = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
      requireWritable(context);
      if (context.room.opening === 0 && !actor.admin && !context.isSuperuser) {
        throw new AppError('NOT_PERMITTED', 'The room is closed to new members (opening 0)');
      }
      const present = new Set(context.members.map((member) => member.userId));
      const added = invitees.filter((id) => !present.has(id));
      if (added.length === 0) return { context, added, invited: false, message: undefined, at: 0 };
      if (context.room.roomType === 'direct')
        throw new AppError('INVALID_REQUEST', 'A direct room has exactly two members');
      if (!actor.admin && (await this.deps.moderation.bannedIn(appId, roomId, added, tx)).length > 0) {
        throw new AppError('USER_BLOCKED', 'A banned user cannot be added back to this room');
      }
      if (present.size + added.length > this.deps.limits.roomMembers)
        throw new AppError('INVALID_REQUEST', `A room holds at most ${this.deps.limits.roomMembers} members`);
      const now = Date.now();
      if (input.invitationRequired === true) {
        await this.deps.members.invite(appId, roomId, added, actor.userId, now, tx);
        return { context, added, invited: true, message: undefined, at: now };
      }
      await this.deps.members.add(appId, roomId, added, positionOf(context.room), now, tx);
      await this.deps.members.removeInvitations(appId, roomId, added, tx);
      await this.deps.webhookEvents.members(tx, context.room, 'ADD_MEMBERS', actor.userId, added);
      let message: StoredMessage | undefined;
      if (input.systemMessage === true) {
        message = await this.deps.notices.write(tx, context.room, sender, 'addMembers', added, 'invitees');
      }
      return { context, added, invited: false, message, at: now };
    });
    const fresh = await this.deps.access.load(appId, roomId, actor);
    const everyone = fresh.members.map((member) => member.userId);
    if (result.added.length > 0) {
      if (result.invited) {
        const found = new Map(
          (await this.deps.users.findMany(appId, result.added)).map((user) => [user.id, user] as const),
        );
        this.deps.bus.publish('invitation.created', {
          appId,
          roomId,
          userIds: result.added,
          members: everyone,
          actor: actor.userId,
          inviter:
            actor.userId === null ? null : userSummary(actor.userId, await this.deps.users.find(appId, actor.userId)),
          invitees: Object.fromEntries(result.added.map((id) => [id, userSummary(id, found.get(id))])),
          invitedAt: result.at,
        });
      } else
        this.deps.bus.publish('member.added', {
          appId,
          roomId,
          userIds: result.added,
          members: everyone,
          actor: actor.userId,
        });
    }
    if (result.message) await this.deps.notices.announce(appId, result.message, everyone);
    return this.deps.presenter.detailFor(fresh);
  }

  /** `POST /rooms/:id/delete/members`: leaving is always allowed; removing others per 12 item 43. */
  async remove(
    appId: string,
    actor: Actor,
    roomId: string,
    input: { members: string[]; systemMessage?: boolean },
  ): Promise<RoomView> {
    const ids = [...new Set(input.members)];
    const sender = await this.deps.notices.sender(appId, actor, input.systemMessage === true);
    const result = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      const present = new Set(context.members.map((member) => member.userId));
      const removed = ids.filter((id) => present.has(id));
      const leaving = actor.userId !== null && removed.length === 1 && removed[0] === actor.userId;
      if (!leaving) this.checkMayRemoveOthers(context);
      if (removed.length === 0)
        throw new AppError('INVALID_REQUEST', 'None of the given users is a member of this room');
      // Without an owner anyone could remove the other side, who then could never reopen the pair's room (12 item 28).
      if (!leaving && context.room.roomType === 'direct')
        throw new AppError('INVALID_REQUEST', 'A direct room has exactly two members');
      await this.deps.members.remove(appId, roomId, removed, tx);
      await this.deps.webhookEvents.members(tx, context.room, 'DELETE_MEMBERS', actor.userId, removed);
      const type = leaving ? 'leaveRoom' : 'deleteMember';
      const written =
        input.systemMessage === true
          ? await this.deps.notices.write(tx, context.room, sender, type, removed, 'members')
          : undefined;
      return { removed, before: context.members.map((member) => member.userId), message: written };
    });
    this.deps.bus.publish('member.removed', {
      appId,
      roomId,
      userIds: result.removed,
      members: result.before,
      actor: actor.userId,
    });
    const fresh = await this.deps.access.load(appId, roomId, actor);
    if (result.message)
      await this.deps.notices.announce(
        appId,
        result.message,
        fresh.members.map((member) => member.userId),
      );
    return this.deps.presenter.detailFor(fresh);
  }

  /** `PUT /rooms/:id/member/:client` (spec 4.8-4.9, 12 item 44). */
  async updateProperty(
    appId: string,
    actor: Actor,
    roomId: string,
    client: string,
    property: string,
    value: unknown,
  ): Promise<RoomView> {
    if (RESERVED_PROPERTIES.has(property))
      throw new AppError('INVALID_REQUEST', `"${property}" is maintained by the server`);
    if (PROTOTYPE_NAMES.has(property)) throw new AppError('INVALID_REQUEST', `"${property}" cannot be a property name`);
    if (!PROPERTY_NAME.test(property))
      throw new AppError('INVALID_REQUEST', 'property must be 1 to 64 letters, digits, "_", "-" or "."');
    if (property === 'role' && value !== 'admin' && value !== 'member')
      throw new AppError('INVALID_REQUEST', 'role must be "admin" or "member"');
    const sender = await this.deps.notices.sender(appId, actor, property === 'role' && value === 'admin');
    const message = await this.deps.rooms.transaction(async (tx): Promise<StoredMessage | undefined> => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
      requireWritable(context);
      const member = context.members.find((entry) => entry.userId === client);
      if (!member) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${client}' is not a member of this room`);
      if (property === 'role') {
        requireSuperuser(context, 'Only room owner, manager, or platform admin can change member roles');
        if (member.role === value) return undefined;
        await this.deps.members.setRole(appId, roomId, client, value as 'admin' | 'member', tx);
        if (value !== 'admin') return undefined;
        return this.deps.notices.write(tx, context.room, sender, 'assignAdmin', [client], null);
      }
      if (!context.principals.includes(client))
        requireSuperuser(
          context,
          "Only the member, room owner, manager, or platform admin can change a member's properties",
        );
      const properties = { ...member.properties, [property]: value };
      if (Buffer.byteLength(JSON.stringify(properties)) > MAX_PROPERTIES_BYTES) {
        throw new AppError('INVALID_REQUEST', `A member's properties must total at most ${MAX_PROPERTIES_BYTES} bytes`);
      }
      await this.deps.members.setProperties(appId, roomId, client, properties, tx);
      return undefined;
    });
    const fresh = await this.deps.access.load(appId, roomId, actor);
    const everyone = fresh.members.map((member) => member.userId);
    this.deps.bus.publish('member.updated', { appId, roomId, userId: client, property, value, actor: actor.userId });
    if (message) await this.deps.notices.announce(appId, message, everyone);
    return this.deps.presenter.detailFor(fresh);
  }

  /** `POST /rooms/:id/join` ([hist], spec 13): accept an invitation, or join an open group room. */
  async join(appId: string, actor: Actor & { userId: string }, roomId: string): Promise<RoomView> {
    const joined = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      if (context.isMember) return false;
      requireWritable(context);
      const invited = (await this.deps.members.invitations(appId, roomId, tx)).includes(actor.userId);
      const open = context.room.roomType === 'group' && context.room.opening === 1;
      if (!invited && !open && !actor.admin)
        throw new AppError('NOT_PERMITTED', 'The room is closed to new members (opening 0)');
      if (context.members.length + 1 > this.deps.limits.roomMembers)
        throw new AppError('INVALID_REQUEST', `A room holds at most ${this.deps.limits.roomMembers} members`);
      await this.deps.members.add(appId, roomId, [actor.userId], positionOf(context.room), Date.now(), tx);
      await this.deps.members.removeInvitations(appId, roomId, [actor.userId], tx);
      await this.deps.webhookEvents.members(tx, context.room, 'JOIN_ROOM', actor.userId, [actor.userId]);
      return true;
    });
    const fresh = await this.deps.access.load(appId, roomId, actor);
    if (joined) {
      const everyone = fresh.members.map((member) => member.userId);
      this.deps.bus.publish('member.added', {
        appId,
        roomId,
        userIds: [actor.userId],
        members: everyone,
        actor: actor.userId,
      });
    }
    return this.deps.presenter.detailFor(fresh);
  }

  /**
   * `POST`/`DELETE /me/mute/:room` (spec 4.10-4.11, 12 item 45): idempotent; a room of the user's
   * own, though a room left since may still be unmuted, to clean up the list.
   */
  async setMuted(appId: string, userId: string, roomId: string, muted: boolean): Promise<UserView> {
    const context = await this.deps.access.load(appId, roomId, { admin: false, userId });
    if (!context.isMember) {
      const user = await this.deps.users.find(appId, userId);
      if (muted || !user?.mute.includes(roomId)) throw new AppError('NOT_ROOM_MEMBER');
    }
    const result = await this.deps.users.setMuted(appId, userId, roomId, muted);
    if (!result) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${userId}' not found`);
    if (result.changed) {
      this.deps.bus.publish('user.upserted', { appId, userId });
      this.deps.bus.publish('room.muted', { appId, roomId, userId, muted });
    }
    return userView(result.user);
  }

  /** The user ids of a room's members (the real-time fan-out addresses them). */
  memberIds(appId: string, roomId: string): Promise<string[]> {
    return this.deps.members.memberIds(appId, roomId);
  }

  /** A group's new users join the rooms the group is a member of (the groups module calls it). */
  seedGroupUsers(appId: string, groupId: string, userIds: readonly string[], now: number): Promise<void> {
    return this.deps.members.seedGroupUsers(appId, groupId, userIds, now);
  }

  /** Superusers and the platform admin in rooms with an owner; any member in rooms without one. */
  private checkMayRemoveOthers(context: RoomContext): void {
    if (context.actor.admin) return;
    if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
    requireWritable(context);
    if (context.room.owner !== null)
      requireSuperuser(context, 'Only room owner, manager, or platform admin can remove members');
  }
}

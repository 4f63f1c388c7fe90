import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import { iso } from '../../shared/time.js';
import { userSummary, type UserSummary } from '../users/index.js';
import type { ChatReads } from './chat-reads.js';
import type { Invitation, InvitationsRepository } from './invitations.repository.js';
import { requireWritable, type Actor } from './room-access.js';
import { roomFields, type RoomView } from './room-presenter.js';
import type { Room } from './rooms.repository.js';
import type { SystemMessages } from './system-messages.js';

/** What one viewer alone sees of a room, and messages an invitee has no right to read yet. */
const HIDDEN_FROM_INVITEES = ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead', 'lastMessage', 'pinnedMessage'];

interface Times {
  createdAt: string;
  createdAtMS: number;
  updatedAt: string;
  updatedAtMS: number;
}

/** An invitation of mine ([hist] 6.2): the invitee (me) is implied. */
export type MyInvitationView = Times & { inviter: UserSummary | null; room: RoomView; invitationID: string };
/** An invitation of a room ([hist] 6.3, 6.5): the room is implied, or given in its stored fields. */
export type RoomInvitationView = Times & { invitee: UserSummary; inviter: UserSummary | null; room?: RoomView };

export interface PageInput {
  skip?: number;
  limit?: number;
}

export interface CancelInput {
  invitees: string[];
  systemMessage?: boolean;
}

/**
 * Pending invitations ([hist] 6): listing mine or a room's, declining mine, cancelling others'. An
 * invitation is one per room and invitee, so the room's id names it (`invitationID`) for the invitee.
 */
export class InvitationsService {
  constructor(
    private readonly deps: ChatReads & {
      invitations: InvitationsRepository;
      notices: SystemMessages;
      bus: EventBus;
      pageSize: number;
    },
  ) {}

  /** `GET /rooms/invitations` ([hist] 6.2): newest first, each room in full as its members see it. */
  async mine(
    appId: string,
    userId: string,
    input: PageInput = {},
  ): Promise<{ totalCount: number; data: MyInvitationView[] }> {
    const page = await this.deps.invitations.forUser(appId, userId, this.page(input));
    const users = await this.summaries(
      appId,
      page.data.flatMap((invitation) => (invitation.inviter === null ? [] : [invitation.inviter])),
    );
    const data: MyInvitationView[] = [];
    for (const invitation of page.data) {
      const room = await this.roomForInvitee(appId, invitation.roomId);
      if (!room) continue; // deleted meanwhile
      data.push({
        inviter: summaryOf(users, invitation.inviter),
        room,
        invitationID: invitation.roomId,
        ...times(invitation),
      });
    }
    return { totalCount: page.totalCount, data };
  }

  /** `GET /rooms/:id/invitations` ([hist] 6.3): the room's members (and superusers, the platform admin) only. */
  async ofRoom(
    appId: string,
    actor: Actor,
    roomId: string,
    input: PageInput = {},
  ): Promise<{ totalCount: number; data: RoomInvitationView[] }> {
    const context = await this.deps.access.loadReadable(appId, roomId, actor);
    return this.roomList(context.room, input);
  }

  /**
   * `DELETE /rooms/:id/invitations` ([hist] 6.4): the caller's invitation to the room is gone, if it
   * had one; answers the caller's remaining invitations. Whether the room exists is not told.
   */
  async decline(appId: string, userId: string, roomId: string, input: PageInput = {}) {
    const removed = await this.deps.rooms.transaction((tx) =>
      this.deps.invitations.remove(appId, roomId, [userId], tx),
    );
    this.announce(appId, roomId, removed, userId, 'declined');
    return this.mine(appId, userId, input);
  }

  /**
   * `POST /rooms/:id/delete/invitations` ([hist] 6.5, 6.6): any member may withdraw invitations;
   * users without one are skipped. Answers the room's remaining invitations.
   */
  async cancel(appId: string, actor: Actor, roomId: string, input: CancelInput) {
    const invitees = [...new Set(input.invitees)];
    if (invitees.length === 0) throw new AppError('INVALID_REQUEST', 'invitees must name at least one user');
    const notice = input.systemMessage === true;
    const sender = await this.deps.notices.sender(appId, actor, notice);
    const result = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
      requireWritable(context);
      const removed = await this.deps.invitations.remove(appId, roomId, invitees, tx);
      const message =
        notice && removed.length > 0
          ? await this.deps.notices.write(
              tx,
              context.room,
              sender,
              'cancelInvitations',
              removed.map((invitation) => invitation.userId),
              'invitees',
            )
          : undefined;
      return { context, removed, message };
    });
    this.announce(appId, roomId, result.removed, actor.userId, 'cancelled');
    if (result.message)
      await this.deps.notices.announce(
        appId,
        result.message,
        result.context.members.map((member) => member.userId),
      );
    const list = await this.roomList(result.context.room, {});
    const room = roomFields(result.context.room);
    return { totalCount: list.totalCount, data: list.data.map((entry) => ({ ...entry, room })) };
  }

  private async roomList(room: Room, input: PageInput): Promise<{ totalCount: number; data: RoomInvitationView[] }> {
    const page = await this.deps.invitations.forRoom(room.appId, room.id, this.page(input));
    const users = await this.summaries(
      room.appId,
      page.data.flatMap((invitation) => [
        invitation.userId,
        ...(invitation.inviter === null ? [] : [invitation.inviter]),
      ]),
    );
    return {
      totalCount: page.totalCount,
      data: page.data.map((invitation) => ({
        invitee: summaryOf(users, invitation.userId) as UserSummary,
        inviter: summaryOf(users, invitation.inviter),
        ...times(invitation),
      })),
    };
  }

  /** The invitees learn at once (`cancelInvitation`), on every connection of theirs. */
  private announce(
    appId: string,
    roomId: string,
    removed: Invitation[],
    actor: string | null,
    reason: 'cancelled' | 'declined',
  ): void {
    if (removed.length === 0) return;
    this.deps.bus.publish('invitation.cancelled', {
      appId,
      roomId,
      userIds: removed.map((invitation) => invitation.userId),
      invitations: removed.map((invitation) => ({ invitee: invitation.userId, inviter: invitation.inviter })),
      actor,
      reason,
    });
  }

  /** The room as the invitation push shows it: no one viewer's state, no messages. */
  private async roomForInvitee(appId: string, roomId: string): Promise<RoomView | undefined> {
    const room = await this.deps.rooms.find(appId, roomId);
    if (!room) return undefined;
    const view: Record<string, unknown> = await this.deps.presenter.detail(
      room,
      await this.deps.members.list(appId, roomId),
      null,
    );
    for (const field of HIDDEN_FROM_INVITEES) delete view[field];
    return view as RoomView;
  }

  private async summaries(appId: string, ids: string[]): Promise<Map<string, UserSummary>> {
    const unique = [...new Set(ids)];
    const found = new Map((await this.deps.users.findMany(appId, unique)).map((user) => [user.id, user]));
    return new Map(unique.map((id) => [id, userSummary(id, found.get(id))]));
  }

  private page(input: PageInput): { skip: number; limit: number } {
    const { pageSize } = this.deps;
    return { skip: input.skip ?? 0, limit: Math.min(input.limit || pageSize, pageSize) };
  }
}

function summaryOf(users: Map<string, UserSummary>, id: string | null): UserSummary | null {
  return id === null ? null : (users.get(id) ?? null);
}

/** Invitations are never edited: `updatedAt` is when the invitation was made. */
function times(invitation: Invitation): Times {
  const at = iso(invitation.createdAt);
  return { createdAt: at, createdAtMS: invitation.createdAt, updatedAt: at, updatedAtMS: invitation.createdAt };
}

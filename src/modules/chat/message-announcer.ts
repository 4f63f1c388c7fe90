import type { EventBus } from '../../events/event-bus.js';
import type { MembersRepository } from './members.repository.js';
import type { MessageView } from './message-view.js';
import type { StoredMessage } from './messages.repository.js';
import type { RoomPresenter } from './room-presenter.js';

export interface SendOptions {
  push?: boolean;
  skipTotalBadge?: boolean;
}

/** Publishes what happened to a message to its room's members, and answers the message's view. */
export class MessageAnnouncer {
  constructor(
    private readonly deps: {
      presenter: Pick<RoomPresenter, 'messageViewOf'>;
      members: Pick<MembersRepository, 'memberIds'>;
      bus: EventBus;
    },
  ) {}

  /**
   * A message just written, to `audience` (the members read in its transaction, under the room's
   * lock, or as the message's write found them; read now when not given).
   */
  async created(
    appId: string,
    message: StoredMessage,
    options: Required<SendOptions>,
    mentions: string[],
    audience?: string[],
  ): Promise<MessageView> {
    const view = await this.deps.presenter.messageViewOf(appId, message, { justWritten: true });
    const members = audience ?? (await this.deps.members.memberIds(appId, message.roomId));
    this.deps.bus.publish('message.created', {
      appId,
      roomId: message.roomId,
      message: view,
      members,
      push: options.push,
      skipTotalBadge: options.skipTotalBadge,
      mentions,
      seq: message.seq,
      previousSeq: message.previousSeq ?? null,
    });
    return view;
  }

  /** A change of a message, to `audience` (its room's members, read now when not given). */
  async changed(
    type: 'message.updated' | 'message.recalled' | 'message.pinned' | 'message.unpinned',
    appId: string,
    message: StoredMessage,
    audience?: string[],
  ): Promise<MessageView> {
    const view = await this.deps.presenter.messageViewOf(appId, message);
    this.deps.bus.publish(type, {
      appId,
      roomId: message.roomId,
      message: view,
      members: audience ?? (await this.deps.members.memberIds(appId, message.roomId)),
    });
    return view;
  }
}

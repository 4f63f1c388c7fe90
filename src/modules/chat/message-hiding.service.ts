import { AppError } from '../../core/errors.js';
import type { ChatReads } from './chat-reads.js';
import type { MessageAnnouncer } from './message-announcer.js';
import type { MessageView } from './message-view.js';
import type { MessagesRepository } from './messages.repository.js';
import { requireSuperuser, requireWritable, type Actor } from './room-access.js';
import { written } from './written.js';

export interface HiddenBySender {
  room: string;
  sender: string;
  n: number;
  messages: string[];
}

/**
 * Moderator hide/unhide (history 7.8): the room's superusers or the platform admin, as for pins
 * (history 14 item 5). A hidden message stays in every list for everyone, flagged `isHidden`;
 * each change is pushed to the members as the updated message.
 */
export class MessageHidingService {
  constructor(
    private readonly deps: Pick<ChatReads, 'rooms' | 'access' | 'presenter' | 'members'> & {
      messages: MessagesRepository;
      announcer: MessageAnnouncer;
    },
  ) {}

  /** `POST|DELETE /messages/:id/hidden`: setting the state it already has changes nothing. */
  async setHidden(appId: string, actor: Actor, messageId: string, hidden: boolean): Promise<MessageView> {
    const outcome = await this.deps.rooms.transaction(async (tx) => {
      const found = await this.deps.messages.find(appId, messageId, tx);
      if (!found) throw new AppError('MESSAGE_NOT_FOUND');
      const context = await this.deps.access.load(appId, found.roomId, actor, tx);
      // Outside the room, the message is not there at all.
      if (!context.canAccess) throw new AppError('MESSAGE_NOT_FOUND');
      requireSuperuser(
        context,
        `Only room owner, manager, or platform admin can ${hidden ? 'hide' : 'unhide'} messages`,
      );
      requireWritable(context);
      const changed = found.hidden !== hidden;
      if (changed) await this.deps.messages.setHidden(appId, messageId, hidden, Date.now(), tx);
      return { message: written(await this.deps.messages.find(appId, messageId, tx)), changed };
    });
    if (outcome.changed) return this.deps.announcer.changed('message.updated', appId, outcome.message);
    return this.deps.presenter.messageViewOf(appId, outcome.message);
  }

  /** `POST /messages/hide-by-sender-in-room` and `unhide-…`: every message of `sender` in the room. */
  async setHiddenBySender(
    appId: string,
    actor: Actor,
    roomId: string,
    sender: string,
    hidden: boolean,
  ): Promise<HiddenBySender> {
    const { changed, members } = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.loadReadable(appId, roomId, actor, tx);
      requireSuperuser(
        context,
        `Only room owner, manager, or platform admin can ${hidden ? 'hide' : 'unhide'} messages`,
      );
      requireWritable(context);
      return {
        changed: await this.deps.messages.setHiddenBySender(appId, roomId, sender, hidden, Date.now(), tx),
        members: context.members.map((member) => member.userId),
      };
    });
    if (changed.length > 0) {
      const stored = await this.deps.messages.findMany(appId, changed);
      for (const message of stored) await this.deps.announcer.changed('message.updated', appId, message, members);
    }
    return { room: roomId, sender, n: changed.length, messages: changed };
  }
}

import { AppError } from '../../core/errors.js';
import type { ChatReads } from './chat-reads.js';
import type { MessageAnnouncer } from './message-announcer.js';
import type { MessageView } from './message-view.js';
import type { MessagesRepository } from './messages.repository.js';
import type { ReactionsRepository } from './reactions.repository.js';
import { requireWritable, type Actor } from './room-access.js';
import { written } from './written.js';
import type { Db } from '../../storage/transaction.js';

/** Reactions to messages (history 7.7): add or revoke one, answered and pushed as the updated message. */
export class ReactionsService {
  constructor(
    private readonly deps: Pick<ChatReads, 'rooms' | 'access' | 'presenter'> & {
      messages: MessagesRepository;
      reactions: ReactionsRepository;
      announcer: MessageAnnouncer;
    },
  ) {}

  /** Adding a reaction the user already holds changes nothing; a user may hold several different ones. */
  add(appId: string, actor: Actor & { userId: string }, messageId: string, reaction: string): Promise<MessageView> {
    return this.change(appId, actor, messageId, (now, tx) =>
      this.deps.reactions.add(appId, messageId, actor.userId, reaction, now, tx),
    );
  }

  /** Revoking a reaction the user does not hold changes nothing. */
  remove(appId: string, actor: Actor & { userId: string }, messageId: string, reaction: string): Promise<MessageView> {
    return this.change(appId, actor, messageId, (_now, tx) =>
      this.deps.reactions.remove(appId, messageId, actor.userId, reaction, tx),
    );
  }

  private async change(
    appId: string,
    actor: Actor & { userId: string },
    messageId: string,
    apply: (now: number, tx: Db) => Promise<boolean>,
  ): Promise<MessageView> {
    const outcome = await this.deps.rooms.transaction(async (tx) => {
      const found = await this.deps.messages.find(appId, messageId, tx);
      if (!found) throw new AppError('MESSAGE_NOT_FOUND');
      const context = await this.deps.access.load(appId, found.roomId, actor, tx);
      // Outside the room, or before where a late joiner's history starts, the message is not there at all.
      if (!context.canAccess || found.seq <= context.historyFloor) throw new AppError('MESSAGE_NOT_FOUND');
      if (!context.isMember) throw new AppError('NOT_ROOM_MEMBER');
      requireWritable(context);
      const now = Date.now();
      const changed = await apply(now, tx);
      if (changed) await this.deps.messages.touch(appId, messageId, now, tx);
      return { message: written(await this.deps.messages.find(appId, messageId, tx)), changed };
    });
    if (outcome.changed) return this.deps.announcer.changed('message.updated', appId, outcome.message);
    return this.deps.presenter.messageViewOf(appId, outcome.message);
  }
}

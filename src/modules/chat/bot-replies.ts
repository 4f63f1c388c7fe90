import type { Limits } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import { findInputProblem } from '../../shared/input-guard.js';
import type { ChatReads } from './chat-reads.js';
import { userIdsOf } from './members.repository.js';
import type { DraftCensor } from './draft-censor.js';
import { readDraft, type MessageDraft } from './message-input.js';
import type { MessageAnnouncer } from './message-announcer.js';
import type { MessageWriter } from './message-writer.js';

/** What a room's webhook answers (spec 11.3): its bot state, and a message from one of its robots. */
export class BotReplyService {
  constructor(
    private readonly deps: ChatReads & {
      writer: MessageWriter;
      bus: EventBus;
      limits: Limits;
      censor: DraftCensor;
      announcer: MessageAnnouncer;
    },
  ) {}

  /**
   * A webhook's answer (spec 11.3), in a room whose `botMode` is on: `toBotState` moves the room's
   * bot state, `data` is sent as a message from `senderID` (default: the room's first robot member).
   * `senderID` must name a robot member of the room: the receiver speaks for the room's bots, never
   * for its people. A malformed or refused answer is dropped, and the reason returned for the
   * delivery log; a reply never goes back to the webhook.
   */
  async applyBotReply(appId: string, roomId: string | null, text: string): Promise<string | undefined> {
    if (roomId === null || text.trim() === '') return undefined;
    let reply: { senderID?: unknown; toBotState?: unknown; data?: unknown };
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch {
      return 'reply ignored: not JSON';
    }
    if (reply === null || typeof reply !== 'object') return 'reply ignored: not a JSON object';
    if (findInputProblem(reply) !== undefined) return 'reply ignored: it holds a NUL character or nests too deeply';
    const room = await this.deps.rooms.find(appId, roomId);
    if (!room?.botMode) return undefined;
    const members = await this.deps.members.memberIds(appId, roomId);
    if (typeof reply.toBotState === 'string' && reply.toBotState !== room.botState) {
      await this.deps.rooms.transaction((tx) =>
        this.deps.rooms.update(appId, roomId, { botState: reply.toBotState as string }, Date.now(), tx),
      );
      this.deps.bus.publish('room.updated', { appId, roomId, members, actor: null });
    }
    if (reply.data === null || typeof reply.data !== 'object' || Array.isArray(reply.data)) return undefined;
    const robots = (await this.deps.users.findMany(appId, members))
      .filter((user) => user.isRobot)
      .map((user) => user.id);
    if (reply.senderID !== undefined && reply.senderID !== null && typeof reply.senderID !== 'string')
      return 'reply refused: senderID is not a string';
    const senderId = typeof reply.senderID === 'string' ? reply.senderID : members.find((id) => robots.includes(id));
    if (senderId === undefined) return 'reply refused: the room has no robot member to send it';
    if (!robots.includes(senderId)) return 'reply refused: senderID is not a robot member of the room';
    let draft: MessageDraft;
    try {
      draft = await this.deps.censor.censored(
        appId,
        readDraft(reply.data as Record<string, unknown>, this.deps.limits.messageBytes),
      );
    } catch (error) {
      return `reply ignored: ${error instanceof AppError ? error.message : 'invalid message'}`;
    }
    const sent = await this.deps.rooms.transaction(async (tx) => {
      const locked = await this.deps.rooms.findForUpdate(appId, roomId, tx);
      if (!locked) return undefined;
      // Membership may have changed since the check above: the sender must still be in the room.
      const current = userIdsOf(await this.deps.access.membersOf(locked, tx));
      if (!current.includes(senderId)) return undefined;
      return {
        stored: await this.deps.writer.write(tx, locked, senderId, draft, { fromWebhook: true }),
        members: current,
      };
    });
    if (!sent) return 'reply refused: senderID is not a robot member of the room';
    await this.deps.announcer.created(
      appId,
      sent.stored,
      { push: true, skipTotalBadge: false },
      draft.mentions,
      sent.members,
    );
    return undefined;
  }
}

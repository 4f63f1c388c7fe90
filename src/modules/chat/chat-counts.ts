import type { MessagesRepository } from './messages.repository.js';
import type { RoomsRepository } from './rooms.repository.js';

/** The chat's figures for the statistics report (spec 9.2). */
export class ChatCounts {
  constructor(private readonly deps: { rooms: RoomsRepository; messages: MessagesRepository }) {}

  /** Rooms of the application, every one. */
  rooms(appId: string): Promise<number> {
    return this.deps.rooms.count(appId);
  }

  /** Rooms with a message in `[start, end]`. */
  activeRooms(appId: string, start: number, end: number): Promise<number> {
    return this.deps.rooms.countActive(appId, start, end);
  }

  /** Messages sent in `[start, end]`. */
  messages(appId: string, start: number, end: number): Promise<number> {
    return this.deps.messages.count(appId, undefined, start, end);
  }

  /** Messages sent per minute in `[start, end]`, busy minutes only. */
  messagesPerMinute(appId: string, start: number, end: number): Promise<Array<{ minute: number; count: number }>> {
    return this.deps.messages.perMinute(appId, start, end);
  }
}

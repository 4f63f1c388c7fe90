import { iso } from '../../shared/time.js';
import type { UserSummary } from '../users/index.js';
import type { StoredMessage } from './messages.repository.js';
import type { Reaction } from './reactions.repository.js';

export type MessageView = Record<string, unknown> & {
  _id: string;
  id: string;
  room: string;
  messageType: string;
  appID: string;
  messageTimeMS: number;
  createdAtMS: number;
  updatedAtMS: number;
};

/** Fields Parley manages on a message; a sender cannot set them. */
export const MANAGED_MESSAGE_FIELDS = new Set([
  '_id',
  'id',
  '__v',
  'room',
  'sender',
  'appID',
  'messageType',
  'push',
  'skipTotalBadge',
  'messageTime',
  'messageTimeMS',
  'createdAt',
  'createdAtMS',
  'updatedAt',
  'updatedAtMS',
  'reactions',
  'reactionCount',
  'pinned',
  'isPined',
  'isDeleted',
  'isHidden',
  'batchID',
  'status',
]);

/**
 * The message object of spec 1.9: the sender's own fields as stored, then the managed ones.
 * `sender` is a user summary, except in the `POST /messages` response, which carries the id (12 item 47).
 */
export function messageView(
  message: StoredMessage,
  sender: UserSummary | string | null,
  reactions: Reaction[] = [],
): MessageView {
  const view: MessageView = {
    ...message.content,
    _id: message.id,
    id: message.id,
    room: message.roomId,
    message: message.content.message ?? '',
    messageType: message.messageType,
    sender,
    appID: message.appId,
    messageTime: iso(message.createdAt),
    messageTimeMS: message.createdAt,
    createdAt: iso(message.createdAt),
    createdAtMS: message.createdAt,
    updatedAt: iso(message.updatedAt),
    updatedAtMS: message.updatedAt,
    reactions,
    reactionCount: reactions.length,
    pinned: message.pinned,
    isPined: message.pinned,
    __v: 0,
  };
  if (message.batchId !== null) view.batchID = message.batchId;
  // Only while hidden: an unhidden message reads as any other.
  if (message.hidden) view.isHidden = true;
  else delete view.isHidden;
  return view;
}

/** What search matches: a string `message` and every string inside `extra` (spec 5.9). */
export function searchableText(content: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof content.message === 'string') parts.push(content.message);
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8) return;
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else if (value !== null && typeof value === 'object')
      for (const item of Object.values(value)) walk(item, depth + 1);
  };
  walk(content.extra, 0);
  return parts.join('\n');
}

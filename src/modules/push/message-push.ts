import type { DomainEvents } from '../../events/event-bus.js';

/** What a message's push shows of its room. */
export interface RoomFact {
  name: string;
  roomTags: string[];
  encrypted: boolean;
}

const MAX_TEXT = 200;

/**
 * What is recorded of a new message for its push, as IMKIT sent it (spec 10.2, history 11.5): the
 * sender's nickname as title, the text as body and `loc-args`, `im_loc_<messageType>`, the room's
 * name and tags, the message itself. An encrypted message's text is ciphertext meant for its
 * members only: its push shows `im_loc_encrypted` and no text (history 11.7).
 */
export function messagePushPayload(
  event: DomainEvents['message.created'],
  room: RoomFact | null,
  recipients: readonly string[],
): Record<string, unknown> {
  const { message } = event;
  const senderId = (message.sender as { _id?: string } | null)?._id ?? null;
  const nickname = (message.sender as { nickname?: string } | null)?.nickname || senderId || '';
  const encrypted = message.messageType === 'encrypted' || room?.encrypted === true;
  const text = encrypted || typeof message.message !== 'string' ? '' : message.message.slice(0, MAX_TEXT);
  return {
    type: 'message',
    title: nickname,
    body: text,
    'loc-key': encrypted ? 'im_loc_encrypted' : `im_loc_${String(message.messageType)}`,
    'loc-args': [nickname, text],
    room: event.roomId,
    roomName: room?.name ?? '',
    roomTags: room?.roomTags ?? [],
    messageId: message._id,
    mentioned: event.mentions.filter((id) => recipients.includes(id)),
    message,
  };
}

import { AppError } from '../../core/errors.js';
import { MANAGED_MESSAGE_FIELDS, searchableText } from './message-view.js';

export interface MessageDraft {
  messageType: string;
  /** `message` and every field of the sender's own, as they will be stored. */
  content: Record<string, unknown>;
  mentions: string[];
  searchText: string;
}

const MAX_TYPE_LENGTH = 64;
const MAX_MENTIONS = 1000;
const MESSAGE_ID = /^[0-9a-f]{24}$/;

export const isMessageId = (value: string): boolean => MESSAGE_ID.test(value);

/**
 * Reads a message as a sender supplied it (spec 1.9-1.10): `messageType` is free text, `message`
 * any JSON value but null (12 item 46), unknown fields are kept, managed ones dropped.
 */
export function readDraft(
  body: Record<string, unknown>,
  maxBytes: number,
  options: { requireMessage: boolean },
): MessageDraft {
  const messageType = body.messageType;
  if (messageType === undefined || messageType === null || messageType === '')
    throw new AppError('INVALID_REQUEST', 'Missing required field: messageType');
  if (typeof messageType !== 'string') throw new AppError('INVALID_REQUEST', 'messageType must be a string');
  if (messageType.length > MAX_TYPE_LENGTH)
    throw new AppError('INVALID_REQUEST', `messageType must be at most ${MAX_TYPE_LENGTH} characters`);
  if (body.message === null || (options.requireMessage && body.message === undefined)) {
    throw new AppError('INVALID_REQUEST', 'Missing required field: message');
  }
  const mentions = readMentions(body.mentions);
  const content: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!MANAGED_MESSAGE_FIELDS.has(name) && value !== undefined) content[name] = value;
  }
  if (content.message === undefined) content.message = '';
  checkSize(content, maxBytes);
  return { messageType, content, mentions, searchText: searchableText(content) };
}

export function checkSize(content: Record<string, unknown>, maxBytes: number): void {
  if (Buffer.byteLength(JSON.stringify(content)) > maxBytes) {
    throw new AppError('INVALID_REQUEST', `A message must be at most ${maxBytes} bytes of JSON`);
  }
}

function readMentions(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new AppError('INVALID_REQUEST', 'mentions must be an array of user ids');
  }
  if (value.length > MAX_MENTIONS) throw new AppError('INVALID_REQUEST', `mentions holds at most ${MAX_MENTIONS} ids`);
  return [...new Set(value as string[])];
}

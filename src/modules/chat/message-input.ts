import { AppError } from '../../core/errors.js';
import { MANAGED_MESSAGE_FIELDS, searchableText } from './message-view.js';

export interface MessageDraft {
  messageType: string;
  /** `message` and every field of the sender's own, as they will be stored. */
  content: Record<string, unknown>;
  mentions: string[];
  searchText: string;
}

/** The fields an edit without `messageType` changes (the Vue client's `{_id, message}`); the rest stay. */
export interface MessagePatch {
  content: Record<string, unknown>;
}

const MAX_TYPE_LENGTH = 64;
const MAX_MENTIONS = 1000;
const MESSAGE_ID = /^[0-9a-f]{24}$/;

export const isMessageId = (value: string): boolean => MESSAGE_ID.test(value);

/**
 * What a media message carries instead of `message` (spec 1.10, other-clients 1.5: Flutter and iOS
 * send images and videos with no `message`): any one of these groups, every field of it filled.
 * Other types (text, url, announcement, custom ones) carry `message` (12 item 46).
 */
const OWN_CONTENT: Readonly<Record<string, readonly (readonly string[])[]>> = {
  image: [['originalUrl'], ['images']],
  video: [['originalUrl']],
  audio: [['originalUrl']],
  file: [['originalUrl'], ['url']],
  sticker: [['sticker']],
  location: [['latitude', 'longitude']],
  flex: [['contents'], ['template']],
};

/** JSON null reads as absent: Flutter sends null for every field it has no value for (other-clients 1.3). */
const isAbsent = (value: unknown): boolean => value === undefined || value === null;

const isFilled = (value: unknown): boolean =>
  !isAbsent(value) && value !== '' && !(Array.isArray(value) && value.length === 0);

/** True when the body names a type; an edit without one keeps the stored message's type. */
export const hasMessageType = (body: Record<string, unknown>): boolean =>
  !isAbsent(body.messageType) && body.messageType !== '';

/**
 * Reads a message as a sender supplied it (spec 1.9-1.10): `messageType` is free text, the content
 * `message` (any JSON value) or the type's own fields, unknown fields are kept, managed ones dropped.
 */
export function readDraft(body: Record<string, unknown>, maxBytes: number): MessageDraft {
  const messageType = body.messageType;
  if (!hasMessageType(body)) throw new AppError('INVALID_REQUEST', 'Missing required field: messageType');
  if (typeof messageType !== 'string') throw new AppError('INVALID_REQUEST', 'messageType must be a string');
  if (messageType.length > MAX_TYPE_LENGTH)
    throw new AppError('INVALID_REQUEST', `messageType must be at most ${MAX_TYPE_LENGTH} characters`);
  const mentions = readMentions(body.mentions);
  const content = senderFields(body);
  return completed(messageType, content, mentions, maxBytes);
}

/** Reads an edit that names no `messageType`: the fields it gives, null ones left out. */
export function readPatch(body: Record<string, unknown>): MessagePatch {
  readMentions(body.mentions);
  const content = senderFields(body);
  for (const [name, value] of Object.entries(content)) if (value === null) delete content[name];
  if (Object.keys(content).length === 0) throw new AppError('INVALID_REQUEST', 'Missing required field: message');
  return { content };
}

/** The stored message with the patch's fields written over it, type kept. */
export function applyPatch(
  stored: { messageType: string; content: Record<string, unknown> },
  patch: MessagePatch,
  maxBytes: number,
): MessageDraft {
  const content = { ...stored.content, ...patch.content };
  return completed(stored.messageType, content, readMentions(content.mentions), maxBytes);
}

export function checkSize(content: Record<string, unknown>, maxBytes: number): void {
  if (Buffer.byteLength(JSON.stringify(content)) > maxBytes) {
    throw new AppError('INVALID_REQUEST', `A message must be at most ${maxBytes} bytes of JSON`);
  }
}

/** Every field but the managed ones; a null `message` is no message. */
function senderFields(body: Record<string, unknown>): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!MANAGED_MESSAGE_FIELDS.has(name) && value !== undefined) content[name] = value;
  }
  if (content.message === null) delete content.message;
  return content;
}

function completed(
  messageType: string,
  content: Record<string, unknown>,
  mentions: string[],
  maxBytes: number,
): MessageDraft {
  requireContent(messageType, content);
  if (content.message === undefined) content.message = '';
  checkSize(content, maxBytes);
  return { messageType, content, mentions, searchText: searchableText(content) };
}

/** A message says something: its `message`, or for a media type that type's own fields. */
function requireContent(messageType: string, content: Record<string, unknown>): void {
  if (!isAbsent(content.message)) return;
  const groups = Object.hasOwn(OWN_CONTENT, messageType) ? OWN_CONTENT[messageType] : undefined;
  if (groups === undefined) throw new AppError('INVALID_REQUEST', 'Missing required field: message');
  if (groups.some((fields) => fields.every((field) => isFilled(content[field])))) return;
  const alternatives = groups.map((fields) => fields.join(' and ')).join(' or ');
  throw new AppError(
    'INVALID_REQUEST',
    `Missing required field: message (${messageType} messages may carry ${alternatives} instead)`,
  );
}

function readMentions(value: unknown): string[] {
  if (isAbsent(value)) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new AppError('INVALID_REQUEST', 'mentions must be an array of user ids');
  }
  if (value.length > MAX_MENTIONS) throw new AppError('INVALID_REQUEST', `mentions holds at most ${MAX_MENTIONS} ids`);
  return [...new Set(value as string[])];
}

/**
 * The Flutter SDK's models (other-clients.md 1.4) as their generated `fromJson` casts them: a field
 * of the wrong type throws as Dart's `as` does, so a test fails where the phone would.
 */

type Json = Record<string, unknown>;
type DartType = 'String' | 'int' | 'num' | 'bool' | 'Map<String, dynamic>' | 'List<dynamic>';

export class DartCastError extends TypeError {
  override name = 'DartCastError';
}

function dartTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'Null';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (Array.isArray(value)) return 'List<dynamic>';
  return '_Map<String, dynamic>';
}

function fits(value: unknown, type: DartType): boolean {
  switch (type) {
    case 'String':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value);
    case 'num':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'List<dynamic>':
      return Array.isArray(value);
    case 'Map<String, dynamic>':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

/** `value as T` (required) or `value as T?` (nullable). */
function cast(value: unknown, type: DartType, path: string, nullable: boolean): unknown {
  if ((value === null || value === undefined) && nullable) return undefined;
  if (!fits(value, type))
    throw new DartCastError(`${path}: type '${dartTypeOf(value)}' is not a subtype of type '${type}' in type cast`);
  return value;
}

const req = (json: Json, key: string, path: string) => cast(json[key], 'String', `${path}.${key}`, false) as string;
const str = (json: Json, key: string, path: string) =>
  cast(json[key], 'String', `${path}.${key}`, true) as string | undefined;
const int = (json: Json, key: string, path: string) =>
  cast(json[key], 'int', `${path}.${key}`, true) as number | undefined;
const num = (json: Json, key: string, path: string) =>
  cast(json[key], 'num', `${path}.${key}`, true) as number | undefined;
const bool = (json: Json, key: string, path: string) =>
  cast(json[key], 'bool', `${path}.${key}`, true) as boolean | undefined;
export const asMap = (value: unknown, path: string) => cast(value, 'Map<String, dynamic>', path, false) as Json;

/** `(json[key] as List?)?.map((e) => item(e)).toList()` */
function list<T>(json: Json, key: string, path: string, item: (value: unknown, path: string) => T): T[] | undefined {
  const values = cast(json[key], 'List<dynamic>', `${path}.${key}`, true) as unknown[] | undefined;
  return values?.map((value, index) => item(value, `${path}.${key}[${index}]`));
}
const stringItem = (value: unknown, path: string) => cast(value, 'String', path, false) as string;
/** `json[key] == null ? null : Model.fromJson(json[key] as Map<String, dynamic>)` */
function nested<T>(json: Json, key: string, path: string, model: (value: unknown, path: string) => T): T | undefined {
  return json[key] === null || json[key] === undefined ? undefined : model(json[key], `${path}.${key}`);
}

/** `IMClient`: the token answer of `POST /auths/sign/v2`. */
export interface IMClient {
  id: string;
  token: string;
  nickname?: string;
  avatarUrl?: string;
}
export function parseClient(value: unknown, path = 'client'): IMClient {
  const json = asMap(value, path);
  return {
    id: req(json, 'id', path),
    token: req(json, 'token', path),
    nickname: str(json, 'nickname', path),
    avatarUrl: str(json, 'avatarUrl', path),
  };
}

export interface IMUser {
  id: string;
  nickname?: string;
  description?: string;
  avatarUrl?: string;
  lastLoginTimeMS?: number;
}
export function parseUser(value: unknown, path = 'user'): IMUser {
  const json = asMap(value, path);
  return {
    id: req(json, '_id', path),
    nickname: str(json, 'nickname', path),
    description: str(json, 'description', path),
    avatarUrl: str(json, 'avatarUrl', path),
    lastLoginTimeMS: int(json, 'lastLoginTimeMS', path),
  };
}

export interface IMMemberProperty {
  client: string;
  badge?: number;
  lastRead?: string;
}
export function parseMemberProperty(value: unknown, path = 'memberProperty'): IMMemberProperty {
  const json = asMap(value, path);
  return { client: req(json, 'client', path), badge: int(json, 'badge', path), lastRead: str(json, 'lastRead', path) };
}

export interface IMImage {
  originalUrl?: string;
  thumbnailUrl?: string;
  width?: number;
  height?: number;
}
function parseImage(value: unknown, path: string): IMImage {
  const json = asMap(value, path);
  return {
    originalUrl: str(json, 'originalUrl', path),
    thumbnailUrl: str(json, 'thumbnailUrl', path),
    width: num(json, 'width', path),
    height: num(json, 'height', path),
  };
}

/** The file fields a file, audio or video message keeps in `extra`, a JSON string it decodes. */
export interface IMFile {
  fileName?: string;
  fileExtension?: string;
  mimeType?: string;
  bytes?: number;
}
function parseFileExtra(value: unknown, path: string): IMFile | undefined {
  const text = cast(value, 'String', path, true) as string | undefined;
  if (text === undefined || text === '') return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    throw new DartCastError(`${path}: FormatException: not JSON`);
  }
  const json = asMap(decoded, path);
  return {
    fileName: str(json, 'fileName', path),
    fileExtension: str(json, 'fileExtension', path),
    mimeType: str(json, 'mimeType', path),
    bytes: num(json, 'bytes', path),
  };
}

const FILE_TYPES = new Set(['file', 'audio', 'video']);

export interface IMMessage {
  id: string;
  room?: string;
  messageType?: string;
  sender?: IMUser;
  createdAtMS?: number;
  updatedAtMS?: number;
  text?: string;
  mentions?: string[];
  images?: IMImage[];
  originalUrl?: string;
  thumbnailUrl?: string;
  width?: number;
  height?: number;
  file?: IMFile;
  duration?: number;
}
export function parseMessage(value: unknown, path = 'message'): IMMessage {
  const json = asMap(value, path);
  const messageType = str(json, 'messageType', path);
  return {
    id: req(json, '_id', path),
    room: str(json, 'room', path),
    messageType,
    sender: nested(json, 'sender', path, parseUser),
    createdAtMS: int(json, 'createdAtMS', path),
    updatedAtMS: int(json, 'updatedAtMS', path),
    // System messages keep their own shapes in `message`; a text message's is its text.
    text: messageType === 'text' ? str(json, 'message', path) : undefined,
    mentions: list(json, 'mentions', path, stringItem),
    images: list(json, 'images', path, parseImage),
    originalUrl: str(json, 'originalUrl', path),
    thumbnailUrl: str(json, 'thumbnailUrl', path),
    width: num(json, 'width', path),
    height: num(json, 'height', path),
    file:
      messageType !== undefined && FILE_TYPES.has(messageType)
        ? parseFileExtra(json.extra, `${path}.extra`)
        : undefined,
    duration: num(json, 'duration', path),
  };
}

export interface IMRoomPref {
  tags?: string[];
  tagColors?: Json;
}
function parseRoomPref(value: unknown, path: string): IMRoomPref {
  const json = asMap(value, path);
  return {
    tags: list(json, 'tags', path, stringItem),
    tagColors: json.tagColors == null ? undefined : asMap(json.tagColors, `${path}.tagColors`),
  };
}

export interface IMRoom {
  id: string;
  roomType?: string;
  name?: string;
  description?: string;
  cover?: string;
  unread?: number;
  muted?: boolean;
  isMentioned?: boolean;
  pref?: IMRoomPref;
  createdTimeMS?: number;
  /** `lastMessage.createdAtMS`, else `createdTimeMS`. */
  updatedTimeMS?: number;
  lastMessage?: IMMessage;
  members?: IMUser[];
  roomTags?: string[];
  memberProperties?: IMMemberProperty[];
}
export function parseRoom(value: unknown, path = 'room'): IMRoom {
  const json = asMap(value, path);
  const lastMessage = nested(json, 'lastMessage', path, parseMessage);
  const createdTimeMS = int(json, 'createdTimeMS', path);
  return {
    id: req(json, '_id', path),
    roomType: str(json, 'roomType', path),
    name: str(json, 'name', path),
    description: str(json, 'description', path),
    cover: str(json, 'cover', path),
    unread: int(json, 'unread', path),
    muted: bool(json, 'muted', path),
    isMentioned: bool(json, 'isMentioned', path),
    pref: nested(json, 'pref', path, parseRoomPref),
    createdTimeMS,
    updatedTimeMS: lastMessage?.createdAtMS ?? createdTimeMS,
    lastMessage,
    members: list(json, 'members', path, parseUser),
    roomTags: list(json, 'roomTags', path, stringItem),
    memberProperties: list(json, 'memberProperties', path, parseMemberProperty),
  };
}

/** The upload answer: the SDK builds the file URL `{chatServerURL}/files/{bucketName}/{_id}` from it. */
export interface IMUpload {
  id: string;
  bucketName: string;
}
export function parseUpload(value: unknown, path = 'upload'): IMUpload {
  const json = asMap(value, path);
  return { id: req(json, '_id', path), bucketName: req(json, 'bucketName', path) };
}

/** Pushes (1.2): the fields each listener reads. */
export interface IMInvitation {
  room: IMRoom;
  inviter: IMUser;
  createdTimeMS: number;
  updatedTimeMS?: number;
}
export function parseInvitation(value: unknown, path = 'invitation'): IMInvitation {
  const json = asMap(value, path);
  return {
    room: parseRoom(json.room, `${path}.room`),
    inviter: parseUser(json.inviter, `${path}.inviter`),
    createdTimeMS: cast(json.createdTimeMS, 'int', `${path}.createdTimeMS`, false) as number,
    updatedTimeMS: int(json, 'updatedTimeMS', path),
  };
}

export function parseTyping(value: unknown, path = 'typing') {
  const json = asMap(value, path);
  return { room: req(json, 'room', path), sender: req(json, 'sender', path) };
}

export function parseLastRead(value: unknown, path = 'lastRead') {
  const json = asMap(value, path);
  return {
    roomID: req(json, 'roomID', path),
    memberID: req(json, 'memberID', path),
    messageID: req(json, 'messageID', path),
  };
}

export function parseCancelInvitation(value: unknown, path = 'cancelInvitation') {
  const json = asMap(value, path);
  return { room: req(json, 'room', path) };
}

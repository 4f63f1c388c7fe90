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

export const asMap = (value: unknown, path: string) => cast(value, 'Map<String, dynamic>', path, false) as Json;

/** How a generated `fromJson` reads one field of its map at `path`. */
type Field<T> = (json: Json, path: string) => T;

/** `json[key] as T` */
const required =
  <T>(type: DartType) =>
  (key: string): Field<T> =>
  (json, path) =>
    cast(json[key], type, `${path}.${key}`, false) as T;
/** `json[key] as T?` */
const optional =
  <T>(type: DartType) =>
  (key: string): Field<T | undefined> =>
  (json, path) =>
    cast(json[key], type, `${path}.${key}`, true) as T | undefined;
const req = required<string>('String');
const reqInt = required<number>('int');
const str = optional<string>('String');
const int = optional<number>('int');
const num = optional<number>('num');
const bool = optional<boolean>('bool');
const map = optional<Json>('Map<String, dynamic>');

/** `Model.fromJson(json[key] as Map<String, dynamic>)` */
const one =
  <T>(key: string, model: (value: unknown, path: string) => T): Field<T> =>
  (json, path) =>
    model(json[key], `${path}.${key}`);
/** `json[key] == null ? null : Model.fromJson(json[key] as Map<String, dynamic>)` */
const nested =
  <T>(key: string, model: (value: unknown, path: string) => T): Field<T | undefined> =>
  (json, path) =>
    json[key] === null || json[key] === undefined ? undefined : model(json[key], `${path}.${key}`);
/** `(json[key] as List?)?.map((e) => item(e)).toList()` */
const list =
  <T>(key: string, item: (value: unknown, path: string) => T): Field<T[] | undefined> =>
  (json, path) =>
    optional<unknown[]>('List<dynamic>')(key)(json, path)?.map((value, index) =>
      item(value, `${path}.${key}[${index}]`),
    );
const stringItem = (value: unknown, path: string) => cast(value, 'String', path, false) as string;

type Model<F> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** A generated `fromJson`: the value must be a map, then each field is read from it in order. */
function model<F extends Record<string, Field<unknown>>>(name: string, fields: F) {
  return (value: unknown, path = name): Model<F> => {
    const json = asMap(value, path);
    return Object.fromEntries(Object.entries(fields).map(([field, read]) => [field, read(json, path)])) as Model<F>;
  };
}

/** `IMClient`: the token answer of `POST /auths/sign/v2`. */
export const parseClient = model('client', {
  id: req('id'),
  token: req('token'),
  nickname: str('nickname'),
  avatarUrl: str('avatarUrl'),
});
export type IMClient = ReturnType<typeof parseClient>;

export const parseUser = model('user', {
  id: req('_id'),
  nickname: str('nickname'),
  description: str('description'),
  avatarUrl: str('avatarUrl'),
  lastLoginTimeMS: int('lastLoginTimeMS'),
});
export type IMUser = ReturnType<typeof parseUser>;

export const parseMemberProperty = model('memberProperty', {
  client: req('client'),
  badge: int('badge'),
  lastRead: str('lastRead'),
});
export type IMMemberProperty = ReturnType<typeof parseMemberProperty>;

/** An image's fields, which an image or video message also carries at its top level. */
const IMAGE_FIELDS = {
  originalUrl: str('originalUrl'),
  thumbnailUrl: str('thumbnailUrl'),
  width: num('width'),
  height: num('height'),
};
const parseImage = model('image', IMAGE_FIELDS);
export type IMImage = ReturnType<typeof parseImage>;

const parseFileFields = model('extra', {
  fileName: str('fileName'),
  fileExtension: str('fileExtension'),
  mimeType: str('mimeType'),
  bytes: num('bytes'),
});
/** The file fields a file, audio or video message keeps in `extra`, a JSON string it decodes. */
export type IMFile = ReturnType<typeof parseFileFields>;
function parseFileExtra(value: unknown, path: string): IMFile | undefined {
  const text = cast(value, 'String', path, true) as string | undefined;
  if (text === undefined || text === '') return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    throw new DartCastError(`${path}: FormatException: not JSON`);
  }
  return parseFileFields(decoded, path);
}

const FILE_TYPES: ReadonlySet<unknown> = new Set(['file', 'audio', 'video']);

export const parseMessage = model('message', {
  id: req('_id'),
  room: str('room'),
  messageType: str('messageType'),
  sender: nested('sender', parseUser),
  createdAtMS: int('createdAtMS'),
  updatedAtMS: int('updatedAtMS'),
  // System messages keep their own shapes in `message`; a text message's is its text.
  text: (json, path) => (json.messageType === 'text' ? str('message')(json, path) : undefined),
  mentions: list('mentions', stringItem),
  images: list('images', parseImage),
  ...IMAGE_FIELDS,
  file: (json, path) => (FILE_TYPES.has(json.messageType) ? parseFileExtra(json.extra, `${path}.extra`) : undefined),
  duration: num('duration'),
});
export type IMMessage = ReturnType<typeof parseMessage>;

const parseRoomPref = model('pref', { tags: list('tags', stringItem), tagColors: map('tagColors') });
export type IMRoomPref = ReturnType<typeof parseRoomPref>;

const parseRoomFields = model('room', {
  id: req('_id'),
  roomType: str('roomType'),
  name: str('name'),
  description: str('description'),
  cover: str('cover'),
  unread: int('unread'),
  muted: bool('muted'),
  isMentioned: bool('isMentioned'),
  pref: nested('pref', parseRoomPref),
  createdTimeMS: int('createdTimeMS'),
  lastMessage: nested('lastMessage', parseMessage),
  members: list('members', parseUser),
  roomTags: list('roomTags', stringItem),
  memberProperties: list('memberProperties', parseMemberProperty),
});
/** A room with `updatedTimeMS`: `lastMessage.createdAtMS`, else `createdTimeMS`. */
export function parseRoom(value: unknown, path = 'room') {
  const room = parseRoomFields(value, path);
  return { ...room, updatedTimeMS: room.lastMessage?.createdAtMS ?? room.createdTimeMS };
}
export type IMRoom = ReturnType<typeof parseRoom>;

/** The upload answer: the SDK builds the file URL `{chatServerURL}/files/{bucketName}/{_id}` from it. */
export const parseUpload = model('upload', { id: req('_id'), bucketName: req('bucketName') });
export type IMUpload = ReturnType<typeof parseUpload>;

/** Pushes (1.2): the fields each listener reads. */
export const parseInvitation = model('invitation', {
  room: one('room', parseRoom),
  inviter: one('inviter', parseUser),
  createdTimeMS: reqInt('createdTimeMS'),
  updatedTimeMS: int('updatedTimeMS'),
});
export type IMInvitation = ReturnType<typeof parseInvitation>;

export const parseTyping = model('typing', { room: req('room'), sender: req('sender') });

export const parseLastRead = model('lastRead', {
  roomID: req('roomID'),
  memberID: req('memberID'),
  messageID: req('messageID'),
});

export const parseCancelInvitation = model('cancelInvitation', { room: req('room') });

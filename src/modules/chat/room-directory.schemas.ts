import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, Skip } from '../../http/schemas.js';
import { MessageSchema } from './messages.schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 255 });

export const RoomDirectoryQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 256, description: "Part of the room's name, any case" })),
  user: Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'Rooms this user is a member of or banned from' }),
  ),
  skip: Type.Optional(Skip),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

const DirectoryEntry = Type.Object({
  _id: Type.String(),
  name: Type.String(),
  roomType: Type.String(),
  status: Type.Integer({ description: '1 active, 0 frozen' }),
  memberCount: Type.Integer(),
  lastMessageTimeMS: Type.Optional(Type.Number()),
  createdTimeMS: Type.Number(),
  isMember: Type.Optional(Type.Boolean({ description: 'With `user`: whether the user is a member' })),
  isBanned: Type.Optional(Type.Boolean({ description: 'With `user`: whether the user is banned from the room' })),
});

export const RoomDirectoryResponse = Envelope(ListOf(DirectoryEntry));

export const RoomIdParams = Type.Object({ id: Id });

export const RoomMessageSearchQuery = Type.Object({
  keyword: Type.String({ minLength: 1, maxLength: 256 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const RoomMessageSearchResponse = Envelope(ListOf(MessageSchema));

import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

const RoomId = Type.String({ minLength: 1, description: 'The room' });

export const UserDeleteBody = Type.Object({
  room: RoomId,
  messages: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    maxItems: 1000,
    description: 'Ids of messages of the room',
  }),
});
export const UserDeleteAllBody = Type.Object({ room: RoomId });
export const UserDeleteQuery = Type.Object({ room: RoomId });

const Deleted = {
  room: Type.String(),
  totalCount: Type.Integer({ description: 'How many messages this call deleted for the caller' }),
  messages: Type.Array(Type.String()),
};

export const UserDeleteResponse = Envelope(Type.Object(Deleted));
export const UserDeleteAllResponse = Envelope(
  Type.Object({
    n: Type.Integer({ description: 'Messages of the room matched' }),
    nModified: Type.Integer({ description: 'Of those, the ones not deleted for the caller before' }),
    ok: Type.Integer(),
    ...Deleted,
  }),
);
export const UserDeletedListResponse = Envelope(
  Type.Object({
    totalCount: Type.Integer(),
    data: Type.Array(Type.Object({ message: Type.String(), createdAt: Type.String(), updatedAt: Type.String() })),
  }),
);

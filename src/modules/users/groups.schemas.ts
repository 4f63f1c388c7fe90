import { Type } from '@sinclair/typebox';
import { ClosedObject, Envelope, ListOf, MAX_IDS_PER_REQUEST, Skip } from '../../http/schemas.js';
import { GroupSchema } from './users.schemas.js';

const Members = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
  maxItems: MAX_IDS_PER_REQUEST,
  description: 'Ids of existing users',
});

export const GroupParams = Type.Object({ id: Type.String({ minLength: 1 }) });

export const CreateGroupBody = Type.Object({
  _id: Type.Optional(Type.String()),
  nickname: Type.Optional(Type.String()),
  avatarUrl: Type.Optional(Type.String()),
  members: Type.Optional(Members),
});

export const UpdateGroupBody = ClosedObject({
  nickname: Type.Optional(Type.String()),
  avatarUrl: Type.Optional(Type.String()),
  members: Type.Optional(Members),
});

export const GroupListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  skip: Type.Optional(Skip),
});

export const GroupResponse = Envelope(GroupSchema);
export const GroupListResponse = Envelope(ListOf(GroupSchema));

import { Type } from '@sinclair/typebox';
import { Envelope, MAX_IDS_PER_REQUEST } from '../../http/schemas.js';
import { UserSchema } from '../users/index.js';

const Ids = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: MAX_IDS_PER_REQUEST });

export const AddMembersBody = Type.Object({
  invitees: Ids,
  systemMessage: Type.Optional(Type.Boolean()),
  invitationRequired: Type.Optional(Type.Boolean()),
});

/** `POST /rooms/:id/members/:client` ([hist] 5.3): the options of `AddMembersBody`; the SDK may send no body. */
export const AddOneMemberBody = Type.Union([
  Type.Object({
    systemMessage: Type.Optional(Type.Boolean()),
    invitationRequired: Type.Optional(Type.Boolean({ description: 'Invite instead of adding (group rooms)' })),
  }),
  Type.Null(),
]);

export const RemoveMembersBody = Type.Object({ members: Ids, systemMessage: Type.Optional(Type.Boolean()) });

export const MemberPropertyParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  client: Type.String({ minLength: 1 }),
});

export const MemberPropertyBody = Type.Object({
  property: Type.String({ minLength: 1, maxLength: 64 }),
  value: Type.Unknown(),
});

/** The SDK's one-member calls (`/rooms/:id/members/:client`). */
export const OneMemberParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  client: Type.String({ minLength: 1, maxLength: 255 }),
});

export const MuteParams = Type.Object({ room: Type.String({ minLength: 1 }) });
export const MuteResponse = Envelope(UserSchema);

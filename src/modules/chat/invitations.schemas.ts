import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, MAX_IDS_PER_REQUEST, Skip } from '../../http/schemas.js';
import { UserSummarySchema } from '../users/index.js';
import { RoomSchema } from './rooms.schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 255 });

export const InvitationPageQuery = Type.Object({
  skip: Type.Optional(Skip),
  limit: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      description: 'At most LIMIT_PAGE_SIZE (100); 0 or absent for that',
    }),
  ),
});

export const CancelInvitationsBody = Type.Object({
  invitees: Type.Array(Id, { maxItems: MAX_IDS_PER_REQUEST }),
  systemMessage: Type.Optional(Type.Boolean({ description: 'Write a `cancelInvitations` system message' })),
});

export const InviteeParams = Type.Object({ id: Id, invitee: Id });

const Times = {
  createdAt: Type.String(),
  createdAtMS: Type.Number(),
  updatedAt: Type.String(),
  updatedAtMS: Type.Number(),
};
const Inviter = Type.Union([UserSummarySchema, Type.Null()], {
  description: 'Null when the platform admin invited',
});

export const MyInvitationsResponse = Envelope(
  ListOf(
    Type.Object({
      inviter: Inviter,
      room: RoomSchema,
      invitationID: Type.String({ description: "The invitation's id for its invitee: the room's id" }),
      ...Times,
    }),
  ),
);

export const RoomInvitationsResponse = Envelope(
  ListOf(
    Type.Object({
      invitee: UserSummarySchema,
      inviter: Inviter,
      room: Type.Optional(RoomSchema),
      ...Times,
    }),
  ),
);

import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, Skip, TimeInput } from '../../http/schemas.js';

const ClientTypeSchema = Type.Union([Type.Literal('user'), Type.Literal('group')], {
  description: '"user", or "group" for a user group\'s pseudo-user (spec 3.6)',
});

export const UserSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    appID: Type.String(),
    nickname: Type.String(),
    avatarUrl: Type.String(),
    clientType: ClientTypeSchema,
    email: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    address: Type.Optional(Type.Object({ port: Type.Number(), family: Type.String(), address: Type.String() })),
    userAgent: Type.Optional(Type.String()),
    lastLoginTime: Type.Optional(Type.String()),
    lastLoginTimeMS: Type.Number(),
    lastJoinOrCreateRoomTime: Type.Optional(Type.String()),
    isRobot: Type.Boolean(),
    mute: Type.Array(Type.String()),
    notificationEnabled: Type.Boolean(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  // Free-form on purpose: spec 1.9 returns a user's custom fields at the top level.
  {
    title: 'User',
    additionalProperties: true,
    description: 'A user (spec 1.9); custom fields appear at the top level',
  },
);

const summaryFields = {
  _id: Type.String(),
  id: Type.String(),
  nickname: Type.String(),
  avatarUrl: Type.String(),
  clientType: ClientTypeSchema,
  description: Type.Optional(Type.String()),
  isRobot: Type.Boolean(),
  lastLoginTime: Type.Optional(Type.String()),
  lastLoginTimeMS: Type.Number(),
  userAgent: Type.Optional(Type.String()),
  publicKey: Type.Optional(Type.String()),
  isSocketConnected: Type.Optional(Type.Boolean()),
};

/** The embedded user of messages, room members and blocks (spec 1.9): never tokens or custom data. */
export const UserSummarySchema = Type.Object(
  { ...summaryFields, members: Type.Optional(Type.Array(Type.Object(summaryFields))) },
  { title: 'UserSummary', description: "A user summary; a group pseudo-user's `members` are summaries too" },
);

export const GroupSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    nickname: Type.String(),
    avatarUrl: Type.String(),
    clientType: Type.Literal('group'),
    members: Type.Array(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Group' },
);

export const UserInputSchema = Type.Object(
  {
    _id: Type.Optional(Type.String({ description: 'User id (required)' })),
    nickname: Type.Optional(Type.String({ maxLength: 1000 })),
    avatarUrl: Type.Optional(Type.String({ maxLength: 4096 })),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()])),
    isRobot: Type.Optional(Type.Boolean()),
    notificationEnabled: Type.Optional(Type.Boolean()),
  },
  // Any other top-level field is a custom field (spec 1.9), checked by the service.
  { additionalProperties: true },
);

/** `POST /me`: the profile fields a user may change, and custom fields (e.g. publicKey). */
export const UpdateProfileBody = Type.Object(
  {
    nickname: Type.Optional(Type.String({ maxLength: 1000 })),
    avatarUrl: Type.Optional(Type.String({ maxLength: 4096 })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()])),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    notificationEnabled: Type.Optional(Type.Boolean()),
  },
  // Custom fields (spec 1.9), checked by the service.
  { additionalProperties: true },
);

export const UpsertUserBody = Type.Intersect([
  UserInputSchema,
  Type.Object({
    issueAccessToken: Type.Optional(Type.Boolean({ description: 'true: the server issues a new token' })),
    token: Type.Optional(
      Type.String({ description: 'A token of your own to bind (ignored when issueAccessToken is true)' }),
    ),
    expirationDate: Type.Optional(TimeInput),
  }),
]);

export const UpsertUserResponse = Envelope(
  Type.Intersect([
    UserSchema,
    Type.Object({
      token: Type.Optional(Type.String()),
      expirationDate: Type.Optional(Type.String()),
      expirationDateMS: Type.Optional(Type.Number()),
      issueAccessToken: Type.Optional(Type.Boolean()),
    }),
  ]),
);

export const BatchUsersBody = Type.Object({ data: Type.Array(UserInputSchema, { maxItems: 1000 }) });
export const BatchUsersResponse = Envelope(Type.Object({ count: Type.Integer() }));

export const ListUsersQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      description: 'MongoDB-style JSON filter: $eq $ne $gt $gte $lt $lte $regex $options $in $nin $exists $type',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 0, description: 'Default 50, at most 100' })),
  skip: Type.Optional(Skip),
});

export const UserListResponse = Envelope(ListOf(UserSchema));
export const UserResponse = Envelope(UserSchema);
export const UserParams = Type.Object({ id: Type.String({ minLength: 1 }) });

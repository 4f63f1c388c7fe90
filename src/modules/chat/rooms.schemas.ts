import { Type } from '@sinclair/typebox';
import { Envelope, Inspect, ListOf, MAX_IDS_PER_REQUEST, Skip, TimeInput } from '../../http/schemas.js';
import { UserSummarySchema } from '../users/index.js';
import { MessageSchema } from './messages.schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 255 });
const Ids = Type.Array(Id, { maxItems: MAX_IDS_PER_REQUEST });
const Tags = Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 });
const Flag = Type.Union([Type.Literal(0), Type.Literal(1)]);

/** Fields a create or an update may set (spec 4.1, 4.3). Unknown fields are ignored. */
const RoomFieldsSchema = {
  name: Type.Optional(Type.String({ maxLength: 1000 })),
  cover: Type.Optional(Type.String({ maxLength: 4096 })),
  description: Type.Optional(Type.String({ maxLength: 65_536 })),
  roomType: Type.Optional(Type.String({ description: '"direct" or "group" (default)' })),
  roomTags: Type.Optional(Tags),
  webhook: Type.Optional(Type.String({ maxLength: 4096, description: 'Webhook key or URL (spec 11.1)' })),
  botMode: Type.Optional(Type.Boolean()),
  botState: Type.Optional(Type.String({ maxLength: 256 })),
  encrypted: Type.Optional(Type.Boolean()),
  extParams: Type.Optional(Type.String({ maxLength: 4096 })),
  owner: Type.Optional(Id),
  managers: Type.Optional(Ids),
  status: Type.Optional(Flag),
  opening: Type.Optional(Flag),
  historyVisibility: Type.Optional(
    Type.Union([Type.Literal('shared'), Type.Literal('joined')], {
      description:
        'Whether members read messages from before they joined (default: the application setting, else "shared")',
    }),
  ),
};

export const CreateRoomBody = Type.Object({
  _id: Type.Optional(Id),
  ...RoomFieldsSchema,
  members: Type.Optional(Ids),
  systemMessage: Type.Optional(Type.Boolean()),
});

export const CreateAndJoinBody = Type.Object({
  _id: Type.Optional(Id),
  ...RoomFieldsSchema,
  invitee: Type.Optional(Type.Union([Id, Ids])),
  members: Type.Optional(Ids),
  systemMessage: Type.Optional(Type.Boolean()),
  invitationRequired: Type.Optional(Type.Boolean()),
});

export const UpdateRoomBody = Type.Object(RoomFieldsSchema);

export const RoomParams = Type.Object({ id: Id });

export const RoomSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    appID: Type.String(),
    name: Type.String(),
    cover: Type.String(),
    description: Type.String(),
    roomType: Type.String(),
    roomTags: Type.Array(Type.String()),
    owner: Type.Optional(Type.String()),
    managers: Type.Array(Type.String()),
    webhook: Type.Optional(Type.String()),
    botMode: Type.Boolean(),
    botState: Type.Optional(Type.String()),
    encrypted: Type.Boolean(),
    serviceStatus: Type.Number(),
    status: Type.Integer(),
    opening: Type.Number(),
    historyVisibility: Type.String(),
    extParams: Type.Optional(Type.String()),
    createdTime: Type.String(),
    createdTimeMS: Type.Number(),
    updatedAt: Type.String(),
    updatedAtMS: Type.Number(),
    __v: Type.Number(),
    /** Ids in a create call's answer (spec 12 items 29-30), user summaries elsewhere. */
    members: Type.Optional(Type.Array(Type.Union([Type.String(), UserSummarySchema]))),
    // Free-form on purpose: each entry carries the member's custom properties (spec 1.9 `...custom`).
    memberProperties: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    lastMessage: Type.Optional(MessageSchema),
    pinnedMessage: Type.Optional(Type.Union([MessageSchema, Type.Null()])),
    unread: Type.Optional(Type.Number()),
    muted: Type.Optional(Type.Boolean()),
    isSuperuser: Type.Optional(Type.Boolean()),
    // Free-form on purpose: the caller's room preferences, where clients keep fields of their own (spec 1.9 `pref`).
    pref: Type.Optional(Type.Object({}, { additionalProperties: true })),
    lastRead: Type.Optional(Type.String()),
  },
  { title: 'Room', description: 'A room (spec 1.9)' },
);

export const RoomResponse = Envelope(RoomSchema);

export const RoomListQuery = Type.Object({
  sort: Type.Optional(Type.String({ maxLength: 256 })),
  skip: Type.Optional(Skip),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  updatedAfter: Type.Optional(TimeInput),
  pref: Type.Optional(Type.String({ maxLength: 4096 })),
  sortUnreadFirst: Type.Optional(Type.String({ maxLength: 8 })),
  q: Type.Optional(
    Type.String({
      maxLength: 4096,
      description:
        'MongoDB-style JSON filter over room fields ([hist] 5.7): _id, owner, name, cover, description, ' +
        'lastMessage, members, createdTime (ISO), status, roomType, opening, roomTags, serviceStatus, botMode, ' +
        'botState, webhook, extParams (isPublic, refRoom, assignTo are never set). Operators $eq $ne $gt $gte ' +
        "$lt $lte $in $nin $all $regex $options $exists. Only the caller's rooms are searched: members narrows. " +
        'E.g. {"name":{"$regex":".*el.*"}}, {"roomTags":{"$all":["foo","bar"]}}',
    }),
  ),
});

export const RoomListResponse = Envelope(Type.Intersect([ListOf(RoomSchema), Type.Object({ inspect: Inspect })]));

export const DeleteRoomResponse = Envelope(Type.Object({ n: Type.Integer(), ok: Type.Integer() }));

/** `GET /rooms/ids` (SDK). */
export const RoomIdsQuery = Type.Object({
  skip: Type.Optional(Skip),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
});
export const RoomIdsResponse = Envelope(ListOf(Type.String()));

/** `POST /rooms/:id/typing` (SDK). */
export const TypingBody = Type.Union([Type.Object({ message: Type.Optional(Type.Unknown()) }), Type.Null()]);
export const EmptyResponse = Envelope(Type.Object({}));

/** `GET /rooms/quitted` ([hist] 5.6): reduced rooms, `pref` with the departure time. */
export const QuittedRoomsResponse = Envelope(
  Type.Object({
    data: Type.Array(
      Type.Object({
        _id: Type.String(),
        id: Type.String(),
        name: Type.String(),
        cover: Type.String(),
        description: Type.String(),
        roomType: Type.String(),
        roomTags: Type.Array(Type.String()),
        encrypted: Type.Boolean(),
        pref: Type.Object(
          { quittedAt: Type.String({ description: 'When the caller left or was removed (ISO 8601)' }) },
          { additionalProperties: true, description: 'The room preference the caller had' },
        ),
        createdTimeMS: Type.Number(),
      }),
    ),
  }),
);

/** `GET /rooms/:id/exists` ([hist] 5.5). */
export const RoomExistsResponse = Envelope(Type.Object({ exists: Type.Boolean() }));

/** `PUT /rooms/:id/bot` (SDK): only these two fields. */
export const RoomBotBody = Type.Object({
  botMode: Type.Optional(Type.Boolean()),
  botState: Type.Optional(Type.String({ maxLength: 256 })),
});

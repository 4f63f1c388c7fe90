import { Type } from '@sinclair/typebox';
import { Envelope, ListOf, MAX_IDS_PER_REQUEST, Skip, TimeInput } from '../../http/schemas.js';

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
    roomType: Type.String(),
    status: Type.Integer(),
    createdTimeMS: Type.Number(),
  },
  { additionalProperties: true, description: 'A room (spec 1.9)' },
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
      description: 'IMKIT SDK filter, e.g. {"members":"me","roomTags":"work"}; members is always the caller',
    }),
  ),
});

export const RoomListResponse = Envelope(
  Type.Intersect([ListOf(RoomSchema), Type.Object({ inspect: Type.Object({}, { additionalProperties: true }) })]),
);

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

/** `PUT /rooms/:id/bot` (SDK): only these two fields. */
export const RoomBotBody = Type.Object({
  botMode: Type.Optional(Type.Boolean()),
  botState: Type.Optional(Type.String({ maxLength: 256 })),
});

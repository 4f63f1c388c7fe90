import { Type, type TSchema } from '@sinclair/typebox';
import { Envelope, Inspect, ListOf, TimeInput } from '../../http/schemas.js';

export const MessageSchema = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    room: Type.String(),
    messageType: Type.String(),
    appID: Type.String(),
    messageTimeMS: Type.Number(),
    createdAtMS: Type.Number(),
    updatedAtMS: Type.Number(),
  },
  // Free-form on purpose: a message carries its sender's own fields at the top level (spec 1.9 `extra`, 1.10 media).
  {
    title: 'Message',
    additionalProperties: true,
    description: "A message (spec 1.9); the sender's own fields appear as sent",
  },
);

export const MessageResponse = Envelope(MessageSchema);

/** Optional, and JSON null reads as absent: Flutter sends null for every field it has no value for. */
const Nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** Message fields are free-form (spec 1.10): only the ones the server reads are typed here. */
const messageFields = {
  message: Type.Optional(
    Type.Unknown({
      description:
        'Any JSON value (null reads as absent). Required, except that image, video, audio, file, sticker, ' +
        'location and flex messages may carry their own fields instead (originalUrl, images, url, sticker, ' +
        'latitude and longitude, contents, template)',
    }),
  ),
  messageType: Nullable(
    Type.String({
      description: 'Required for a new message; free-form (text, image, …). An edit without it keeps the type',
    }),
  ),
  mentions: Nullable(Type.Array(Type.String())),
  push: Nullable(Type.Boolean()),
  skipTotalBadge: Nullable(Type.Boolean()),
  extra: Type.Optional(Type.Unknown()),
};

export const AdminSendBody = Type.Object(
  { ...messageFields, room: Type.Optional(Type.String()), sender: Type.Optional(Type.String()) },
  { additionalProperties: true }, // the sender's own message fields (spec 1.10)
);

export const MemberSendBody = Type.Object(
  {
    ...messageFields,
    _id: Nullable(
      Type.String({
        description:
          'An existing message of the room: edit it (without messageType, only the fields given change). ' +
          'Otherwise the id of the new message',
      }),
    ),
    sender: Nullable(
      Type.Union([Type.String(), Type.Object({}, { additionalProperties: true })], {
        description:
          'The author, with IM-API-KEY only. A user object (the Vue client recalls by sending the whole ' +
          'message back) is ignored',
      }),
    ),
  },
  { additionalProperties: true }, // the sender's own message fields (spec 1.10)
);

export const BatchBody = Type.Object(
  {
    ...messageFields,
    sender: Type.Optional(Type.String()),
    paras: Type.Optional(
      Type.Array(
        Type.Object(
          { receiver: Type.Optional(Type.String()), room: Type.Optional(Type.String()) },
          { additionalProperties: true }, // per-recipient message fields (spec 5.3)
        ),
      ),
    ),
  },
  { additionalProperties: true }, // the sender's own message fields (spec 1.10)
);

export const BatchStatus = Type.Object(
  {
    batchID: Type.String(),
    status: Type.String(),
    count: Type.Integer(),
    processed: Type.Integer(),
    sent: Type.Integer(),
    failures: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'BatchProgress' },
);

export const MessageListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  beforeMessage: Type.Optional(Type.String({ minLength: 1 })),
  afterMessage: Type.Optional(Type.String({ minLength: 1 })),
  afterTime: Type.Optional(TimeInput),
  timeRangeField: Type.Optional(
    Type.Union([Type.Literal('updatedAt'), Type.Literal('createdAt'), Type.Literal('messageTime')]),
  ),
  sortOrder: Type.Optional(
    Type.String({
      maxLength: 16,
      examples: ['desc', 'asc'],
      description:
        '`asc` or `desc`, any case (extension). Without it, data is newest first and cursor messages are ' +
        'left out. With it, the same messages are chosen, but a beforeMessage/afterMessage cursor message ' +
        'is part of the page (it counts toward limit) and data is ordered oldest first (asc) or newest ' +
        'first (desc): beforeMessage with desc, or afterMessage with asc, answer the cursor first. ' +
        'Without a cursor, the newest limit messages in that order',
    }),
  ),
});

export const MessageListResponse = Envelope(
  Type.Intersect([
    ListOf(MessageSchema),
    Type.Object({
      inspect: Inspect,
      userDeletedIDs: Type.Array(Type.String()),
    }),
  ]),
);

/** `GET /rooms/:id/pined-messages` (history 7.3). */
export const PinnedMessagesResponse = Envelope(
  Type.Intersect([ListOf(MessageSchema), Type.Object({ inspect: Inspect })]),
);

/** `GET /messages/recent` (history 7.6). */
export const RecentMessagesQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1_000_000, description: '20 when 0 or absent; at most 100' }),
  ),
});
export const RecentMessagesResponse = Envelope(Type.Object({ count: Type.Integer(), data: Type.Array(MessageSchema) }));

/** `GET /messages/batch?batchID=` (history 7.5). */
export const BatchMessagesQuery = Type.Object({
  batchID: Type.String({ minLength: 1, maxLength: 200 }),
  limit: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1_000_000, description: '1000 when 0 or absent; at most 1000' }),
  ),
  skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});
export const BatchMessagesResponse = Envelope(Type.Object({ count: Type.Integer(), data: Type.Array(MessageSchema) }));

/** `GET /admin/messages` (history 7.10): times are ISO-8601 or millisecond epochs. */
export const AdminMessagesQuery = Type.Object({
  startDate: Type.Optional(TimeInput),
  endDate: Type.Optional(TimeInput),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});
export const AdminMessagesResponse = Envelope(ListOf(MessageSchema));

export const DeleteMessageResponse = Envelope(
  Type.Object({
    deletedCount: Type.Integer(),
    roomID: Type.String(),
    messageID: Type.String(),
    deletedBy: Type.String(),
    deletedAt: Type.String(),
  }),
);

export const ReadPositionResponse = Envelope(
  Type.Object({ client: Type.String(), lastRead: Type.String(), badge: Type.Integer() }),
);

export const MessageParams = Type.Object({ id: Type.String({ minLength: 1 }) });
export const RoomMessageParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  messageId: Type.String({ minLength: 1 }),
});

/** `GET /rooms/:id/messages/:messageId` (SDK). */
export const AroundQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
});
export const AroundResponse = Envelope(Type.Object({ data: Type.Array(MessageSchema) }));

/** `GET /rooms/:id/count` (SDK). */
export const MessageCountQuery = Type.Object({ timeInMS: Type.Optional(Type.Integer({ minimum: 0 })) });
export const MessageCountResponse = Envelope(Type.Object({ count: Type.Integer() }));

export const BatchAccepted = Envelope(Type.Object({ batchID: Type.String(), count: Type.Integer() }));
export const EditBody = Type.Object({ message: Type.String({ minLength: 1 }) });

import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';
import { MessageSchema } from './messages.schemas.js';

/** `POST /search`: fields are checked by the service, which answers the spec's codes (12 item 56). */
export const SearchBody = Type.Object({
  type: Type.Optional(
    Type.Unknown({
      description:
        'Types to search, an array or one string: messages, files, roomName, roomMember, roomTags, ' +
        'roomPrefTags, roomPrefFolder. At least one must be one of these (else 400 INVALID_SEARCH_TYPE); ' +
        'any other well-formed name (a letter, then up to 63 letters, digits, "_" or "-"; 32 names at most) ' +
        'is answered as an empty list, so that a client asking for a type Parley lacks keeps the other results.',
    }),
  ),
  keyword: Type.Optional(Type.Unknown()),
  room: Type.Optional(Type.Unknown()),
  roomTags: Type.Optional(Type.Unknown()),
  limit: Type.Optional(Type.Unknown({ description: 'Messages to return: default 50, at most 200' })),
});

/** A room as search lists it (spec 5.9). */
const FoundRoom = Type.Object({
  _id: Type.String(),
  id: Type.String(),
  name: Type.String(),
  cover: Type.String(),
  description: Type.String(),
  roomType: Type.String(),
  roomTags: Type.Array(Type.String()),
});
const FoundRooms = Type.Optional(Type.Array(FoundRoom));

/** One list per requested type, each present only when asked for (12 item 56); unknown types are `[]`. */
export const SearchResponse = Envelope(
  Type.Object(
    {
      messages: Type.Optional(Type.Array(Type.Object({ room: FoundRoom, messages: Type.Array(Type.String()) }))),
      files: Type.Optional(
        Type.Array(
          Type.Object({
            room: FoundRoom,
            messages: Type.Array(Type.String(), { description: 'File messages, newest first' }),
            messageID: Type.String({ description: 'The newest of them (read by the Vue in-room search)' }),
          }),
        ),
      ),
      roomName: FoundRooms,
      roomMember: FoundRooms,
      roomTags: FoundRooms,
      roomPrefTags: FoundRooms,
      roomPrefFolder: FoundRooms,
    },
    { additionalProperties: Type.Array(Type.Unknown(), { maxItems: 0 }) },
  ),
);

/** `POST /messages/search` (SDK `message.searchV2`). */
export const MessageSearchBody = Type.Object({
  message: Type.Optional(Type.Unknown()),
  room: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Unknown()),
});

/** `GET /messages` (SDK `message.search`). */
export const MessageSearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 4096 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

/** Messages as the presenter shows them. */
export const FoundMessagesResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), data: Type.Array(MessageSchema) }),
);

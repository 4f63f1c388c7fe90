import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

/** `POST /search`: fields are checked by the service, which answers the spec's codes (12 item 56). */
export const SearchBody = Type.Object({
  type: Type.Optional(
    Type.Unknown({
      description: '["messages"]; also roomName, roomMember, roomTags, roomPrefTags, roomPrefFolder',
    }),
  ),
  keyword: Type.Optional(Type.Unknown()),
  room: Type.Optional(Type.Unknown()),
  roomTags: Type.Optional(Type.Unknown()),
  limit: Type.Optional(Type.Unknown({ description: 'Messages to return: default 50, at most 200' })),
});

/**
 * One list per requested type (`messages`, `roomName`, …), each present only when asked for:
 * free-form by the spec's own shape (12 item 56).
 */
export const SearchResponse = Envelope(Type.Object({}, { additionalProperties: true }));

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

/** Messages as the presenter shows them; custom fields (`extra`, …) are free-form (spec 1.10). */
export const FoundMessagesResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), data: Type.Array(Type.Object({}, { additionalProperties: true })) }),
);

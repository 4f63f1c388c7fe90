import { Type } from '@sinclair/typebox';
import { Envelope, OptionalBody } from '../../http/schemas.js';

export const MAX_BADGE_TAGS = 100;

export const ByRoomTagsBody = OptionalBody(
  Type.Object({
    tags: Type.Optional(Type.Unknown({ description: 'Tag names; empty or absent: every tag of my rooms' })),
  }),
);
export const ByRoomTagsAndTimeBody = OptionalBody(
  Type.Object({
    tags: Type.Optional(Type.Unknown({ description: 'Tag names; empty or absent: every tag of my rooms' })),
    beforeTime: Type.Optional(
      Type.Unknown({ description: 'ISO-8601 time or millisecond epoch', examples: ['2023-11-18T02:00:00Z'] }),
    ),
  }),
);
export const ByRoomTagsResponse = Envelope(
  Type.Object({ totalBadge: Type.Integer(), data: Type.Record(Type.String(), Type.Integer()) }),
);

export const TotalBadgeQuery = Type.Object({
  roomTags: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_BADGE_TAGS })),
  'roomTags[]': Type.Optional(Type.Array(Type.String(), { maxItems: MAX_BADGE_TAGS })),
});
export const TotalBadgeResponse = Envelope(Type.Object({ badge: Type.Integer() }));

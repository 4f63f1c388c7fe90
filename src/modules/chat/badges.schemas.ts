import { Type } from '@sinclair/typebox';
import { Envelope, OptionalBody } from '../../http/schemas.js';
import { MAX_TOKEN_LENGTH } from '../users/index.js';

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

/** Tokens one `POST /badges` verifies at most ([hist] 8.2 recommends a cap, e.g. 20). */
export const MAX_BADGE_TOKENS = 20;

export const BadgesOfTokensBody = Type.Object({
  tokens: Type.Array(Type.String({ maxLength: MAX_TOKEN_LENGTH }), {
    maxItems: MAX_BADGE_TOKENS,
    description: `User tokens of the application, at most ${MAX_BADGE_TOKENS}; one that is not valid is left out`,
  }),
});
export const BadgesOfTokensResponse = Envelope(
  Type.Object({
    data: Type.Array(Type.Object({ client: Type.String(), badge: Type.Integer() })),
    totalBadge: Type.Integer(),
  }),
);

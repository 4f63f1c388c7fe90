import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

/** A set id: it is also the first segment of every resourceId, so no slash. */
export const SET_ID_PATTERN = '^[A-Za-z0-9_.-]+$';
const SetId = Type.String({ minLength: 1, maxLength: 64, pattern: SET_ID_PATTERN });

export const SetParams = Type.Object({ id: SetId });
export const ResourceQuery = Type.Object({
  resourceId: Type.String({ minLength: 3, maxLength: 200, description: '`<setId>/<fileName>`, URL-encoded' }),
});

/** A storage object (history 10): where one file of the set is, and its resourceId. */
const StorageObject = Type.Object({
  ETag: Type.String(),
  Location: Type.String(),
  Key: Type.String(),
  Bucket: Type.String(),
  resourceId: Type.String(),
});

export const StickerSet = Type.Object({
  _id: Type.String(),
  __v: Type.Integer(),
  name: Type.String(),
  order: Type.Integer(),
  zip: StorageObject,
  images: Type.Array(StorageObject),
  createdAtMS: Type.Integer(),
  updatedAtMS: Type.Integer(),
});

/** The public summary (history 10.4) with its recommended additions: order and the images' resourceIds. */
export const PublicStickerSet = Type.Object({
  _id: Type.String(),
  name: Type.String(),
  order: Type.Integer(),
  zip: Type.Object({ resourceId: Type.String() }),
  images: Type.Array(Type.Object({ resourceId: Type.String() })),
  updatedAtMS: Type.Integer(),
});

export const StickerSetReply = Envelope(StickerSet);
export const StickerSetListReply = Envelope(Type.Object({ totalCount: Type.Integer(), data: Type.Array(StickerSet) }));
export const PublicStickerSetListReply = Envelope(
  Type.Object({ totalCount: Type.Integer(), data: Type.Array(PublicStickerSet) }),
);
export const DeleteReply = Envelope(Type.Object({ n: Type.Integer(), ok: Type.Integer() }));

import type { StoredImage, StoredStickerSet } from './stickers.repository.js';
import { STICKER_BUCKET } from './stickers.service.js';

const resourceIdOf = (set: StoredStickerSet, file: StoredImage) => `${set.id}/${file.name}`;

/** A storage object of the history (10): the bytes are served by `GET /stickers/res`. */
function storageObject(set: StoredStickerSet, file: StoredImage) {
  const resourceId = resourceIdOf(set, file);
  return {
    ETag: file.etag,
    Location: `/stickers/res?resourceId=${encodeURIComponent(resourceId)}`,
    Key: `${STICKER_BUCKET}/${resourceId}`,
    Bucket: STICKER_BUCKET,
    resourceId,
  };
}

/** The full record (history 10.1, 10.2). */
export function stickerSetView(set: StoredStickerSet) {
  return {
    _id: set.id,
    __v: set.version,
    name: set.name,
    order: set.order,
    zip: storageObject(set, set.zip),
    images: set.images.map((image) => storageObject(set, image)),
    createdAtMS: set.createdAt,
    updatedAtMS: set.updatedAt,
  };
}

/** The summary every user may read (history 10.4, with the recommended order and image resourceIds). */
export function publicStickerSetView(set: StoredStickerSet) {
  return {
    _id: set.id,
    name: set.name,
    order: set.order,
    zip: { resourceId: resourceIdOf(set, set.zip) },
    images: set.images.map((image) => ({ resourceId: resourceIdOf(set, image) })),
    updatedAtMS: set.updatedAt,
  };
}

/**
 * What a video container says about its picture and length, read from its headers only: the
 * container formats are parsed (ISO BMFF, Matroska), the coded video never is, so no decoder or
 * external binary is involved, and neither is a thumbnail (one would need a frame decoded).
 */
export interface VideoMetadata {
  /** The container's own media type (`video/mp4`, `video/quicktime`, `video/webm`, …). */
  mimeType: string;
  /** The picture as shown (a rotated phone video's width and height are swapped), in pixels. */
  width: number | null;
  height: number | null;
  /** Seconds, to the millisecond. */
  duration: number | null;
}

/** The header of a box or element that claims more bytes than its parent holds, or fewer than itself. */
export class MalformedMedia extends Error {}

/** Each parse visits at most this many boxes or elements, however the file is built. */
export const MAX_NODES = 10_000;

/** Counts the boxes or elements a parse visits; throws past `MAX_NODES`. */
export class NodeBudget {
  private left = MAX_NODES;
  spend(): void {
    this.left -= 1;
    if (this.left < 0) throw new MalformedMedia('too many boxes');
  }
}

/** A positive whole number of pixels, else null. */
export const pixels = (value: number): number | null =>
  Number.isFinite(value) && value >= 1 && value <= 1_000_000 ? Math.round(value) : null;

/** A positive, finite length in seconds rounded to the millisecond, else null. */
export const seconds = (value: number): number | null =>
  Number.isFinite(value) && value > 0 && value < 1e9 ? Math.round(value * 1000) / 1000 : null;

import { MalformedMedia, NodeBudget, pixels, seconds, type VideoMetadata } from './video-metadata.js';

/**
 * MP4 and QuickTime (ISO/IEC 14496-12 boxes): duration from `moov/mvhd` (or `moov/mvex/mehd` for a
 * fragmented file), picture size from the video track's `tkhd` (or its sample entry in `stsd`).
 * Only that fixed path is walked (at most 7 levels deep), every box size is checked against its
 * parent, and the number of boxes visited is bounded.
 */

interface Box {
  type: string;
  /** The first byte after the header. */
  start: number;
  end: number;
}

/** Box types a file may open with: `ftyp`, or for older QuickTime files one of the others. */
const FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
const MAX_TRACKS = 64;

function* children(buf: Buffer, parent: { start: number; end: number }, budget: NodeBudget): Generator<Box> {
  let offset = parent.start;
  while (parent.end - offset >= 8) {
    budget.spend();
    let size = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      if (parent.end - offset < 16) throw new MalformedMedia(`${type}: truncated size`);
      const large = buf.readBigUInt64BE(offset + 8);
      if (large > BigInt(parent.end - offset)) throw new MalformedMedia(`${type}: larger than its parent`);
      size = Number(large);
      header = 16;
    } else if (size === 0) {
      size = parent.end - offset;
    }
    if (size < header || size > parent.end - offset) throw new MalformedMedia(`${type}: bad size ${size}`);
    yield { type, start: offset + header, end: offset + size };
    offset += size;
  }
}

function child(buf: Buffer, parent: Box, type: string, budget: NodeBudget): Box | undefined {
  for (const box of children(buf, parent, budget)) if (box.type === type) return box;
  return undefined;
}

/** The payload of a full box of at least `v0` bytes (version 0) or `v1` bytes (version 1), with its version. */
function fullBox(buf: Buffer, box: Box | undefined, v0: number, v1: number): { version: number; at: number } | null {
  if (!box || box.end - box.start < 4) return null;
  const version = buf.readUInt8(box.start);
  return box.end - box.start >= (version === 1 ? v1 : v0) ? { version, at: box.start } : null;
}

/** `mvhd`: the movie's timescale and duration (all ones when unknown). */
function movieHeader(buf: Buffer, box: Box | undefined): { timescale: number; duration: bigint } | null {
  const full = fullBox(buf, box, 20, 32);
  if (!full) return null;
  const { version, at } = full;
  return version === 1
    ? { timescale: buf.readUInt32BE(at + 20), duration: buf.readBigUInt64BE(at + 24) }
    : { timescale: buf.readUInt32BE(at + 12), duration: BigInt(buf.readUInt32BE(at + 16)) };
}

const UNKNOWN_DURATIONS = new Set([0n, 0xffff_ffffn, 0xffff_ffff_ffff_ffffn]);

/** The movie's length: `mvhd`'s duration, or for a fragmented file (no duration there) `mvex/mehd`'s. */
function movieDuration(buf: Buffer, mvhd: Box | undefined, mehd: Box | undefined): number | null {
  const header = movieHeader(buf, mvhd);
  if (!header || header.timescale === 0) return null;
  let duration = header.duration;
  if (UNKNOWN_DURATIONS.has(duration)) {
    const full = fullBox(buf, mehd, 8, 12);
    if (!full) return null;
    duration = full.version === 1 ? buf.readBigUInt64BE(full.at + 4) : BigInt(buf.readUInt32BE(full.at + 4));
    if (UNKNOWN_DURATIONS.has(duration)) return null;
  }
  return seconds(Number(duration) / header.timescale);
}

interface TrackPicture {
  width: number | null;
  height: number | null;
}

/** `tkhd`: width and height (16.16 fixed point), swapped when the matrix turns the picture a quarter. */
function trackHeader(buf: Buffer, box: Box | undefined): TrackPicture | null {
  const full = fullBox(buf, box, 84, 96);
  if (!full) return null;
  const matrix = full.at + (full.version === 1 ? 52 : 40);
  const [a, b, c, d] = [0, 4, 12, 16].map((offset) => buf.readInt32BE(matrix + offset)) as [
    number,
    number,
    number,
    number,
  ];
  const width = pixels(buf.readUInt32BE(matrix + 36) / 65536);
  const height = pixels(buf.readUInt32BE(matrix + 40) / 65536);
  const quarterTurn = a === 0 && d === 0 && b !== 0 && c !== 0;
  return quarterTurn ? { width: height, height: width } : { width, height };
}

/** The first visual sample entry of `stsd`: its coded width and height. */
function sampleEntryPicture(buf: Buffer, stbl: Box | undefined, budget: NodeBudget): TrackPicture | null {
  const stsd = stbl && child(buf, stbl, 'stsd', budget);
  if (!stsd || stsd.end - stsd.start < 8) return null;
  for (const entry of children(buf, { start: stsd.start + 8, end: stsd.end }, budget)) {
    if (entry.end - entry.start < 28) continue;
    return { width: pixels(buf.readUInt16BE(entry.start + 24)), height: pixels(buf.readUInt16BE(entry.start + 26)) };
  }
  return null;
}

/** The picture of a video track (`mdia/hdlr` handler `vide`); undefined for any other track. */
function videoTrack(buf: Buffer, trak: Box, budget: NodeBudget): TrackPicture | undefined {
  const mdia = child(buf, trak, 'mdia', budget);
  const hdlr = mdia && child(buf, mdia, 'hdlr', budget);
  if (!hdlr || hdlr.end - hdlr.start < 12 || buf.toString('latin1', hdlr.start + 8, hdlr.start + 12) !== 'vide')
    return undefined;
  const header = trackHeader(buf, child(buf, trak, 'tkhd', budget));
  if (header?.width && header.height) return header;
  const minf = mdia && child(buf, mdia, 'minf', budget);
  const entry = sampleEntryPicture(buf, minf && child(buf, minf, 'stbl', budget), budget);
  return entry ?? header ?? { width: null, height: null };
}

function mediaType(buf: Buffer, first: Box): string {
  if (first.type !== 'ftyp' || first.end - first.start < 4) return 'video/quicktime';
  const brand = buf.toString('latin1', first.start, first.start + 4);
  if (brand === 'qt  ') return 'video/quicktime';
  if (brand.startsWith('3g')) return 'video/3gpp';
  return 'video/mp4';
}

/** The metadata of an MP4 or QuickTime video; null when the bytes are not one, or hold no video track. */
export function readIsoBmff(buf: Buffer): VideoMetadata | null {
  const budget = new NodeBudget();
  const file = { type: '', start: 0, end: buf.length };
  try {
    const boxes = children(buf, file, budget);
    const first = boxes.next().value;
    if (!first || !FIRST_BOXES.has(first.type)) return null;
    let moov = first.type === 'moov' ? first : undefined;
    for (const box of moov ? [] : boxes) {
      if (box.type === 'moov') {
        moov = box;
        break;
      }
    }
    if (!moov) return null;
    let picture: TrackPicture | undefined;
    let tracks = 0;
    for (const box of children(buf, moov, budget)) {
      if (box.type !== 'trak' || picture) continue;
      if (++tracks > MAX_TRACKS) break;
      picture = videoTrack(buf, box, budget);
    }
    if (!picture) return null;
    const mvex = child(buf, moov, 'mvex', budget);
    const duration = movieDuration(buf, child(buf, moov, 'mvhd', budget), mvex && child(buf, mvex, 'mehd', budget));
    return { mimeType: mediaType(buf, first), ...picture, duration };
  } catch (error) {
    if (error instanceof MalformedMedia || error instanceof RangeError) return null;
    throw error;
  }
}

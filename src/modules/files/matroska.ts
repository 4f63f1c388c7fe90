import { MalformedMedia, NodeBudget, pixels, seconds, type VideoMetadata } from './video-metadata.js';

/**
 * WebM and Matroska (EBML elements, RFC 8794 and RFC 9559): the document type from the EBML header,
 * duration from `Segment/Info`, picture size from the first video `Segment/Tracks/TrackEntry`.
 * Reading stops at the first `Cluster` (where the media begins); every element size is checked
 * against its parent and the number of elements visited is bounded.
 */

const EBML = 0x1a45dfa3;
const DOC_TYPE = 0x4282;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const VIDEO = 0xe0;
const PIXEL_WIDTH = 0xb0;
const PIXEL_HEIGHT = 0xba;
const DISPLAY_WIDTH = 0x54b0;
const DISPLAY_HEIGHT = 0x54ba;
const DISPLAY_UNIT = 0x54b2;
const CLUSTER = 0x1f43b675;
const VIDEO_TRACK = 1;
const NANOSECONDS = 1e9;

interface Element {
  id: number;
  start: number;
  end: number;
}

/** A variable-length integer: an element id (marker bit kept) or a size (null when all ones: unknown). */
function vint(buf: Buffer, offset: number, end: number, isId: boolean): { value: number | null; length: number } {
  if (offset >= end) throw new MalformedMedia('truncated element header');
  const first = buf.readUInt8(offset);
  const length = Math.clz32(first) - 23;
  if (first === 0 || length > (isId ? 4 : 8) || offset + length > end) throw new MalformedMedia('bad element header');
  let value = isId ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let index = 1; index < length; index += 1) {
    const byte = buf.readUInt8(offset + index);
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value: !isId && allOnes ? null : value, length };
}

function* elements(buf: Buffer, parent: { start: number; end: number }, budget: NodeBudget): Generator<Element> {
  let offset = parent.start;
  while (offset < parent.end) {
    budget.spend();
    const id = vint(buf, offset, parent.end, true);
    const size = vint(buf, offset + id.length, parent.end, false);
    const start = offset + id.length + size.length;
    const elementId = id.value ?? 0;
    // An unknown size runs to the parent's end; so does a Segment or Cluster cut short (media cut off).
    const declaredEnd = size.value === null ? parent.end : start + size.value;
    const end = elementId === SEGMENT || elementId === CLUSTER ? Math.min(declaredEnd, parent.end) : declaredEnd;
    if (end > parent.end) throw new MalformedMedia(`element ${elementId.toString(16)} larger than its parent`);
    yield { id: elementId, start, end };
    if (size.value === null) return;
    offset = end;
  }
}

function unsigned(buf: Buffer, element: Element): number {
  if (element.end - element.start > 8) throw new MalformedMedia('integer longer than 8 bytes');
  let value = 0;
  for (let offset = element.start; offset < element.end; offset += 1) value = value * 256 + buf.readUInt8(offset);
  return value;
}

function float(buf: Buffer, element: Element): number | null {
  const length = element.end - element.start;
  if (length === 4) return buf.readFloatBE(element.start);
  if (length === 8) return buf.readDoubleBE(element.start);
  return null;
}

/** The picture of the first video track of `Tracks`, or undefined when it has none. */
function videoTrack(
  buf: Buffer,
  tracks: Element,
  budget: NodeBudget,
): { width: number | null; height: number | null } | undefined {
  for (const entry of elements(buf, tracks, budget)) {
    if (entry.id !== TRACK_ENTRY) continue;
    let type = 0;
    let video: Element | undefined;
    for (const field of elements(buf, entry, budget)) {
      if (field.id === TRACK_TYPE) type = unsigned(buf, field);
      else if (field.id === VIDEO) video = field;
    }
    if (type !== VIDEO_TRACK) continue;
    const values = new Map<number, number>();
    for (const field of video ? elements(buf, video, budget) : [])
      if ([PIXEL_WIDTH, PIXEL_HEIGHT, DISPLAY_WIDTH, DISPLAY_HEIGHT, DISPLAY_UNIT].includes(field.id))
        values.set(field.id, unsigned(buf, field));
    // Display sizes in pixels (unit 0, the default) are the picture as shown; other units are ratios.
    const inPixels = (values.get(DISPLAY_UNIT) ?? 0) === 0;
    const width = (inPixels ? values.get(DISPLAY_WIDTH) : undefined) ?? values.get(PIXEL_WIDTH) ?? 0;
    const height = (inPixels ? values.get(DISPLAY_HEIGHT) : undefined) ?? values.get(PIXEL_HEIGHT) ?? 0;
    return { width: pixels(width), height: pixels(height) };
  }
  return undefined;
}

const MEDIA_TYPES: Record<string, string> = { webm: 'video/webm', matroska: 'video/x-matroska' };

/** The metadata of a WebM or Matroska video; null when the bytes are not one, or hold no video track. */
export function readMatroska(buf: Buffer): VideoMetadata | null {
  const budget = new NodeBudget();
  try {
    const top = elements(buf, { start: 0, end: buf.length }, budget);
    const header = top.next().value;
    if (!header || header.id !== EBML) return null;
    let docType = '';
    for (const field of elements(buf, header, budget))
      if (field.id === DOC_TYPE) docType = buf.toString('latin1', field.start, field.end).replace(/\0+$/, '');
    const mimeType = Object.hasOwn(MEDIA_TYPES, docType) ? MEDIA_TYPES[docType] : undefined;
    if (!mimeType) return null;
    let segment: Element | undefined;
    for (const element of top) {
      if (element.id === SEGMENT) {
        segment = element;
        break;
      }
    }
    if (!segment) return null;

    let scale = 1_000_000;
    let duration: number | null = null;
    let picture: { width: number | null; height: number | null } | undefined;
    for (const element of elements(buf, segment, budget)) {
      if (element.id === CLUSTER) break;
      if (element.id === TRACKS) picture ??= videoTrack(buf, element, budget);
      if (element.id !== INFO) continue;
      for (const field of elements(buf, element, budget)) {
        if (field.id === TIMESTAMP_SCALE) scale = unsigned(buf, field);
        else if (field.id === DURATION) duration = float(buf, field);
      }
    }
    if (!picture) return null;
    return { mimeType, ...picture, duration: duration === null ? null : seconds((duration * scale) / NANOSECONDS) };
  } catch (error) {
    if (error instanceof MalformedMedia || error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * Small video files built in code (no binary fixture is committed): the container headers a real
 * MP4/QuickTime (ISO BMFF boxes) or WebM/Matroska (EBML elements) file opens with, and a few bytes
 * standing for the coded media.
 */

const u8 = (value: number) => Buffer.from([value & 0xff]);
const u16 = (value: number) => {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value);
  return buf;
};
const u32 = (value: number) => {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value >>> 0);
  return buf;
};
const u64 = (value: bigint | number) => {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(value));
  return buf;
};
const zeros = (length: number) => Buffer.alloc(length);

/** An ISO BMFF box: 32-bit size, type, payload (`large`: the 64-bit size form). */
export function box(type: string, payload: Buffer[] | Buffer = [], large = false): Buffer {
  const body = Buffer.concat(Array.isArray(payload) ? payload : [payload]);
  const head = large
    ? Buffer.concat([u32(1), Buffer.from(type, 'latin1'), u64(16 + body.length)])
    : Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1')]);
  return Buffer.concat([head, body]);
}

const versionAndFlags = (version: number) => Buffer.concat([u8(version), zeros(3)]);

const IDENTITY = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
const QUARTER_TURN = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000];
const matrix = (values: number[]) => Buffer.concat(values.map((value) => u32(value)));

export interface Mp4Options {
  width?: number;
  height?: number;
  timescale?: number;
  /** In timescale units; 0 with `fragmentDuration` for a fragmented file. */
  duration?: number;
  /** Box version of `mvhd` and `tkhd` (1: 64-bit times). */
  version?: 0 | 1;
  /** A phone video filmed upright: stored landscape, turned by the track matrix. */
  rotated?: boolean;
  /** The track's handler: `vide` for video, `soun` for an audio-only file. */
  handler?: string;
  /** `ftyp` major brand; null for an old QuickTime file without `ftyp`. */
  brand?: string | null;
  /** `moov` after the media data (as most cameras write it). */
  moovLast?: boolean;
  /** A `tkhd` of size 0 × 0: the picture is then read from the sample entry. */
  sizeInSampleEntryOnly?: boolean;
  /** `mvex/mehd` fragment duration, in timescale units. */
  fragmentDuration?: number;
  /** Bytes standing for the coded media (`mdat`). */
  mediaBytes?: number;
}

/** An MP4 (or QuickTime) file with one track. */
export function mp4(options: Mp4Options = {}): Buffer {
  const {
    width = 640,
    height = 360,
    timescale = 1000,
    duration = 12_345,
    version = 0,
    rotated = false,
    handler = 'vide',
    brand = 'isom',
    moovLast = false,
    sizeInSampleEntryOnly = false,
    fragmentDuration,
    mediaBytes = 64,
  } = options;
  const times = (value: number) => (version === 1 ? u64(value) : u32(value));
  const mvhd = box('mvhd', [
    versionAndFlags(version),
    times(0),
    times(0),
    u32(timescale),
    times(duration),
    u32(0x10000),
    u16(0x100),
    zeros(10),
    matrix(IDENTITY),
    zeros(24),
    u32(2),
  ]);
  const [tkhdWidth, tkhdHeight] = sizeInSampleEntryOnly ? [0, 0] : [width, height];
  const tkhd = box('tkhd', [
    versionAndFlags(version),
    times(0),
    times(0),
    u32(1),
    u32(0),
    times(duration),
    zeros(8),
    u16(0),
    u16(0),
    u16(handler === 'soun' ? 0x100 : 0),
    u16(0),
    matrix(rotated ? QUARTER_TURN : IDENTITY),
    u32(tkhdWidth * 65536),
    u32(tkhdHeight * 65536),
  ]);
  const mdhd = box('mdhd', [versionAndFlags(0), u32(0), u32(0), u32(timescale), u32(duration), u16(0x55c4), u16(0)]);
  const hdlr = box('hdlr', [
    versionAndFlags(0),
    u32(0),
    Buffer.from(handler, 'latin1'),
    zeros(12),
    Buffer.from('Handler\0'),
  ]);
  const avc1 = box('avc1', [
    zeros(6),
    u16(1),
    u16(0),
    u16(0),
    zeros(12),
    u16(width),
    u16(height),
    u32(0x480000),
    u32(0x480000),
    u32(0),
    u16(1),
    zeros(32),
    u16(0x18),
    u16(0xffff),
  ]);
  const stsd = box('stsd', [versionAndFlags(0), u32(1), avc1]);
  const minf = box('minf', [box(handler === 'soun' ? 'smhd' : 'vmhd', zeros(12)), box('stbl', [stsd])]);
  const trak = box('trak', [tkhd, box('mdia', [mdhd, hdlr, minf])]);
  const mvex =
    fragmentDuration === undefined ? [] : [box('mvex', [box('mehd', [versionAndFlags(0), u32(fragmentDuration)])])];
  const moov = box('moov', [mvhd, ...mvex, trak]);
  const ftyp =
    brand === null ? [] : [box('ftyp', [Buffer.from(brand, 'latin1'), u32(0x200), Buffer.from('isomiso2avc1mp41')])];
  const mdat = box('mdat', Buffer.alloc(mediaBytes, 0x5a));
  return Buffer.concat(moovLast ? [...ftyp, box('free'), mdat, moov] : [...ftyp, moov, mdat]);
}

/** An EBML element: id (its own bytes), an 8-byte size (or "unknown"), payload. */
export function element(id: number, payload: Buffer[] | Buffer = [], unknownSize = false): Buffer {
  const body = Buffer.concat(Array.isArray(payload) ? payload : [payload]);
  const idBytes: number[] = [];
  for (let rest = id; rest > 0; rest = Math.floor(rest / 256)) idBytes.unshift(rest & 0xff);
  const size = unknownSize
    ? Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    : Buffer.concat([u8(1), zeros(1), u16(0), u32(body.length)]);
  return Buffer.concat([Buffer.from(idBytes), size, body]);
}

const uintElement = (id: number, value: number) => element(id, u32(value));
const floatElement = (id: number, value: number) => {
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(value);
  return element(id, buf);
};

export interface WebmOptions {
  width?: number;
  height?: number;
  /** Milliseconds (the default timestamp scale); absent for a live recording (MediaRecorder). */
  durationMs?: number;
  docType?: string;
  /** The only track is audio. */
  audioOnly?: boolean;
  /** The Segment's size is "unknown" (a live recording). */
  unknownSegmentSize?: boolean;
  /** DisplayWidth/DisplayHeight (pixels), when the picture is shown at another size than coded. */
  display?: { width: number; height: number };
}

/** A WebM (or Matroska) file with one track and one cluster. */
export function webm(options: WebmOptions = {}): Buffer {
  const {
    width = 320,
    height = 240,
    durationMs,
    docType = 'webm',
    audioOnly = false,
    unknownSegmentSize = false,
  } = options;
  const header = element(0x1a45dfa3, [
    uintElement(0x4286, 1),
    uintElement(0x42f7, 1),
    uintElement(0x42f2, 4),
    uintElement(0x42f3, 8),
    element(0x4282, Buffer.from(docType, 'latin1')),
    uintElement(0x4287, 4),
    uintElement(0x4285, 2),
  ]);
  const info = element(0x1549a966, [
    uintElement(0x2ad7b1, 1_000_000),
    ...(durationMs === undefined ? [] : [floatElement(0x4489, durationMs)]),
    element(0x4d80, Buffer.from('parley-test')),
  ]);
  const video = element(0xe0, [
    uintElement(0xb0, width),
    uintElement(0xba, height),
    ...(options.display
      ? [uintElement(0x54b0, options.display.width), uintElement(0x54ba, options.display.height)]
      : []),
  ]);
  const entry = element(0xae, [
    uintElement(0xd7, 1),
    uintElement(0x83, audioOnly ? 2 : 1),
    element(0x86, Buffer.from(audioOnly ? 'A_OPUS' : 'V_VP8')),
    ...(audioOnly ? [] : [video]),
  ]);
  const cluster = element(0x1f43b675, [uintElement(0xe7, 0), element(0xa3, Buffer.alloc(32, 0x33))]);
  const segment = element(0x18538067, [info, element(0x1654ae6b, [entry]), cluster], unknownSegmentSize);
  return Buffer.concat([header, segment]);
}

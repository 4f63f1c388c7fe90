import { describe, expect, it } from 'vitest';
import { readIsoBmff } from '../../src/modules/files/iso-bmff.js';
import { readMatroska } from '../../src/modules/files/matroska.js';
import { MAX_NODES } from '../../src/modules/files/video-metadata.js';
import { box, element, mp4, webm } from '../helpers/media-fixtures.js';

/** The container parsers behind `POST /files/video-info`: what they read, and what they refuse. */

const readBoth = (buf: Buffer) => ({ iso: readIsoBmff(buf), matroska: readMatroska(buf) });

describe('ISO BMFF (MP4, QuickTime)', () => {
  it('reads the picture size and the duration of an MP4', () => {
    expect(readIsoBmff(mp4())).toStrictEqual({ mimeType: 'video/mp4', width: 640, height: 360, duration: 12.345 });
  });

  it('reads 64-bit (version 1) headers and a timescale other than milliseconds', () => {
    expect(readIsoBmff(mp4({ version: 1, timescale: 90_000, duration: 90_000 * 61.5 }))).toMatchObject({
      duration: 61.5,
      width: 640,
    });
  });

  it('finds moov after the media data, and reads a large (64-bit size) box', () => {
    expect(readIsoBmff(mp4({ moovLast: true, mediaBytes: 10_000 }))).toMatchObject({ width: 640, height: 360 });
    const large = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), box('mdat', Buffer.alloc(40), true)]);
    const moov = mp4().subarray(mp4().indexOf('moov') - 4);
    expect(readIsoBmff(Buffer.concat([large, moov]))?.duration).toBe(12.345);
  });

  it('turns the size of a video filmed upright (quarter-turn matrix)', () => {
    expect(readIsoBmff(mp4({ width: 1920, height: 1080, rotated: true }))).toMatchObject({ width: 1080, height: 1920 });
  });

  it('tells QuickTime and 3GPP from MP4 by the brand, and reads QuickTime files without ftyp', () => {
    expect(readIsoBmff(mp4({ brand: 'qt  ' }))?.mimeType).toBe('video/quicktime');
    expect(readIsoBmff(mp4({ brand: '3gp5' }))?.mimeType).toBe('video/3gpp');
    expect(readIsoBmff(mp4({ brand: null }))).toMatchObject({ mimeType: 'video/quicktime', width: 640 });
  });

  it('reads the size from the sample entry when the track header has none', () => {
    expect(readIsoBmff(mp4({ sizeInSampleEntryOnly: true, width: 1280, height: 720 }))).toMatchObject({
      width: 1280,
      height: 720,
    });
  });

  it('reads a fragmented file`s duration from mehd, and answers null when no duration is known', () => {
    expect(readIsoBmff(mp4({ duration: 0, fragmentDuration: 4000 }))?.duration).toBe(4);
    expect(readIsoBmff(mp4({ duration: 0 }))?.duration).toBeNull();
    expect(readIsoBmff(mp4({ duration: 0xffff_ffff }))?.duration).toBeNull();
    expect(readIsoBmff(mp4({ timescale: 0 }))?.duration).toBeNull();
  });

  it('refuses an audio-only file, and files that are not ISO BMFF', () => {
    expect(readIsoBmff(mp4({ handler: 'soun' }))).toBeNull();
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from('hello, plain text that is long enough'),
      Buffer.from('<html><script>alert(1)</script></html>'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      webm(),
    ])
      expect(readIsoBmff(bytes)).toBeNull();
  });

  it('refuses malformed boxes without throwing: truncated, oversized, undersized, cut 64-bit sizes', () => {
    const good = mp4();
    const moovAt = good.indexOf('moov') - 4;
    const oversized = Buffer.from(good);
    oversized.writeUInt32BE(good.length, moovAt);
    const undersized = Buffer.from(good);
    undersized.writeUInt32BE(4, moovAt);
    const tkhdAt = good.indexOf('tkhd') - 4;
    const childTooBig = Buffer.from(good);
    childTooBig.writeUInt32BE(0xffff, tkhdAt);
    const cutLarge = Buffer.concat([
      box('ftyp', Buffer.from('isom\0\0\0\0')),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('mdat'),
    ]);
    const hugeLarge = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), box('mdat', Buffer.alloc(8), true)]);
    hugeLarge.writeBigUInt64BE(0xffff_ffff_ffff_ffffn, hugeLarge.length - 16 + 8);
    for (const bytes of [
      good.subarray(0, moovAt + 100),
      good.subarray(0, good.length - 70),
      oversized,
      undersized,
      childTooBig,
      cutLarge,
      hugeLarge,
    ])
      expect(() => readIsoBmff(bytes)).not.toThrow();
    for (const bytes of [good.subarray(0, moovAt + 100), oversized, undersized, childTooBig, cutLarge, hugeLarge])
      expect(readIsoBmff(bytes)).toBeNull();
  });

  it('treats short full boxes as unknown fields, not as out-of-bounds reads', () => {
    const tiny = Buffer.concat([
      box('ftyp', Buffer.from('isom\0\0\0\0')),
      box('moov', [
        box('mvhd', Buffer.from([0, 0, 0, 0, 1])),
        box('trak', [
          box('tkhd', Buffer.alloc(10)),
          box('mdia', [box('hdlr', [Buffer.alloc(8), Buffer.from('vide')])]),
        ]),
      ]),
    ]);
    expect(readIsoBmff(tiny)).toStrictEqual({ mimeType: 'video/mp4', width: null, height: null, duration: null });
  });

  it('stops after a bounded number of boxes', () => {
    const many = Buffer.concat([
      box('ftyp', Buffer.from('isom\0\0\0\0')),
      Buffer.concat(Array.from({ length: MAX_NODES + 10 }, () => box('free'))),
      mp4({ brand: null }),
    ]);
    const started = performance.now();
    expect(readIsoBmff(many)).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('EBML (WebM, Matroska)', () => {
  it('reads the picture size and the duration of a WebM', () => {
    expect(readMatroska(webm({ width: 854, height: 480, durationMs: 7250.5 }))).toStrictEqual({
      mimeType: 'video/webm',
      width: 854,
      height: 480,
      duration: 7.251,
    });
  });

  it('reads Matroska, the display size, and a live recording (unknown sizes, no duration)', () => {
    expect(readMatroska(webm({ docType: 'matroska', durationMs: 1000 }))).toMatchObject({
      mimeType: 'video/x-matroska',
      duration: 1,
    });
    expect(readMatroska(webm({ display: { width: 640, height: 480 } }))).toMatchObject({ width: 640, height: 480 });
    expect(readMatroska(webm({ unknownSegmentSize: true }))).toStrictEqual({
      mimeType: 'video/webm',
      width: 320,
      height: 240,
      duration: null,
    });
  });

  it('refuses audio-only files, other document types, and bytes that are not EBML', () => {
    expect(readMatroska(webm({ audioOnly: true }))).toBeNull();
    expect(readMatroska(webm({ docType: 'notwebm' }))).toBeNull();
    expect(readMatroska(webm({ docType: 'constructor' }))).toBeNull();
    for (const bytes of [Buffer.alloc(0), Buffer.alloc(64), Buffer.from('not a video at all'), mp4()])
      expect(readMatroska(bytes)).toBeNull();
  });

  it('reads a file whose media is cut off, as it does an MP4 whose mdat is', () => {
    const good = webm({ durationMs: 1000 });
    expect(readMatroska(good.subarray(0, good.length - 20))).toMatchObject({ width: 320, duration: 1 });
    const mp4File = mp4();
    expect(readIsoBmff(mp4File.subarray(0, mp4File.length - 20))).toMatchObject({ width: 640 });
  });

  it('refuses malformed elements without throwing', () => {
    const good = webm({ durationMs: 1000 });
    const zeroLead = Buffer.from(good);
    zeroLead[good.indexOf(Buffer.from([0x15, 0x49, 0xa9, 0x66]))] = 0;
    const tracksAt = good.indexOf(Buffer.from([0x16, 0x54, 0xae, 0x6b]));
    const tooBig = Buffer.from(good);
    tooBig.writeUInt32BE(0x7fffffff, tracksAt + 4 + 4);
    const longInteger = Buffer.concat([
      element(0x1a45dfa3, element(0x4282, Buffer.from('webm'))),
      element(0x18538067, element(0x1654ae6b, element(0xae, element(0x83, Buffer.alloc(9, 1))))),
    ]);
    for (const bytes of [good.subarray(0, 30), good.subarray(0, good.length - 60), zeroLead, tooBig, longInteger]) {
      expect(() => readMatroska(bytes)).not.toThrow();
      expect(readBoth(bytes).iso).toBeNull();
    }
    for (const bytes of [good.subarray(0, 30), zeroLead, tooBig, longInteger]) expect(readMatroska(bytes)).toBeNull();
  });

  it('stops after a bounded number of elements', () => {
    const voids = Buffer.concat(Array.from({ length: MAX_NODES + 10 }, () => Buffer.from([0xec, 0x80])));
    const header = element(0x1a45dfa3, element(0x4282, Buffer.from('webm')));
    expect(readMatroska(Buffer.concat([header, element(0x18538067, voids)]))).toBeNull();
  });
});

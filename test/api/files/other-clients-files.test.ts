import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { Multipart } from '../../helpers/chat-bola-cases.js';
import { mp4, webm } from '../../helpers/media-fixtures.js';
import { useFileLimitApp } from '../../helpers/files-suite.js';

/**
 * Files as IMKIT's mobile and Vue clients use them (other-clients.md 1.4, 1.5, 4.5): the Flutter
 * SDK's upload answer (`bucketName`) and download URL, the rooms named by `extra.roomID`/`roomId`,
 * and the Vue client's video upload `POST /files/video-info`.
 */

/** Every byte value: content that would not survive a text round trip. */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));

function expectError(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json().error?.code, response.body).toBe(code);
}

describe('files for the mobile and Vue clients', () => {
  let t: TestApp;
  let base: string;
  const tokens: Record<string, string> = {};

  /** Flutter's headers: every request's headers are replaced by these three. */
  const flutter = (user: string) => ({
    'IM-CLIENT-KEY': t.clientKey,
    'IM-Authorization': tokens[user]!,
    'IM-CLIENT-ID': user,
  });
  /** The Vue client's headers. */
  const vue = (user: string) => ({ 'IM-Authorization': tokens[user]!, 'IM-Client-Key': t.clientKey });
  const post = (user: string, url: string, form: Multipart) =>
    t.app.inject({
      method: 'POST',
      url,
      remoteAddress: '127.0.0.1',
      headers: { ...vue(user), 'content-type': form.contentType },
      payload: form.payload,
    });
  const get = (user: string, url: string) =>
    t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1', headers: vue(user) });
  const video = (content: Buffer, autoUpload?: unknown, type = 'video/mp4', name = 'clip.mp4') =>
    new Multipart(autoUpload === undefined ? {} : { autoUpload: JSON.stringify(autoUpload) }, {
      name,
      type,
      content,
    });

  beforeAll(async () => {
    t = await buildTestApp();
    for (const user of ['alice', 'bob', 'carol']) tokens[user] = await t.createUser(user);
    await createRoom(t, { _id: 'ab', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 'bc', members: ['bob', 'carol'] });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  describe('Flutter upload and download (other-clients 1.4, 1.5)', () => {
    it('answers bucketName, and the URL the SDK builds from it serves the bytes', async () => {
      const form = new FormData();
      form.append('file', new Blob([BINARY], { type: 'application/pdf' }), 'report.pdf');
      const response = await fetch(`${base}/files/chatserver-upload`, {
        method: 'POST',
        headers: flutter('alice'),
        body: form,
      });
      expect(response.status).toBe(200);
      const body: any = await response.json();
      const uploaded = body.result;
      expect(uploaded).toMatchObject({
        _id: expect.stringMatching(/^[0-9a-f]{24}$/),
        bucket: 'chatserver-upload',
        bucketName: 'chatserver-upload',
        filename: 'report.pdf',
        mimetype: 'application/pdf',
        length: BINARY.length,
        client: 'alice',
        uploadDate: expect.any(String),
        uploadDateMS: expect.any(Number),
      });
      expect(uploaded.id).toBe(uploaded._id);
      expect(new Date(uploaded.uploadDate).getTime()).toBe(uploaded.uploadDateMS);
      // `{chatServerURL}/files/{bucketName}/{_id}`, fetched by the cache manager with the client key and token.
      const url = `${base}/files/${uploaded.bucketName}/${uploaded._id}`;
      for (const headers of [flutter('alice'), { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': tokens.alice! }]) {
        const download = await fetch(url, { headers });
        expect(download.status).toBe(200);
        expect(Buffer.from(await download.arrayBuffer()).equals(BINARY)).toBe(true);
      }
      expect(expectOk(await get('alice', `/files/${uploaded.bucketName}/${uploaded._id}/metadata`))).toStrictEqual(
        uploaded,
      );
    });
  });

  describe('the room an upload names', () => {
    const upload = async (user: string, extra: unknown) =>
      expectOk(
        await post(
          user,
          '/files/chat',
          new Multipart({ extra: JSON.stringify(extra) }, { name: 'a.txt', type: 'text/plain', content: 'shared?' }),
        ),
      );

    it('shares an upload in extra.room, extra.roomID (history) or extra.roomId (Vue) when the uploader is a member', async () => {
      for (const extra of [{ room: 'ab' }, { roomID: 'ab' }, { roomId: 'ab' }]) {
        const file = await upload('alice', extra);
        expect(file.extra).toStrictEqual(extra);
        expect((await get('bob', `/files/chat/${file._id}`)).body, JSON.stringify(extra)).toBe('shared?');
        expectError(await get('carol', `/files/chat/${file._id}`), 404, 'NOT_FOUND');
      }
    });

    it("shares nothing in a room the uploader is not in (a room's members cannot be handed files that way)", async () => {
      for (const extra of [{ roomID: 'bc' }, { roomId: 'bc' }, { room: 'bc', roomID: 'ab' }]) {
        const file = await upload('alice', extra);
        expectError(await get('carol', `/files/chat/${file._id}`), 404, 'NOT_FOUND');
      }
      const form = video(mp4(), { bucket: 'chat', extra: { roomID: 'bc' } });
      const stored = expectOk(await post('alice', '/files/video-info', form));
      expectError(await get('carol', stored.originalUrl), 404, 'NOT_FOUND');
      // The first room field given wins; an empty or non-string one is skipped.
      const second = await upload('alice', { room: '', roomID: 5, roomId: 'ab' });
      expect((await get('bob', `/files/chat/${second._id}`)).statusCode).toBe(200);
    });
  });

  describe('POST /files/video-info (Vue, other-clients 4.5)', () => {
    it('stores an MP4 sent as the Vue client sends it and answers its id, size and length', async () => {
      const content = mp4({ width: 1280, height: 720, timescale: 600, duration: 600 * 9 });
      const form = new FormData();
      form.append('file', new Blob([content], { type: 'video/mp4' }), encodeURIComponent('holiday clip.mp4'));
      form.append('autoUpload', JSON.stringify({ bucket: 'chat', extra: { roomID: 'ab' } }));
      const response = await fetch(`${base}/files/video-info`, { method: 'POST', headers: vue('alice'), body: form });
      expect(response.status).toBe(200);
      const { RC, result } = (await response.json()) as any;
      expect(RC).toBe(0);
      expect(result).toStrictEqual({
        originalId: expect.stringMatching(/^[0-9a-f]{24}$/),
        originalUrl: `/files/chat/${result.originalId}`,
        thumbnailUrl: null,
        width: 1280,
        height: 720,
        duration: 9,
        mimeType: 'video/mp4',
        bytes: content.length,
        bucketName: 'chat',
      });
      // Stored like any upload: the bytes back, as passive media, for the room the upload named.
      const download = await get('bob', result.originalUrl);
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(content)).toBe(true);
      expect(download.headers['content-type']).toBe('video/mp4');
      expect(download.headers['content-disposition']).toMatch(/^inline; /);
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      expectError(await get('carol', result.originalUrl), 404, 'NOT_FOUND');
      expect(expectOk(await get('alice', `${result.originalUrl}/metadata`))).toMatchObject({
        owner: 'alice',
        extra: { roomID: 'ab' },
        name: 'holiday%20clip.mp4',
      });
    });

    it('defaults to the bucket chatserver-upload, and reads WebM, Matroska, QuickTime and turned phone videos', async () => {
      const cases: Array<[Buffer, string, Record<string, unknown>]> = [
        [webm({ width: 854, height: 480, durationMs: 2500 }), 'video/webm', { width: 854, height: 480, duration: 2.5 }],
        [webm({ docType: 'matroska' }), 'video/x-matroska', { width: 320, height: 240, duration: null }],
        [mp4({ brand: 'qt  ' }), 'video/quicktime', { width: 640, height: 360, duration: 12.345 }],
        [mp4({ width: 1920, height: 1080, rotated: true }), 'video/mp4', { width: 1080, height: 1920 }],
      ];
      for (const [content, type, expected] of cases) {
        const result = expectOk(await post('alice', '/files/video-info', video(content, undefined, type, 'v')));
        expect(result, type).toMatchObject({ ...expected, bucketName: 'chatserver-upload', mimeType: type });
        expect((await get('alice', result.originalUrl)).rawPayload.equals(content)).toBe(true);
      }
    });

    it('keeps a declared video type; any other declared type gives way to the container`s', async () => {
      const content = mp4();
      const as = async (type: string) =>
        expectOk(await post('alice', '/files/video-info', video(content, { bucket: 'chat' }, type)));
      expect((await as('video/x-m4v')).mimeType).toBe('video/x-m4v');
      for (const type of ['text/html', 'application/octet-stream', 'image/svg+xml', 'not a type']) {
        const result = await as(type);
        expect(result.mimeType, type).toBe('video/mp4');
        expect((await get('alice', result.originalUrl)).headers['content-type'], type).toBe('video/mp4');
      }
    });

    it('refuses a file that is not a video it can read with 400 INVALID_REQUEST', async () => {
      for (const [content, type] of [
        [Buffer.from('just some text'), 'video/mp4'],
        [Buffer.from('<html><script>alert(1)</script></html>'), 'text/html'],
        [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
        [mp4({ handler: 'soun' }), 'audio/mp4'],
        [webm({ audioOnly: true }), 'audio/webm'],
        [mp4().subarray(0, 120), 'video/mp4'],
        [Buffer.alloc(0), 'video/mp4'],
      ] as const) {
        const response = await post('alice', '/files/video-info', video(content, { bucket: 'chat' }, type));
        expectError(response, 400, 'INVALID_REQUEST');
        expect(response.json().error.message).toMatch(/not a video/);
      }
    });

    it('refuses bad autoUpload fields, bodies that are not a file upload, and callers without credentials', async () => {
      const content = mp4();
      for (const autoUpload of ['not json', '[]', '"chat"', 'null']) {
        const form = new Multipart({ autoUpload }, { name: 'v.mp4', type: 'video/mp4', content });
        expectError(await post('alice', '/files/video-info', form), 400, 'INVALID_REQUEST');
      }
      for (const autoUpload of [
        { bucket: '../etc' },
        { bucket: '' },
        { bucket: 'x'.repeat(65) },
        { bucket: 5 },
        { bucket: 'chat', extra: ['roomID'] },
        { bucket: 'chat', extra: 'ab' },
      ])
        expectError(await post('alice', '/files/video-info', video(content, autoUpload)), 400, 'INVALID_REQUEST');
      expectError(
        await post('alice', '/files/video-info', new Multipart({ autoUpload: '{}' })),
        400,
        'INVALID_REQUEST',
      );
      const json = await t.app.inject({
        method: 'POST',
        url: '/files/video-info',
        remoteAddress: '127.0.0.1',
        headers: { ...vue('alice'), 'content-type': 'application/json' },
        payload: JSON.stringify({ file: 'x' }),
      });
      expect(json.statusCode).toBe(415);
      const form = video(content);
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/files/video-info',
        remoteAddress: '127.0.0.1',
        headers: { 'content-type': form.contentType },
        payload: form.payload,
      });
      expect(anonymous.statusCode).toBe(401);
    });

    it('takes an extra field when autoUpload has none, and still serves downloads from a bucket named video-info', async () => {
      const form = new Multipart(
        { autoUpload: JSON.stringify({ bucket: 'video-info' }), extra: JSON.stringify({ roomId: 'ab' }) },
        { name: 'v.mp4', type: 'video/mp4', content: mp4() },
      );
      const result = expectOk(await post('alice', '/files/video-info', form));
      expect(result.bucketName).toBe('video-info');
      expect((await get('bob', `/files/video-info/${result.originalId}`)).statusCode).toBe(200);
      expect(expectOk(await get('bob', `/files/video-info/${result.originalId}/metadata`)).extra).toStrictEqual({
        roomId: 'ab',
      });
    });
  });

  describe('file size limit', () => {
    const small = useFileLimitApp(2048);

    it('holds a video to limits.fileBytes like any upload (413 PAYLOAD_TOO_LARGE)', async () => {
      const send = (content: Buffer) => {
        const form = new Multipart({}, { name: 'v.mp4', type: 'video/mp4', content });
        return small.t.app.inject({
          method: 'POST',
          url: '/files/video-info',
          remoteAddress: '127.0.0.1',
          headers: {
            'IM-Client-Key': small.t.clientKey,
            'IM-Authorization': small.token,
            'content-type': form.contentType,
          },
          payload: form.payload,
        });
      };
      expect(expectOk(await send(mp4({ mediaBytes: 100 }))).width).toBe(640);
      expectError(await send(mp4({ mediaBytes: 4096 })), 413, 'PAYLOAD_TOO_LARGE');
    });
  });
});

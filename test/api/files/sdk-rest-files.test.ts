import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { multipartBody, type FormPart } from '../../helpers/client-http.js';
import { useFileLimitApp } from '../../helpers/files-suite.js';
import {
  base,
  createHelpersRoom,
  expectSdkError,
  sdk,
  t,
  tokens,
  userHeaders,
  useSdkRestApp,
} from '../../helpers/sdk-rest-suite.js';

/**
 * The REST calls IMKIT's web SDKs make (realtime-protocol.md 6), sent as they send them: user calls
 * with `CLIENT_KEY` + `IM-Authorization`, admin calls with `API_KEY` only, JSON bodies with
 * `application/json;charset=utf-8`, DELETEs with a `{}` body, query values serialized like axios 0.18.
 * The SDKs resolve with `body.result` only on 2xx with `RC === 0`, read `result.data` arrays of list
 * calls, and need every error to be non-2xx (with `RC`), so each case checks those too.
 */

/** A multipart/form-data body as a browser's FormData sends it (for app.inject). */
const multipart = (parts: FormPart[]) => multipartBody(parts, 'browser');

/** Every byte value, twice, plus a tail: binary content that would not survive a text round trip. */
const BINARY = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)),
  Buffer.from('\r\n--end'),
]);

/** POST /files/docs of a multipart body as carol, the way a browser sends FormData. */
const uploadDoc = (form: ReturnType<typeof multipart>) =>
  t.app.inject({
    method: 'POST',
    url: '/files/docs',
    remoteAddress: '127.0.0.1',
    headers: { ...userHeaders(tokens.carol!), 'content-type': form.contentType },
    payload: form.payload,
  });

describe('SDK REST calls (realtime protocol 6)', () => {
  useSdkRestApp();

  describe('files', () => {
    let uploaded: any;
    let appX: { clientKey: string; token: string };

    beforeAll(async () => {
      await createHelpersRoom();
      const other = await t.services.apps.create('Files other app', 'files-other-app');
      const key = (await t.services.keys.create(other.id, { name: 'x' }, 'test')).secret;
      const created = await t.app.inject({
        method: 'POST',
        url: '/admin/clients',
        remoteAddress: '127.0.0.1',
        headers: { API_KEY: key, 'content-type': 'application/json' },
        payload: JSON.stringify({ _id: 'xavier', issueAccessToken: true }),
      });
      appX = { clientKey: other.clientKey, token: expectOk(created).token };
    });

    it('uploads a multipart file (FormData) and returns its metadata', async () => {
      const form = new FormData();
      form.append('extra', JSON.stringify({ room: 'helpers', width: 16 }));
      form.append('file', new Blob([BINARY], { type: 'image/png' }), 'pixel ü.png');
      const response = await fetch(`${base}/files/chat-images`, {
        method: 'POST',
        headers: userHeaders(tokens.alice!),
        body: form,
      });
      expect(response.status).toBe(200);
      const body: any = await response.json();
      expect(body).toMatchObject({ RC: 0, RM: 'OK' });
      uploaded = body.result;
      expect(uploaded).toStrictEqual({
        id: uploaded.id,
        _id: uploaded.id,
        bucket: 'chat-images',
        name: 'pixel ü.png',
        mimeType: 'image/png',
        size: BINARY.length,
        owner: 'alice',
        extra: { room: 'helpers', width: 16 },
        createdAt: uploaded.createdAt,
        // The history's names of the same fields (platform-api-history 9; the Flutter SDK reads bucketName).
        bucketName: 'chat-images',
        filename: 'pixel ü.png',
        mimetype: 'image/png',
        length: BINARY.length,
        client: 'alice',
        uploadDate: uploaded.createdAt,
        uploadDateMS: Date.parse(uploaded.createdAt),
        appID: t.appId,
        md5: createHash('md5').update(BINARY).digest('hex'),
        chunkSize: 261120,
      });
      expect(typeof uploaded.id).toBe('string');
      expect(Number.isNaN(Date.parse(uploaded.createdAt))).toBe(false);
    });

    it('downloads the same bytes, with the content type, at the URL the SDK builds', async () => {
      // file.upload resolves with "{domain}/files/{bucket}/{result.id}"; file.download fetches it with the user headers.
      const response = await fetch(`${base}/files/chat-images/${uploaded.id}`, { headers: userHeaders(tokens.bob!) });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await response.arrayBuffer()).equals(BINARY)).toBe(true);
      // The members of the room the upload named (extra.room) may read it, the metadata too; other users may not (issue 9 item 6).
      expect(expectOk(await sdk(tokens.bob!, 'GET', `/files/chat-images/${uploaded.id}/metadata`))).toStrictEqual(
        uploaded,
      );
      expectSdkError(await sdk(tokens.dave!, 'GET', `/files/chat-images/${uploaded.id}/metadata`), 404, 'NOT_FOUND');
      // Without credentials: no.
      expect((await fetch(`${base}/files/chat-images/${uploaded.id}`)).status).toBe(401);
      expectSdkError(await sdk(tokens.bob!, 'GET', `/files/chat-images/${'0'.repeat(24)}`), 404, 'NOT_FOUND');
      expectSdkError(await sdk(tokens.bob!, 'GET', `/files/other-bucket/${uploaded.id}`), 404, 'NOT_FOUND');
      expectSdkError(await sdk(tokens.bob!, 'GET', `/files/other-bucket/${uploaded.id}/metadata`), 404, 'NOT_FOUND');
    });

    it('gives a signed URL that works without headers; a tampered one is 404', async () => {
      const { url } = expectOk(await sdk(tokens.bob!, 'GET', `/files/chat-images/${uploaded.id}?signedUrlOnly=1`));
      // Absolute, on the host the request named (here the injected request's).
      expect(new URL(url).pathname).toBe(`/files/chat-images/${uploaded.id}/signed`);
      const onServer = `${base}${new URL(url).pathname}${new URL(url).search}`;
      const plain = await fetch(onServer);
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await plain.arrayBuffer()).equals(BINARY)).toBe(true);
      // The SDK fetches it with the user headers as well.
      const withHeaders = await fetch(onServer, { headers: userHeaders(tokens.bob!) });
      expect(Buffer.from(await withHeaders.arrayBuffer()).equals(BINARY)).toBe(true);

      const signed = new URL(url, base);
      const variant = (change: (params: URLSearchParams) => void, path = signed.pathname) => {
        const params = new URLSearchParams(signed.search);
        change(params);
        return `${path}?${params}`;
      };
      const signature = signed.searchParams.get('signature')!;
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      const tampered = [
        variant((params) => params.set('signature', flipped)),
        variant((params) => params.set('signature', '')),
        variant((params) => params.delete('signature')),
        variant((params) => params.set('expires', String(Number(params.get('expires')) + 1))),
        variant((params) => params.set('expires', String(Math.floor(Date.now() / 1000) - 10))),
        variant((params) => params.set('app', 'some-other-app')),
        variant(() => undefined, `/files/other-bucket/${uploaded.id}/signed`),
      ];
      for (const attempt of tampered) {
        const response = await t.app.inject({ method: 'GET', url: attempt, remoteAddress: '127.0.0.1' });
        expect([400, 404], `${attempt}: ${response.body}`).toContain(response.statusCode);
        expect(response.body).not.toContain(BINARY.subarray(0, 64).toString('latin1'));
      }
      // The signature itself is what is checked: a well-formed but wrong one is a 404.
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[0]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[3]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[4]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[5]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
    });

    it("keeps files to their application: another app's user gets 404, and its signed URLs open nothing of ours", async () => {
      const asX = (url: string) =>
        t.app.inject({
          method: 'GET',
          url,
          remoteAddress: '127.0.0.1',
          headers: userHeaders(appX.token, appX.clientKey),
        });
      expectSdkError(await asX(`/files/chat-images/${uploaded.id}`), 404, 'NOT_FOUND');
      expectSdkError(await asX(`/files/chat-images/${uploaded.id}/metadata`), 404, 'NOT_FOUND');
      expectSdkError(await asX(`/files/chat-images/${uploaded.id}?signedUrlOnly=1`), 404, 'NOT_FOUND');
      // App 2 uploads its own file; its signed URL, pointed at our file, does not open it.
      const { payload, contentType } = multipart([
        { name: 'file', filename: 'x.txt', type: 'text/plain', content: Buffer.from('x app secret') },
      ]);
      const own = expectOk(
        await t.app.inject({
          method: 'POST',
          url: '/files/chat-images',
          remoteAddress: '127.0.0.1',
          headers: { ...userHeaders(appX.token, appX.clientKey), 'content-type': contentType },
          payload,
        }),
      );
      expect(own.owner).toBe('xavier');
      const { url } = expectOk(await asX(`/files/chat-images/${own.id}?signedUrlOnly=1`));
      expect((await t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' })).body).toBe('x app secret');
      const pointed = url.replace(own.id, uploaded.id);
      expectSdkError(await t.app.inject({ method: 'GET', url: pointed, remoteAddress: '127.0.0.1' }), 404, 'NOT_FOUND');
      // And app 1's users cannot read app 2's file.
      expectSdkError(await sdk(tokens.alice!, 'GET', `/files/chat-images/${own.id}`), 404, 'NOT_FOUND');
      expectSdkError(await sdk(tokens.alice!, 'GET', `/files/chat-images/${own.id}/metadata`), 404, 'NOT_FOUND');
    });

    it('accepts a hand-built multipart body without extra, and refuses bodies that are not a file upload', async () => {
      const { payload, contentType } = multipart([
        { name: 'file', filename: 'notes.txt', type: 'text/plain', content: Buffer.from('plain notes') },
      ]);
      const stored = expectOk(
        await t.app.inject({
          method: 'POST',
          url: '/files/docs',
          remoteAddress: '127.0.0.1',
          headers: { ...userHeaders(tokens.carol!), 'content-type': contentType },
          payload,
        }),
      );
      expect(stored).toMatchObject({
        bucket: 'docs',
        name: 'notes.txt',
        mimeType: 'text/plain',
        size: 11,
        owner: 'carol',
        extra: {},
      });
      expect((await sdk(tokens.carol!, 'GET', `/files/docs/${stored.id}`)).body).toBe('plain notes');
      // Shared in no room: only its uploader (and the API key) read it (issue 9 item 6).
      expectSdkError(await sdk(tokens.alice!, 'GET', `/files/docs/${stored.id}`), 404, 'NOT_FOUND');

      const noFile = multipart([{ name: 'extra', value: '{}' }]);
      expectSdkError(await uploadDoc(noFile), 400, 'INVALID_REQUEST');
      const badExtra = multipart([
        { name: 'extra', value: 'not json' },
        { name: 'file', filename: 'a.txt', type: 'text/plain', content: Buffer.from('a') },
      ]);
      expectSdkError(await uploadDoc(badExtra), 400, 'INVALID_REQUEST');
      const response = await sdk(tokens.carol!, 'POST', '/files/docs', { file: 'not multipart' });
      expect(response.statusCode).toBe(415);
      expect(response.json().RC).toBe(415);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/files/docs',
            remoteAddress: '127.0.0.1',
            headers: { 'content-type': contentType },
            payload,
          })
        ).statusCode,
      ).toBe(401);
    });
  });

  describe('file size limit', () => {
    const small = useFileLimitApp(2048);

    const upload = (size: number) => {
      const { payload, contentType } = multipart([
        { name: 'extra', value: '{"k":1}' },
        { name: 'file', filename: 'blob.bin', type: 'application/octet-stream', content: Buffer.alloc(size, 7) },
      ]);
      return small.t.app.inject({
        method: 'POST',
        url: '/files/uploads',
        remoteAddress: '127.0.0.1',
        headers: { CLIENT_KEY: small.t.clientKey, 'IM-Authorization': small.token, 'content-type': contentType },
        payload,
      });
    };

    it('accepts a file of exactly limits.fileBytes and refuses a larger one with 413 PAYLOAD_TOO_LARGE', async () => {
      expect(expectOk(await upload(2048)).size).toBe(2048);
      expectSdkError(await upload(2049), 413, 'PAYLOAD_TOO_LARGE');
      expectSdkError(await upload(100_000), 413, 'PAYLOAD_TOO_LARGE');
    });
  });
});

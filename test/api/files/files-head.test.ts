import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { multipartBody } from '../../helpers/client-http.js';
import { expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, makeRoom, t, useMessagesApp } from '../../helpers/messages-suite.js';

/** `x-imkit-*` download headers and `HEAD /files/:bucket/:id` (history 9.2, 9.3). */

useMessagesApp();

const ACTIVE = Buffer.from('<html><script>alert(document.cookie)</script></html>');
const NAME = 'ünï <x>.html';

async function upload(token: string, extra: Record<string, unknown>): Promise<any> {
  const form = multipartBody(
    [
      { name: 'extra', value: JSON.stringify(extra) },
      { name: 'file', filename: NAME, type: 'text/html', content: ACTIVE },
    ],
    'browser',
  );
  return expectOk(
    await t.app.inject({
      method: 'POST',
      url: '/files/docs',
      remoteAddress: '127.0.0.1',
      headers: { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': token, 'content-type': form.contentType },
      payload: form.payload,
    }),
  );
}

const call = (method: 'GET' | 'HEAD', url: string, token?: string) =>
  t.app.inject({
    method,
    url,
    remoteAddress: '127.0.0.1',
    headers: token ? { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': token } : {},
  });

const imkit = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-imkit-')));

describe('file metadata headers and HEAD (history 9.2, 9.3)', () => {
  it('sends the x-imkit-* headers with GET, and the same status and headers without a body with HEAD', async () => {
    const room = await makeRoom();
    const before = Date.now();
    const file = await upload(alice, { roomID: room, note: 'café' });
    const url = `/files/docs/${file.id ?? file._id}`;
    const id = file.id ?? file._id;
    const got = await call('GET', url, bob);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.rawPayload.equals(ACTIVE)).toBe(true);
    const headers = imkit(got.headers);
    expect(headers).toStrictEqual({
      'x-imkit-id': id,
      'x-imkit-objectid': id,
      'x-imkit-filename': encodeURIComponent(NAME),
      'x-imkit-md5': createHash('md5').update(ACTIVE).digest('hex'),
      'x-imkit-chunksize': '261120',
      'x-imkit-uploaddate': expect.any(String),
      'x-imkit-uploaddatems': expect.stringMatching(/^\d+$/),
      'x-imkit-extra': expect.any(String),
      'x-imkit-appid': t.appId,
      'x-imkit-client': 'alice',
      'x-imkit-bucketname': 'docs',
    });
    const ms = Number(headers['x-imkit-uploaddatems']);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(String(headers['x-imkit-uploaddate']))).toBe(Math.floor(ms / 1000) * 1000);
    // ASCII-escaped JSON: the same object back.
    expect(String(headers['x-imkit-extra'])).not.toContain('é');
    expect(JSON.parse(String(headers['x-imkit-extra']))).toMatchObject({ roomID: room, note: 'café' });

    const head = await call('HEAD', url, bob);
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(imkit(head.headers)).toStrictEqual(headers);
    expect(head.headers['content-length']).toBe(String(ACTIVE.length));
    // Never active content, for HEAD as for GET.
    for (const response of [got, head]) {
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(String(response.headers['content-disposition'])).toMatch(/^attachment;/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    }
  });

  it('refuses HEAD exactly as GET: no user, an outsider, an unknown file or bucket; no metadata leaks', async () => {
    const room = await makeRoom();
    const file = await upload(alice, { roomID: room });
    const id = file.id ?? file._id;
    const cases: Array<[string, string | undefined]> = [
      [`/files/docs/${id}`, undefined],
      [`/files/docs/${id}`, carol],
      [`/files/docs/${'0'.repeat(24)}`, bob],
      [`/files/other-bucket/${id}`, bob],
    ];
    for (const [url, token] of cases) {
      const got = await call('GET', url, token);
      const head = await call('HEAD', url, token);
      expect(got.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(head.statusCode, url).toBe(got.statusCode);
      expect(imkit(head.headers), url).toStrictEqual({});
      expect(imkit(got.headers), url).toStrictEqual({});
    }
  });

  it('keeps the uploader and app out of signed-URL downloads', async () => {
    const room = await makeRoom();
    const file = await upload(alice, { roomID: room });
    const id = file.id ?? file._id;
    const { url } = expectOk(await call('GET', `/files/docs/${id}?signedUrlOnly=1`, bob));
    const signed = new URL(url);
    const got = await call('GET', `${signed.pathname}${signed.search}`);
    expect(got.statusCode).toBe(200);
    expect(imkit(got.headers)).toStrictEqual({});
  });
});

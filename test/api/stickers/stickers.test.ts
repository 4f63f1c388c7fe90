import { zipSync, type Zippable } from 'fflate';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../../helpers/client-http.js';
import { badRequest, shapeB } from '../../helpers/errors.js';
import { expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (label: string) => Buffer.concat([PNG_MAGIC, Buffer.from(`png body ${label}`)]);
const gif = Buffer.from('GIF89a tiny gif body');
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

const zip = (files: Record<string, Buffer>, level: 0 | 6 = 6) =>
  Buffer.from(
    zipSync(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { level }]])) as Zippable),
  );
const goodSet = () => zip({ 'tab.png': png('tab'), '01.png': png('one'), '02.gif': gif });

let t: TestApp;
let userToken: string;
let otherApp: { clientKey: string; apiKey: string; token: string };

function form(fields: Record<string, string>, archive?: Buffer) {
  const parts = [
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...(archive ? [{ name: 'file', filename: 'set.zip', type: 'application/zip', content: archive }] : []),
  ];
  return multipartBody(parts, 'browser');
}

function upload(fields: Record<string, string>, archive?: Buffer, apiKey = t.apiKey): Promise<LightMyRequestResponse> {
  const { payload, contentType } = form(fields, archive);
  return t.app.inject({
    method: 'POST',
    url: '/admin/stickers',
    payload,
    headers: { 'content-type': contentType, 'im-api-key': apiKey },
    remoteAddress: '127.0.0.1',
  });
}

function asUser(url: string, clientKey = t.clientKey, token = userToken, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'GET',
    url,
    headers: { 'im-client-key': clientKey, 'im-authorization': token, ...headers },
    remoteAddress: '127.0.0.1',
  });
}

const res = (resourceId: string) => `/stickers/res?resourceId=${encodeURIComponent(resourceId)}`;

beforeAll(async () => {
  t = await buildTestApp();
  userToken = await t.createUser('sticker-user');
  const app2 = await t.services.apps.create('Other app', 'other-sticker-app');
  const apiKey = (await t.services.keys.create(app2.id, { name: 'x' }, 'test')).secret;
  const created = await t.app.inject({
    method: 'POST',
    url: '/admin/clients',
    payload: { _id: 'other-user', nickname: 'Other', issueAccessToken: true },
    headers: { 'im-api-key': apiKey },
    remoteAddress: '127.0.0.1',
  });
  otherApp = { clientKey: app2.clientKey, apiKey, token: expectOk(created).token };
});
afterAll(() => t.close());

describe('POST /admin/stickers (history 10.1)', () => {
  it('stores a set and answers its record with a storage object per file', async () => {
    const result = expectOk(await upload({ _id: 'sample', name: 'Sample', order: '2' }, goodSet()));
    expect(result).toMatchObject({ _id: 'sample', __v: 0, name: 'Sample', order: 2 });
    expect(result.zip).toStrictEqual({
      ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      Location: '/stickers/res?resourceId=sample%2Fsample.zip',
      Key: 'stickers/sample/sample.zip',
      Bucket: 'stickers',
      resourceId: 'sample/sample.zip',
    });
    expect(result.images.map((image: any) => image.resourceId)).toStrictEqual([
      'sample/01.png',
      'sample/02.gif',
      'sample/tab.png',
    ]);
    expect(result.createdAtMS).toBe(result.updatedAtMS);
  });

  it('replaces a set with the same _id: new files, version up, creation time kept, old files gone', async () => {
    const first = expectOk(await upload({ _id: 'swap', name: 'Before' }, goodSet()));
    const second = expectOk(
      await upload(
        { _id: 'swap', name: 'After', order: '5' },
        zip({ 'set/tab.png': png('t2'), 'set/07.png': png('7') }),
      ),
    );
    expect(second).toMatchObject({ _id: 'swap', __v: 1, name: 'After', order: 5, createdAtMS: first.createdAtMS });
    expect(second.images.map((image: any) => image.resourceId)).toStrictEqual(['swap/07.png', 'swap/tab.png']);
    expect((await asUser(res('swap/01.png'))).statusCode).toBe(404);
    expect((await asUser(res('swap/07.png'))).rawPayload.equals(png('7'))).toBe(true);
    // Only the new set's three files remain in the files storage.
    const rows = await t.services.storage.db
      .selectFrom('files')
      .select('name')
      .where('bucket', '=', 'stickers')
      .where('name', 'like', 'swap/%')
      .execute();
    expect(rows.map((row: any) => row.name).sort()).toStrictEqual(['swap/07.png', 'swap/swap.zip', 'swap/tab.png']);
  });

  it.each([
    ['no tab.png', zip({ '01.png': png('1') }), /tab\.png/],
    ['no numbered image', zip({ 'tab.png': png('t') }), /01/],
    ['an SVG named as one', zip({ 'tab.png': png('t'), '01.svg': svg }), /only tab and 01/],
    ['SVG bytes named .png', zip({ 'tab.png': png('t'), '01.png': svg }), /not a PNG/],
    ['another file', zip({ 'tab.png': png('t'), '01.png': png('1'), 'run.js': Buffer.from('x') }), /run\.js/],
    ['a path leaving the archive', zip({ 'tab.png': png('t'), '../01.png': png('1') }), /not a zip|relative path/],
    ['an absolute path', zip({ 'tab.png': png('t'), '/etc/01.png': png('1') }), /not a zip|absolute path/],
    ['a deep path', zip({ 'tab.png': png('t'), 'a/b/01.png': png('1') }), /one folder/],
    ['the same image twice', zip({ 'tab.png': png('t'), '01.png': png('1'), 'x/01.png': png('1') }), /twice/],
    ['not a zip at all', Buffer.from('just text, no archive'), /not a zip/],
    [
      'too many entries',
      zip(Object.fromEntries(Array.from({ length: 121 }, (_, i) => [`d${i}/`, Buffer.alloc(0)]))),
      /at most 120 entries/,
    ],
    ['an image over 1 MiB', zip({ 'tab.png': Buffer.concat([PNG_MAGIC, Buffer.alloc(1024 * 1024)]) }), /at most/],
  ])('refuses a zip with %s with 400', async (_what, archive, message) => {
    const response = await upload({ _id: 'hostile', name: 'Hostile' }, archive);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('INVALID_REQUEST');
    expect(response.json().error.message).toMatch(message);
    expect(expectOk(await t.admin('GET', '/admin/stickers')).data.map((set: any) => set._id)).not.toContain('hostile');
  });

  it('refuses a bomb: 20 images of 1 MiB of zeros (tiny compressed) pass no total limit', async () => {
    const files: Record<string, Buffer> = { 'tab.png': png('t') };
    for (let i = 1; i <= 20; i++)
      files[`${String(i).padStart(2, '0')}.png`] = Buffer.concat([PNG_MAGIC, Buffer.alloc(900_000)]);
    const archive = zip(files);
    expect(archive.length).toBeLessThan(200_000);
    const response = await upload({ _id: 'bomb', name: 'Bomb' }, archive);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/at most 16777216 bytes of images/);
  });

  it('refuses an entry that inflates past the size it declares', async () => {
    const archive = zip({ 'tab.png': png('t'), '01.png': Buffer.concat([PNG_MAGIC, Buffer.alloc(500_000)]) });
    // Declare 100 bytes for 01.png in its local header and the central directory.
    const liar = Buffer.from(archive);
    for (const [signature, offset] of [
      [0x04034b50, 22],
      [0x02014b50, 24],
    ] as const) {
      for (let at = 0; at < liar.length - 4; at++) {
        if (liar.readUInt32LE(at) !== signature) continue;
        if (liar.readUInt32LE(at + offset) > 400_000) liar.writeUInt32LE(100, at + offset);
      }
    }
    const response = await upload({ _id: 'liar', name: 'Liar' }, liar);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/^The file is not a zip Parley can read \(too many bytes/);
  });

  it('checks its fields', async () => {
    expect((await upload({ name: 'No id' }, goodSet())).json()).toStrictEqual(
      badRequest('_id must be 1-64 letters, digits, "_", "." or "-"'),
    );
    expect((await upload({ _id: 'a/b' }, goodSet())).statusCode).toBe(400);
    expect((await upload({ _id: 'ok', order: 'first' }, goodSet())).json().error.message).toMatch(/order/);
    expect((await upload({ _id: 'ok' })).json()).toStrictEqual(badRequest('Missing required field: file'));
    const json = await t.admin('POST', '/admin/stickers', { _id: 'x' });
    expect(json.statusCode).toBe(415);
  });

  it('is for API keys with config:write only', async () => {
    const readOnly = await t.createKey({ scopes: ['config:read'] });
    expect((await upload({ _id: 'nope' }, goodSet(), readOnly)).statusCode).toBe(403);
    expect((await upload({ _id: 'nope' }, goodSet(), 'wrong-key')).statusCode).toBe(401);
  });
});

describe('GET /admin/stickers and DELETE /admin/stickers/:id (history 10.2, 10.3)', () => {
  it('lists the sets by id, and deletes one with its files; an unknown id is n: 0', async () => {
    expectOk(await upload({ _id: 'aaa-first', name: 'First' }, goodSet()));
    const list = expectOk(await t.admin('GET', '/admin/stickers'));
    const ids = list.data.map((set: any) => set._id);
    expect(ids).toStrictEqual([...ids].sort());
    expect(list.totalCount).toBe(ids.length);
    expect(list.data.find((set: any) => set._id === 'aaa-first').images).toHaveLength(3);

    expect(expectOk(await t.admin('DELETE', '/admin/stickers/aaa-first'))).toStrictEqual({ n: 1, ok: 1 });
    expect(expectOk(await t.admin('DELETE', '/admin/stickers/aaa-first'))).toStrictEqual({ n: 0, ok: 1 });
    expect((await asUser(res('aaa-first/tab.png'))).statusCode).toBe(404);
    const rows = await t.services.storage.db
      .selectFrom('files')
      .select('id')
      .where('name', 'like', 'aaa-first/%')
      .execute();
    expect(rows).toStrictEqual([]);
  });

  it("keeps applications apart: app 2's key neither sees nor deletes app 1's sets", async () => {
    expectOk(await upload({ _id: 'app-one-set', name: 'One' }, goodSet()));
    const other = (method: 'GET' | 'DELETE', url: string) =>
      t.app.inject({ method, url, headers: { 'im-api-key': otherApp.apiKey }, remoteAddress: '127.0.0.1' });
    expect(expectOk(await other('GET', '/admin/stickers'))).toStrictEqual({ totalCount: 0, data: [] });
    expect(expectOk(await other('DELETE', '/admin/stickers/app-one-set'))).toStrictEqual({ n: 0, ok: 1 });
    expect((await asUser(res('app-one-set/tab.png'))).statusCode).toBe(200);
  });
});

describe('GET /stickers and GET /stickers/res (history 10.4, 10.5)', () => {
  beforeAll(async () => {
    expectOk(await upload({ _id: 'public-set', name: 'Public', order: '1' }, goodSet()));
  });

  it("lists the application's sets in summary to a user", async () => {
    const result = expectOk(await asUser('/stickers'));
    expect(result.data.find((set: any) => set._id === 'public-set')).toStrictEqual({
      _id: 'public-set',
      name: 'Public',
      order: 1,
      zip: { resourceId: 'public-set/public-set.zip' },
      images: [
        { resourceId: 'public-set/01.png' },
        { resourceId: 'public-set/02.gif' },
        { resourceId: 'public-set/tab.png' },
      ],
      updatedAtMS: expect.any(Number),
    });
    expect(result.totalCount).toBe(result.data.length);
  });

  it('serves an image as passive data with its ETag, and 304 when it is current', async () => {
    const response = await asUser(res('public-set/tab.png'));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(response.headers['content-disposition']).toBe('inline; filename="tab.png"');
    expect(response.rawPayload.equals(png('tab'))).toBe(true);
    const etag = String(response.headers.etag);
    expect(
      (await asUser(res('public-set/tab.png'), t.clientKey, userToken, { 'if-none-match': etag })).statusCode,
    ).toBe(304);
    const animated = await asUser(res('public-set/02.gif'));
    expect(animated.headers['content-type']).toBe('image/gif');
  });

  it('serves the archive as a download, never inline', async () => {
    const response = await asUser(res('public-set/public-set.zip'));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe('attachment; filename="public-set.zip"');
  });

  it('answers 404 for anything else', async () => {
    const noSuch = shapeB(404, 'Not Found', 'NOT_FOUND', 'No sticker resource has that resourceId');
    for (const id of [
      'public-set/99.png',
      'nope/tab.png',
      'public-set',
      '/tab.png',
      'public-set/../public-set/tab.png',
    ])
      expect((await asUser(res(id))).json(), id).toStrictEqual(noSuch);
    expect((await asUser('/stickers/res')).statusCode).toBe(400);
  });

  it('serves them to anyone, without headers: an <img> can show them (history 10.4, 10.5: public)', async () => {
    const bare = (url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url, headers, remoteAddress: '127.0.0.1' });
    const listed = expectOk(await bare('/stickers'));
    expect(listed.data.map((set: any) => set._id)).toContain('public-set');
    const image = await bare(res('public-set/tab.png'));
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    // Another application's by its client key: its own sets only (BOLA).
    expect(expectOk(await bare('/stickers', { 'im-client-key': otherApp.clientKey }))).toStrictEqual({
      totalCount: 0,
      data: [],
    });
    expect((await bare(res('public-set/tab.png'), { 'im-client-key': otherApp.clientKey })).statusCode).toBe(404);
    expect(expectOk(await asUser('/stickers', otherApp.clientKey, otherApp.token))).toStrictEqual({
      totalCount: 0,
      data: [],
    });
    // A client key no application has is refused, not taken for the default application.
    const wrong = await bare('/stickers', { 'im-client-key': 'no-such-client-key' });
    expect(wrong.statusCode).toBe(403);
    expect(JSON.stringify(wrong.json())).toContain('INVALID_CLIENT_KEY');
  });
});

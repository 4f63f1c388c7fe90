import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

const BUCKET = 'chat-files';

type Upload = { filename: string; type: string; content: string };

function multipart(file: Upload, extra?: unknown) {
  const boundary = `----parleyBoundary${Math.random().toString(36).slice(2)}`;
  const parts: string[] = [];
  if (extra !== undefined)
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="extra"\r\n\r\n${JSON.stringify(extra)}\r\n`);
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n${file.content}\r\n`,
  );
  parts.push(`--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join('')), contentType: `multipart/form-data; boundary=${boundary}` };
}

const asUser = (t: TestApp, token: string) => ({ 'im-client-key': t.clientKey, 'im-authorization': token });

/** POST /files/:bucket with the file as multipart, under the given credentials; answers the stored file. */
async function postFile(
  t: TestApp,
  headers: Record<string, string>,
  file: Upload,
  options: { extra?: unknown; bucket?: string } = {},
): Promise<any> {
  const { payload, contentType } = multipart(file, options.extra);
  return expectOk(
    await t.app.inject({
      method: 'POST',
      url: `/files/${options.bucket ?? BUCKET}`,
      remoteAddress: '127.0.0.1',
      payload,
      headers: { ...headers, 'content-type': contentType },
    }),
  );
}

describe('item 6: files are private to their uploader, the rooms they are shared in, and the API key', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  const upload = (user: string, file: Upload, extra?: unknown): Promise<any> =>
    postFile(t, asUser(t, tokens[user]!), file, { extra });
  const as = (user: string, url: string) => t.asUser(tokens[user]!, 'GET', url);
  const readable = async (user: string, id: string) => {
    const responses = [
      await as(user, `/files/${BUCKET}/${id}`),
      await as(user, `/files/${BUCKET}/${id}/metadata`),
      await as(user, `/files/${BUCKET}/${id}?signedUrlOnly=1`),
    ];
    const statuses = responses.map((response) => response.statusCode);
    expect(
      statuses.every((status) => status === statuses[0]),
      `${user}: ${statuses}`,
    ).toBe(true);
    if (statuses[0] !== 200) expect(statuses[0]).toBe(404);
    return statuses[0] === 200;
  };
  const send = async (user: string, room: string, content: Record<string, unknown>) =>
    expectOk(await t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, content));

  beforeAll(async () => {
    t = await buildTestApp();
    for (const user of ['alice', 'bob', 'carol', 'mallory', 'eve']) tokens[user] = await t.createUser(user);
    await createRoom(t, { _id: 'ab', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 'carols', members: ['carol', 'alice'] });
    await createRoom(t, { _id: 'mallorys', members: ['mallory', 'eve'] });
  });
  afterAll(() => t.close());

  it('gives files random ids of 24 hex characters: no shared timestamp, process bytes or counter', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 8; index += 1)
      ids.push((await upload('alice', { filename: 'a.txt', type: 'text/plain', content: 'a' })).id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBeGreaterThan(4);
    expect(new Set(ids.map((id) => id.slice(8, 18))).size).toBe(ids.length);
  });

  it('only the uploader and the API key read a file not shared in any room', async () => {
    const file = await upload('alice', { filename: 'secret.txt', type: 'text/plain', content: 'alice only' });
    expect(await readable('alice', file.id)).toBe(true);
    for (const user of ['bob', 'carol', 'mallory']) expect(await readable(user, file.id), user).toBe(false);
    expect((await t.admin('GET', `/files/${BUCKET}/${file.id}`)).body).toBe('alice only');
    expect(expectOk(await t.admin('GET', `/files/${BUCKET}/${file.id}/metadata`)).owner).toBe('alice');
  });

  it('sharing it in a room (a message carrying its URL) lets that room read it, and nobody else', async () => {
    const file = await upload('alice', { filename: 'photo.png', type: 'image/png', content: 'png bytes' });
    await send('alice', 'ab', {
      messageType: 'file',
      message: 'photo.png',
      url: `https://chat.example/files/${BUCKET}/${file.id}`,
      extra: { title: 'photo.png', mimetype: 'image/png' },
    });
    expect(await readable('bob', file.id)).toBe(true);
    expect(await readable('carol', file.id)).toBe(false);
    expect(await readable('mallory', file.id)).toBe(false);
    // Forwarded by someone who can read it, to another room: that room can read it too.
    await send('alice', 'carols', {
      messageType: 'image',
      message: 'photo',
      originalUrl: `/files/${BUCKET}/${file.id}`,
      thumbnailUrl: `/files/${BUCKET}/${file.id}`,
    });
    expect(await readable('carol', file.id)).toBe(true);
  });

  it('a user who cannot read a file cannot grant their own room access by posting its URL', async () => {
    const file = await upload('alice', { filename: 'plan.txt', type: 'text/plain', content: 'the plan' });
    await send('mallory', 'mallorys', { messageType: 'file', message: 'plan', url: `/files/${BUCKET}/${file.id}` });
    expect(await readable('mallory', file.id)).toBe(false);
    expect(await readable('eve', file.id)).toBe(false);
  });

  it('an upload naming a room of its uploader (extra.room) is shared there at once; naming a foreign room grants nothing', async () => {
    const inRoom = await upload(
      'alice',
      { filename: 'doc.txt', type: 'text/plain', content: 'for ab' },
      { room: 'ab' },
    );
    expect(await readable('bob', inRoom.id)).toBe(true);
    const foreign = await upload('mallory', { filename: 'x.txt', type: 'text/plain', content: 'x' }, { room: 'ab' });
    expect(await readable('bob', foreign.id)).toBe(false);
    expect(await readable('mallory', foreign.id)).toBe(true);
  });

  it("removing a member from the room takes the room's files away from them", async () => {
    const file = await upload(
      'alice',
      { filename: 'later.txt', type: 'text/plain', content: 'later' },
      { room: 'carols' },
    );
    expect(await readable('carol', file.id)).toBe(true);
    expectOk(await t.admin('POST', '/rooms/carols/delete/members', { members: ['carol'] }));
    expect(await readable('carol', file.id)).toBe(false);
  });
});

describe('item 6: access does not pass to a later room or user of the same id', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const user of ['alice', 'bob', 'mallory']) tokens[user] = await t.createUser(user);
  });
  afterAll(() => t.close());

  const upload = (user: string): Promise<any> =>
    postFile(t, asUser(t, tokens[user]!), { filename: 'a.txt', type: 'text/plain', content: 'secret' });
  const reads = async (user: string, id: string) =>
    (await t.asUser(tokens[user]!, 'GET', `/files/${BUCKET}/${id}`)).statusCode === 200;

  it("a room deleted and created again with the same id does not inherit the old room's files", async () => {
    await createRoom(t, { _id: 'team', members: ['alice', 'bob'] });
    const file = await upload('alice');
    expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/team/message', {
        messageType: 'file',
        message: 'f',
        url: `/files/${BUCKET}/${file.id}`,
      }),
    );
    expect(await reads('bob', file.id)).toBe(true);
    expectOk(await t.admin('DELETE', '/rooms/team'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await createRoom(t, { _id: 'team', members: ['mallory'] });
    expect(await reads('mallory', file.id)).toBe(false);
  });

  it("a user deleted and created again with the same id is not the uploader of the old user's files", async () => {
    const file = await upload('alice');
    expect(await reads('alice', file.id)).toBe(true);
    expectOk(await t.admin('DELETE', '/admin/clients/alice'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    tokens.alice = await t.createUser('alice');
    expect(await reads('alice', file.id)).toBe(false);
  });
});

describe('item 6: stored content is never active on the API origin', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('alice');
  });
  afterAll(() => t.close());

  const upload = (filename: string, type: string, content: string): Promise<any> =>
    postFile(t, asUser(t, token), { filename, type, content });
  const both = async (id: string): Promise<LightMyRequestResponse[]> => {
    const direct = await t.asUser(token, 'GET', `/files/${BUCKET}/${id}`);
    const { url } = expectOk(await t.asUser(token, 'GET', `/files/${BUCKET}/${id}?signedUrlOnly=1`));
    const signed = await t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
    return [direct, signed];
  };
  const SCRIPT = '<script>alert(document.domain)</script>';

  it('serves html, svg, xml, xhtml, javascript and unknown types as sandboxed attachments', async () => {
    const active = [
      ['page.html', 'text/html'],
      ['icon.svg', 'image/svg+xml'],
      ['feed.xml', 'text/xml'],
      ['data.xml', 'application/xml'],
      ['page.xhtml', 'application/xhtml+xml'],
      ['app.js', 'application/javascript'],
      ['app.js', 'text/javascript'],
      ['weird.bin', 'application/x-shockwave-flash'],
      ['page.htm', 'TEXT/HTML; charset=utf-8'],
      ['doc.pdf', 'application/pdf'],
    ];
    for (const [name, type] of active) {
      const file = await upload(name!, type!, SCRIPT);
      for (const response of await both(file.id)) {
        expect(response.statusCode, type).toBe(200);
        expect(response.headers['content-disposition'], type).toMatch(/^attachment;/);
        expect(String(response.headers['content-security-policy']), type).toMatch(/sandbox/);
        expect(String(response.headers['content-security-policy']), type).toMatch(/default-src 'none'/);
        expect(response.headers['x-content-type-options'], type).toBe('nosniff');
        expect(String(response.headers['content-type']), type).not.toMatch(/html|svg|xml|javascript|flash/i);
      }
    }
  });

  it('serves passive media inline, still with nosniff and the sandbox', async () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'audio/mpeg', 'video/mp4']) {
      const file = await upload('media', type, 'bytes');
      for (const response of await both(file.id)) {
        expect(response.headers['content-type'], type).toBe(type);
        expect(response.headers['content-disposition'], type).toMatch(/^inline;/);
        expect(response.headers['x-content-type-options'], type).toBe('nosniff');
        expect(String(response.headers['content-security-policy']), type).toMatch(/sandbox/);
      }
    }
  });

  it('a filename cannot break out of Content-Disposition', async () => {
    const file = await upload('x\\"; filename=evil.html; x=\\".png', 'image/png', 'bytes');
    expect(file.name).toContain('"');
    for (const response of await both(file.id)) {
      const disposition = String(response.headers['content-disposition']);
      expect(disposition).toMatch(/^inline; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]*$/);
      expect(disposition.match(/filename=/g)).toHaveLength(1);
    }
  });

  it('a type with header-breaking or bogus syntax is stored as application/octet-stream', async () => {
    const file = await upload('a.bin', 'not a type', 'bytes');
    expect(file.mimeType).toBe('application/octet-stream');
    const [direct] = await both(file.id);
    expect(direct!.headers['content-type']).toBe('application/octet-stream');
    expect(direct!.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('the signed URL expires: a signature for a past or far-future time opens nothing', async () => {
    const file = await upload('a.png', 'image/png', 'bytes');
    const { url } = expectOk(await t.asUser(token, 'GET', `/files/${BUCKET}/${file.id}?signedUrlOnly=1`));
    const expires = Number(new URL(url, 'http://x').searchParams.get('expires'));
    expect(expires).toBeGreaterThan(Date.now() / 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() / 1000 + 3600 + 5);
  });
});

describe('item 6: on upgrade, rooms keep the files their messages already carry', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const user of ['alice', 'bob', 'mallory', 'eve']) tokens[user] = await t.createUser(user);
    await createRoom(t, { _id: 'ab', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 'mallorys', members: ['mallory', 'eve'] });
  });
  afterAll(() => t.close());

  const upload = (headers: Record<string, string>): Promise<any> =>
    postFile(t, headers, { filename: 'a.txt', type: 'text/plain', content: 'content' });
  const reads = async (user: string, id: string) =>
    (await t.asUser(tokens[user]!, 'GET', `/files/${BUCKET}/${id}`)).statusCode === 200;

  it('the migration shares each file where its uploader (or a reader) sent it, not where others named it', async () => {
    const byAlice = await upload({ 'im-client-key': t.clientKey, 'im-authorization': tokens.alice! });
    const byKey = await upload({ 'im-api-key': t.apiKey });
    expect(byKey.owner).toBeNull();
    const post = (user: string, room: string, id: string) =>
      t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, {
        messageType: 'file',
        message: 'f',
        url: `/files/${BUCKET}/${id}`,
      });
    expectOk(await post('alice', 'ab', byAlice.id));
    expectOk(await post('mallory', 'mallorys', byAlice.id));
    expectOk(await post('eve', 'mallorys', byKey.id));

    // Back to the schema before the migration, then run it again (later migrations stay applied).
    const { db } = t.services.storage;
    await db.schema.dropTable('file_shares').execute();
    const { up } = await import('../../src/storage/migrations/009-file-shares.js');
    await up(db as any);

    expect(await reads('bob', byAlice.id)).toBe(true);
    expect(await reads('mallory', byAlice.id)).toBe(false);
    expect(await reads('eve', byAlice.id)).toBe(false);
    expect(await reads('mallory', byKey.id)).toBe(true);
    expect(await reads('alice', byKey.id)).toBe(false);
  });
});

describe('item 6: buckets the operator makes public (PUBLIC_FILE_BUCKETS) are read by every user of the application', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp({ publicFileBuckets: ['avatars'] });
    for (const user of ['alice', 'bob']) tokens[user] = await t.createUser(user);
  });
  afterAll(() => t.close());

  it('an avatar is readable by everyone; a file of another bucket stays private; served just as safely', async () => {
    const put = (bucket: string, type: string): Promise<any> =>
      postFile(t, asUser(t, tokens.alice!), { filename: 'me', type, content: '<svg onload="alert(1)"/>' }, { bucket });
    const avatar = await put('avatars', 'image/svg+xml');
    const privateFile = await put(BUCKET, 'image/png');
    const read = await t.asUser(tokens.bob!, 'GET', `/files/avatars/${avatar.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-disposition']).toMatch(/^attachment;/);
    expect((await t.asUser(tokens.bob!, 'GET', `/files/${BUCKET}/${privateFile.id}`)).statusCode).toBe(404);
  });
});

import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { zipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { exportApp, type ExportHeader, importApp, TRANSFER_TABLES } from '../../../src/ops/transfer/index.js';
import { createStorage, migrateToLatest, type Storage } from '../../../src/storage/database.js';
import { multipartBody } from '../../helpers/client-http.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { createGroup, createNamedUsers, createRoom, sendMessage } from '../../helpers/factories.js';
import {
  buildTestApp,
  freshPostgresDatabase,
  freshSqliteDatabase,
  onPostgres,
  type Storage as TestDatabase,
  type TestApp,
} from '../../helpers/test-app.js';

/**
 * `parley export` / `parley import` (issue 13): an application seeded through the API, exported, and
 * imported into an empty database of the other kind (SQLite → PostgreSQL in the sqlite run,
 * PostgreSQL → SQLite in the postgres run) answers the same API calls; importing twice changes
 * nothing; a copy under another id in the same database works beside the original.
 */

/** Every byte value and then some: bytes that would not survive a text round trip. */
const BYTES = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n\0end')]);
const otherKindUrl = onPostgres ? 'sqlite' : process.env.TEST_DATABASE_URL;

let source: TestApp;
let tokens: Record<string, string>;
let file: { bucket: string; id: string };
let dir: string;
let exportFile: string;
let header: ExportHeader;
const STICKER_PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
/** Rows per table the file holds. */
/** No notification pending, twice 100 ms apart (one the last message records arrives after its answer). */
async function pushesSettled(app: TestApp): Promise<void> {
  let quiet = 0;
  for (let round = 0; round < 100; round++) {
    const { data } = expectOk(await app.admin('GET', '/admin/push/notifications?status=pending&limit=1'));
    quiet = data.length === 0 ? quiet + 1 : 0;
    if (quiet === 2) return;
    await sleep(100);
  }
  throw new Error('push notifications still pending after 10 s');
}

const fileCounts = () => Object.fromEntries(header.tables.map((table) => [table.name, table.rows]));
/** The summary of importing the file again: every row is there already; the application's row is rewritten. */
const secondImport = () => ({
  written: { ...Object.fromEntries(header.tables.map((table) => [table.name, 0])), apps: 1 },
  skipped: { ...fileCounts(), apps: 0 },
});

const adminAs = (t: TestApp, user: string, url: string) => t.admin('GET', url, undefined, { 'im-client-id': user });

/** An answer without the time it took (`inspect.tookMS`): the one field that may differ between two reads. */
const timeless = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, field) => (key === 'tookMS' ? undefined : field)));
/** An answer as another application would give it: its id in every `appID`. */
const inApp = (value: unknown, appId: string): unknown =>
  JSON.parse(JSON.stringify(value, (key, field) => (key === 'appID' ? appId : field)));
const okOf = (response: Parameters<typeof expectOk>[0]): any => timeless(expectOk(response));

/** The answers an operator and the users see: what must come out the same after a move. */
async function answers(t: TestApp) {
  const get = async (token: string, url: string) => okOf(await t.asUser(token, 'GET', url));
  const download = await t.asUser(tokens.alice as string, 'GET', `/files/${file.bucket}/${file.id}`);
  expect(download.statusCode).toBe(200);
  return {
    clients: okOf(await t.admin('GET', '/admin/clients')),
    groups: okOf(await t.admin('GET', '/admin/groups')),
    adminRooms: okOf(await adminAs(t, 'alice', '/rooms')),
    roomsOfAlice: await get(tokens.alice as string, '/rooms'),
    roomsOfBob: await get(tokens.bob as string, '/rooms'),
    roomsOfCarol: await get(tokens.carol as string, '/rooms'),
    general: await get(tokens.bob as string, '/rooms/general'),
    generalMessages: await get(tokens.alice as string, '/rooms/general/messages/v3?limit=100'),
    generalMessagesOfCarol: await get(tokens.carol as string, '/rooms/general/messages/v3?limit=100'),
    sideMessages: await get(tokens.dave as string, '/rooms/side/messages/v3?limit=100'),
    search: expectOk(
      await t.asUser(tokens.alice as string, 'POST', '/search', { type: ['messages'], keyword: 'transferword' }),
    ),
    config: okOf(await t.admin('GET', '/config')),
    webhooks: okOf(await t.admin('GET', '/admin/webhooks')),
    blocks: await get(tokens.alice as string, '/blockStatus/my'),
    invitations: await get(tokens.carol as string, '/rooms/invitations'),
    prefs: await get(tokens.alice as string, '/me/pref'),
    badge: await get(tokens.bob as string, '/me/badge'),
    fileMetadata: await get(tokens.alice as string, `/files/${file.bucket}/${file.id}/metadata`),
    fileStats: okOf(await t.asUser(tokens.alice as string, 'POST', '/files/stats', {})),
    fileType: download.headers['content-type'],
    fileBytes: download.rawPayload.toString('base64'),
    stickers: await get(tokens.alice as string, '/stickers'),
    stickerBytes: (
      await t.asUser(tokens.alice as string, 'GET', '/stickers/res?resourceId=moved-set%2F01.png')
    ).rawPayload.toString('base64'),
  };
}

/** Tables every request writes to (the audit trail and key usage): compared only where no request ran. */
const ACTIVITY = ['audit_log', 'key_usage'];
const withoutActivity = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([table]) => !ACTIVITY.includes(table)));

/** Rows per transfer table of one application. */
async function rowCounts(storage: Storage, appId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TRANSFER_TABLES) {
    const column = table.name === 'apps' ? 'id' : 'app_id';
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table.name)}
      where ${sql.ref(column)} = ${appId}`.execute(storage.db);
    counts[table.name] = Number(rows[0]?.n);
  }
  return counts;
}

async function exportTo(storage: Storage, appId: string, path: string): Promise<ExportHeader> {
  const out = createWriteStream(path);
  let header: ExportHeader | undefined;
  await exportApp(storage, { appId, out, onHeader: (value) => (header = value) });
  out.end();
  await finished(out);
  return header as ExportHeader;
}

async function importFrom(storage: Storage, path: string, appId?: string) {
  return importApp(storage, { input: createReadStream(path), appId, batchRows: 7 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-transfer-'));
  exportFile = join(dir, 'export.ndjson');
  // The webhook URL below is on loopback (port 9, nothing listens): its deliveries are exported too.
  source = await buildTestApp({ webhooks: { ...loadConfig({}).webhooks, allowPrivate: true } });
  tokens = await createNamedUsers(source, ['alice', 'bob', 'carol', 'dave']);
  await createGroup(source, { _id: 'team', nickname: 'Team', members: ['carol', 'dave'] });
  await createRoom(source, {
    _id: 'general',
    name: 'General',
    // The upload into it below carries its tag (file_tags, [hist] 9.5).
    roomTags: ['transfer-tag'],
    owner: 'alice',
    managers: ['bob'],
    members: ['alice', 'bob', 'team'],
  });
  await createRoom(source, { _id: 'side', name: 'Side', members: ['alice', 'dave'] });
  const sent: { _id: string }[] = [];
  for (let i = 0; i < 12; i += 1)
    sent.push(await sendMessage(source, 'general', i % 2 ? 'alice' : 'bob', `hello ${i} transferword`));
  for (let i = 0; i < 3; i += 1) await sendMessage(source, 'side', 'dave', `side ${i}`);
  expectOk(await source.admin('POST', `/messages/${sent[3]?._id}/pin`));
  expectOk(
    await source.asUser(tokens.bob as string, 'POST', `/messages/${sent[3]?._id}/reaction`, { reaction: 'like' }),
  );
  expectOk(
    await source.asUser(tokens.bob as string, 'POST', '/messages/user-delete', {
      room: 'general',
      messages: [sent[2]?._id],
    }),
  );
  expect((await source.admin('DELETE', `/rooms/general/messages/${sent[11]?._id}`)).json().RC).toBe(0);
  expectOk(await source.asUser(tokens.bob as string, 'PUT', '/rooms/general/lastRead', { message: sent[5]?._id }));

  const form = multipartBody(
    [
      { name: 'extra', value: JSON.stringify({ room: 'general' }) },
      { name: 'file', filename: 'bytes.bin', type: 'application/octet-stream', content: BYTES },
    ],
    'browser',
  );
  const uploaded = expectOk(
    await source.app.inject({
      method: 'POST',
      url: '/files/chat-files',
      remoteAddress: '127.0.0.1',
      headers: {
        'im-client-key': source.clientKey,
        'im-authorization': tokens.alice as string,
        'content-type': form.contentType,
      },
      payload: form.payload,
    }),
  );
  file = { bucket: 'chat-files', id: uploaded.id };
  // A sticker set: its row, and its files among the files rows.
  const stickerZip = Buffer.from(zipSync({ 'tab.png': STICKER_PNG, '01.png': STICKER_PNG }));
  const stickerForm = multipartBody(
    [
      { name: '_id', value: 'moved-set' },
      { name: 'file', filename: 'set.zip', type: 'application/zip', content: stickerZip },
    ],
    'browser',
  );
  expectOk(
    await source.app.inject({
      method: 'POST',
      url: '/admin/stickers',
      remoteAddress: '127.0.0.1',
      headers: { 'im-api-key': source.apiKey, 'content-type': stickerForm.contentType },
      payload: stickerForm.payload,
    }),
  );

  expectOk(await source.admin('PUT', '/admin/webhooks', { url: 'http://127.0.0.1:9/parley-hooks' }));
  expectOk(await source.admin('POST', '/config', { censorship: { keywords: ['badword'] }, motd: 'hi' }));
  expectOk(await source.asUser(tokens.alice as string, 'POST', '/me/pref/theme', { mode: 'dark' }));
  expectOk(await source.admin('POST', '/blockStatus/room/general/carol'));
  expectOk(await source.asUser(tokens.alice as string, 'POST', '/blockStatus/my/dave'));
  expectOk(
    await source.asUser(tokens.alice as string, 'POST', '/rooms/side/members', {
      invitees: ['carol'],
      invitationRequired: true,
    }),
  );
  // A departure ([hist] 5.6): bob leaves a room of his own.
  await createRoom(source, { _id: 'farewell', name: 'Farewell', members: ['alice', 'bob'] });
  expectOk(await source.asUser(tokens.bob as string, 'DELETE', '/rooms/farewell/members/bob', {}));
  expectOk(await source.asUser(tokens.bob as string, 'POST', '/me/subscribe', { type: 'web', token: 'device-1' }));
  expectOk(await source.admin('PUT', '/admin/push/settings', { constantBadge: 3, soundIos: 'chime.caf' }));
  expectOk(
    await source.admin('PUT', '/admin/push/providers/webpush', { subject: 'mailto:ops@example.com', generate: true }),
  );
  // The censored word is masked on the way in, in both databases.
  await sendMessage(source, 'general', 'alice', 'a badword transferword');

  // Push notifications are delivered in the background: settled, their delivery records are in the export.
  await pushesSettled(source);
  // The audit trail is written in batches: flushed, it is in the export.
  await source.services.audit.flush();
  header = await exportTo(source.services.storage, source.appId, exportFile);
  expect(header.tables.find((table) => table.name === 'audit_log')?.rows).toBeGreaterThan(20);
});

afterAll(async () => {
  await source?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the export file', () => {
  it('names every table that holds an application column, and nothing the database derives', async () => {
    const storage = source.services.storage;
    const tables =
      storage.dialect.name === 'sqlite'
        ? (
            await sql<{ name: string }>`select m.name from sqlite_master m, pragma_table_info(m.name) c
            where m.type = 'table' and c.name = 'app_id' and m.name not like 'room_search%'`.execute(storage.db)
          ).rows
        : (
            await sql<{ name: string }>`select table_name as name from information_schema.columns
            where column_name = 'app_id' and table_schema = current_schema()`.execute(storage.db)
          ).rows;
    const listed = TRANSFER_TABLES.map((table) => table.name).filter((name) => name !== 'apps');
    expect([...listed].sort()).toStrictEqual(tables.map((row) => row.name).sort());
  });

  it('starts with a header of its source and row counts, then one table/row line per row', async () => {
    const lines = readFileSync(exportFile, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0] as string)).toStrictEqual(header);
    expect(header).toMatchObject({
      format: 'parley-export',
      version: 1,
      source: source.services.storage.dialect.name,
      appId: source.appId,
    });
    const rows = lines.slice(1).map((line) => JSON.parse(line));
    const counts = await rowCounts(source.services.storage, source.appId);
    for (const { name, rows: expected } of header.tables) {
      expect(rows.filter((line) => line.table === name).length, name).toBe(expected);
      // Nothing but requests' activity was written since: the header's counts are the database's.
      if (!ACTIVITY.includes(name)) expect(expected, name).toBe(counts[name]);
      expect(expected, name).toBeGreaterThan(
        ['push_notifications', 'push_deliveries', 'message_batches'].includes(name) ? -1 : 0,
      );
    }
    const fileRow = rows.find((line) => line.table === 'files' && line.row.name === 'bytes.bin').row;
    expect(Buffer.from(fileRow.content, 'base64').equals(BYTES)).toBe(true);
    expect(rows.some((line) => line.table === 'messages' && line.row.pinned === 1)).toBe(true);
    expect(rows.find((line) => line.table === 'api_keys').row.key_hash).toMatch(/^[0-9a-f]{64}$|^\$/);
    expect(JSON.stringify(rows)).not.toContain(source.apiKey);
  });
});

describe('streaming', () => {
  it('waits for a slow reader: never more than a page of lines is waiting to be written', async () => {
    let waiting = 0;
    const out = new Writable({
      highWaterMark: 256,
      write(_chunk, _encoding, done) {
        setImmediate(done);
      },
    });
    const counts = await exportApp(source.services.storage, {
      appId: source.appId,
      out,
      onProgress: () => (waiting = Math.max(waiting, out.writableLength)),
    });
    expect(counts.messages).toBe(fileCounts().messages);
    // The file row alone is about 400 bytes of base64; without waiting, every row of a page would queue.
    expect(waiting).toBeLessThan(4096);
  });

  it('refuses a file that is not an export, or comes from a newer release, before writing anything', async () => {
    const storage = source.services.storage;
    const lines = readFileSync(exportFile, 'utf8').split('\n');
    const fromLines = (text: string) => importApp(storage, { input: Readable.from([text]), appId: 'never-made' });
    await expect(fromLines('{"table":"apps","row":{}}\n')).rejects.toThrow('Not a Parley export');
    await expect(fromLines('not json\n')).rejects.toThrow('Line 1 is not JSON');
    const newer = JSON.stringify({ ...header, schema: '999-future' });
    await expect(fromLines(`${newer}\n${lines[1]}\n`)).rejects.toThrow('comes from a newer release');
    await expect(fromLines(`${lines[0]}\n{"table":"secrets","row":{}}\n`)).rejects.toThrow(
      'Line 2: unknown table "secrets"',
    );
    expect(await source.services.apps.list()).not.toContainEqual(expect.objectContaining({ id: 'never-made' }));
  });
});

describe.skipIf(!otherKindUrl)(`into an empty ${onPostgres ? 'SQLite' : 'PostgreSQL'} database`, () => {
  let target: TestDatabase;
  let moved: TestApp;

  beforeAll(async () => {
    target =
      otherKindUrl === 'sqlite' ? await freshSqliteDatabase() : await freshPostgresDatabase(otherKindUrl as string);
    const storage = createStorage(target.databaseUrl);
    try {
      await migrateToLatest(storage);
      const summary = await importFrom(storage, exportFile);
      expect(summary.notes).toStrictEqual([]);
      expect(summary.written).toStrictEqual(fileCounts());
      expect(Object.values(summary.skipped).every((rows) => rows === 0)).toBe(true);
      expect(await rowCounts(storage, source.appId)).toStrictEqual(fileCounts());
    } finally {
      await storage.close();
    }
    // Started as an operator would after the move: the same API key, client key and user tokens.
    moved = await buildTestApp(
      { webhooks: source.config.webhooks },
      { storage: target, credentials: { apiKey: source.apiKey, clientKey: source.clientKey, appId: source.appId } },
    );
  });

  afterAll(async () => {
    await moved?.close();
    await target?.dispose();
  });

  it('answers clients, rooms, messages, search, settings and files exactly as the source does', async () => {
    const before = await answers(source);
    expect(before.fileBytes).toBe(BYTES.toString('base64'));
    expect(before.fileStats.data).toStrictEqual({ 'transfer-tag': { size: BYTES.length, count: 1 } });
    expect(before.generalMessages.data.length).toBe(12);
    expect(before.general.pinnedMessage).toMatchObject({ message: 'hello 3 transferword' });
    expect(await answers(moved)).toStrictEqual(before);
  });

  it('keeps the row counts of every table', async () => {
    expect(withoutActivity(await rowCounts(moved.services.storage, source.appId))).toStrictEqual(
      withoutActivity(await rowCounts(source.services.storage, source.appId)),
    );
  });

  it('goes on numbering messages after the imported ones', async () => {
    const next = await sendMessage(moved, 'general', 'bob', 'after the move');
    const page = expectOk(await moved.asUser(tokens.bob as string, 'GET', '/rooms/general/messages/v3?limit=2'));
    expect(page.data[0]._id).toBe(next._id);
    expect(page.data[1].message).toBe('a ******* transferword');
  });

  it('changes nothing when the same file is imported again', async () => {
    const storage = moved.services.storage;
    const before = await answers(moved);
    await moved.services.audit.flush();
    const counts = await rowCounts(storage, source.appId);
    const again = await importFrom(storage, exportFile);
    expect(again).toMatchObject(secondImport());
    // The message sent after the move stays, and the room still shows it last: rows already there are kept.
    expect(await rowCounts(storage, source.appId)).toStrictEqual(counts);
    expect(await answers(moved)).toStrictEqual(before);
  });
});

describe('a copy under another application id in the same database (--app)', () => {
  const copyId = 'copied-app';
  let copyKey: string;
  const asCopy = (url: string, clientId?: string) =>
    source.app.inject({
      method: 'GET',
      url,
      remoteAddress: '127.0.0.1',
      headers: { 'im-api-key': copyKey, ...(clientId ? { 'im-client-id': clientId } : {}) },
    });

  beforeAll(async () => {
    const summary = await importFrom(source.services.storage, exportFile, copyId);
    // Key and token ids and hashes are unique in the whole database: they stay the original's.
    // Key usage is per key (not copied); the audit trail is copied, its ids moved past the original's.
    const { api_keys, user_tokens, webhook_deliveries, push_notifications, push_deliveries, key_usage } = fileCounts();
    expect(Object.entries(summary.skipped).filter(([, rows]) => rows > 0)).toStrictEqual(
      Object.entries({
        api_keys,
        key_usage,
        user_tokens,
        webhook_deliveries,
        push_notifications,
        ...(push_deliveries ? { push_deliveries } : {}),
      }),
    );
    expect(summary.written.audit_log).toBe(fileCounts().audit_log);
    expect(summary.notes.join('\n')).toContain('got a new one');
    expect(summary.notes.join('\n')).toContain('stays the default application');
    copyKey = (await source.services.keys.create(copyId, { name: 'copy' }, 'test')).secret;
  });

  it('holds the same users, rooms, messages and files beside the original', async () => {
    const original = await rowCounts(source.services.storage, source.appId);
    const copy = await rowCounts(source.services.storage, copyId);
    // Left to the original: its keys, tokens, webhook deliveries and push notifications (ids unique database-wide).
    expect(withoutActivity(copy)).toStrictEqual(
      withoutActivity({
        ...original,
        api_keys: 1,
        user_tokens: 0,
        webhook_deliveries: 0,
        push_notifications: 0,
        push_deliveries: 0,
      }),
    );
    const same = async (url: string, clientId?: string) =>
      expect(okOf(await asCopy(url, clientId)), url).toStrictEqual(
        inApp(okOf(clientId ? await adminAs(source, clientId, url) : await source.admin('GET', url)), copyId),
      );
    await same('/admin/clients');
    await same('/admin/groups');
    await same('/rooms', 'alice');
    await same('/rooms/general', 'bob');
    await same('/rooms/general/messages/v3?limit=100', 'alice');
    await same('/rooms/invitations', 'carol');
    const bytes = await asCopy(`/files/${file.bucket}/${file.id}`, 'alice');
    expect(bytes.rawPayload.equals(BYTES)).toBe(true);
    // The original still answers to its own key, client key and tokens.
    expectOk(await source.asUser(tokens.alice as string, 'GET', '/rooms'));
  });

  it('is the same after a second import, and numbers new messages after the copied ones', async () => {
    const messages = okOf(await asCopy('/rooms/general/messages/v3?limit=100', 'alice'));
    await source.services.audit.flush();
    const counts = await rowCounts(source.services.storage, copyId);
    expect(await importFrom(source.services.storage, exportFile, copyId)).toMatchObject(secondImport());
    expect(await rowCounts(source.services.storage, copyId)).toStrictEqual(counts);
    expect(okOf(await asCopy('/rooms/general/messages/v3?limit=100', 'alice'))).toStrictEqual(messages);

    const sent = expectOk(
      await source.app.inject({
        method: 'POST',
        url: '/messages',
        remoteAddress: '127.0.0.1',
        headers: { 'im-api-key': copyKey, 'content-type': 'application/json' },
        payload: JSON.stringify({ room: 'general', sender: 'alice', message: 'in the copy', messageType: 'text' }),
      }),
    );
    const page = expectOk(await asCopy('/rooms/general/messages/v3?limit=1', 'alice'));
    expect(page.data[0]._id).toBe(sent._id);
  });
});

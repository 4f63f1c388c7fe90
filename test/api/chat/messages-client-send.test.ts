import { describe, expect, it } from 'vitest';
import { badRequest, insufficient, NOT_ROOM_MEMBER } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { HEX24 } from '../../helpers/wire.js';
import { alice, asFlutter, asVue, bob, carol, ids, list, makeRoom, olga } from '../../helpers/messages-suite.js';
import { send, t, tick, useMessagesApp } from '../../helpers/messages-suite.js';

/**
 * `POST /rooms/:id/message` as IMKIT's mobile SDKs and Vue client send it (other-clients 1.5, 4.5):
 * media messages without `message`, JSON null for unset fields, edits without `messageType`.
 */

useMessagesApp();

const FILE = 'https://files.example/chatserver-upload/';
const image = (n: number) => ({
  originalUrl: `${FILE}img-${n}`,
  thumbnailUrl: `${FILE}thumb-${n}`,
  width: 640,
  height: 480,
});

const flutterSend = (token: string, uid: string, room: string, body: Record<string, unknown>) =>
  asFlutter(token, uid, 'POST', `/rooms/${room}/message`, body);
const vueSend = (token: string, room: string, body: Record<string, unknown>) =>
  asVue(token, 'POST', `/rooms/${room}/message`, body);

const EDIT_DENIED = insufficient('Only the sender, room owner, manager, or platform admin can edit a message');
const REWRITE_DENIED = insufficient(
  'Only the sender or the platform admin can edit a message; a room superuser may recall or delete it',
);

describe('media messages carry their own fields instead of `message` (Flutter, iOS)', () => {
  it('sends an image as Flutter does: no message, the first image flat and all of them in images', async () => {
    const room = await makeRoom();
    const body = { messageType: 'image', ...image(1), images: [image(1), image(2)] };
    const sent = expectOk(await flutterSend(alice, 'alice', room, body));
    expect(sent).toMatchObject({ _id: expect.stringMatching(HEX24), room, ...body, message: '' });
    expect(sent.sender._id).toBe('alice');
    const [stored] = (await list(room, '', bob)).data;
    expect(stored).toMatchObject({ _id: sent._id, ...body });
  });

  it('sends a video with its extra as a JSON string and a duration, no message', async () => {
    const room = await makeRoom();
    const body = {
      messageType: 'video',
      ...image(3),
      extra: '{"fileExtension":"mp4","mimeType":"video/mp4","bytes":102400}',
      duration: 12,
    };
    const sent = expectOk(await flutterSend(alice, 'alice', room, body));
    expect(sent).toMatchObject({ ...body, message: '' });
    expect((await list(room, '', bob)).data[0]).toMatchObject(body);
  });

  it('takes audio and file with or without a file name in message, sticker and location by their fields', async () => {
    const room = await makeRoom();
    const extra = '{"fileName":"notes","fileExtension":"pdf","mimeType":"application/pdf","bytes":2048}';
    const bodies: Array<Record<string, unknown>> = [
      { messageType: 'audio', originalUrl: `${FILE}a`, extra, duration: 7, message: '20240101_101010' },
      { messageType: 'audio', originalUrl: `${FILE}b`, duration: 3 },
      { messageType: 'file', originalUrl: `${FILE}c`, extra, duration: null, message: 'notes' },
      { messageType: 'file', url: `${FILE}d`, extra: { title: 'd.pdf', mimetype: 'application/pdf' } },
      { messageType: 'sticker', sticker: 'pack-1/hello' },
      { messageType: 'location', latitude: 25.0339, longitude: 121.5645 },
      { messageType: 'location', latitude: 0, longitude: 0, message: 'Null Island' },
      { messageType: 'flex', contents: { type: 'bubble', body: { type: 'box', contents: [] } } },
    ];
    const sent: string[] = [];
    for (const body of bodies) sent.push(expectOk(await flutterSend(alice, 'alice', room, body))._id);
    const page = await list(room, 'limit=100', bob);
    expect(ids(page)).toStrictEqual([...sent].reverse());
    bodies.forEach((body, index) => {
      expect(page.data[bodies.length - 1 - index]).toMatchObject(body);
    });
  });

  it('reads JSON null as absent in the fields it reads, and stores the sender’s other nulls as sent', async () => {
    const room = await makeRoom();
    // Flutter's text parameters: the three middle ones are usually null (other-clients 1.5).
    const text = expectOk(
      await flutterSend(alice, 'alice', room, {
        messageType: 'text',
        message: 'hello',
        originalUrl: null,
        thumbnailUrl: null,
        reply: null,
        mentions: null,
        _id: null,
        sender: null,
        push: null,
        skipTotalBadge: null,
      }),
    );
    expect(text).toMatchObject({ messageType: 'text', message: 'hello', originalUrl: null, reply: null });
    expect(text.sender._id).toBe('alice');
    const pic = expectOk(
      await flutterSend(alice, 'alice', room, {
        messageType: 'image',
        message: null,
        originalUrl: `${FILE}n`,
        thumbnailUrl: null,
        width: null,
        height: null,
        images: [{ originalUrl: `${FILE}n`, thumbnailUrl: null, width: null, height: null }],
      }),
    );
    expect(pic).toMatchObject({ messageType: 'image', message: '', originalUrl: `${FILE}n`, width: null });
    expect(ids(await list(room, '', bob))).toStrictEqual([pic._id, text._id]);
    // Pushes went out by default: bob has both unread.
    expect(expectOk(await asFlutter(bob, 'bob', 'GET', `/rooms/${room}`)).unread).toBe(2);
  });

  it('still refuses with 400 a message that carries no content, and stores nothing', async () => {
    const room = await makeRoom();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ messageType: 'text' }, 'Missing required field: message'],
      [{ messageType: 'text', message: null, originalUrl: `${FILE}x` }, 'Missing required field: message'],
      [{ messageType: 'custom-card', title: 'no message' }, 'Missing required field: message'],
      [
        { messageType: 'image' },
        'Missing required field: message (image messages may carry originalUrl or images instead)',
      ],
      [
        { messageType: 'image', originalUrl: null, thumbnailUrl: `${FILE}t`, images: [] },
        'Missing required field: message (image messages may carry originalUrl or images instead)',
      ],
      [
        { messageType: 'video', originalUrl: '', duration: 3 },
        'Missing required field: message (video messages may carry originalUrl instead)',
      ],
      [
        { messageType: 'file', extra: '{}' },
        'Missing required field: message (file messages may carry originalUrl or url instead)',
      ],
      [
        { messageType: 'sticker', sticker: null },
        'Missing required field: message (sticker messages may carry sticker instead)',
      ],
      [
        { messageType: 'location', latitude: 25.03 },
        'Missing required field: message (location messages may carry latitude and longitude instead)',
      ],
    ];
    for (const [body, message] of cases) {
      expectBody(await flutterSend(alice, 'alice', room, body), 400, badRequest(message));
    }
    expect((await list(room)).totalCount).toBe(0);
  });

  it('applies the same rule to POST /messages, the API key’s send', async () => {
    const room = await makeRoom();
    const sent = expectOk(
      await t.admin('POST', '/messages', { room, sender: 'alice', messageType: 'image', images: [image(5)] }),
    );
    expect(sent).toMatchObject({ messageType: 'image', images: [image(5)], message: '', sender: 'alice' });
    expectBody(
      await t.admin('POST', '/messages', { room, sender: 'alice', messageType: 'image' }),
      400,
      badRequest('Missing required field: message (image messages may carry originalUrl or images instead)'),
    );
  });
});

describe('edit without messageType: `{_id, message}` (Vue)', () => {
  const original = {
    messageType: 'text',
    message: 'typo',
    mentions: ['bob'],
    reply: 'ffffffffffffffffffffffff',
    extra: { tags: ['a'] },
  };

  it('keeps the stored type and the fields not given; only the sender’s message changes', async () => {
    const room = await makeRoom();
    const sent = expectOk(await vueSend(alice, room, original));
    await tick();
    const seen: string[] = [];
    const stop = t.services.bus.subscribe('message.updated', (event) => {
      if (event.roomId === room) seen.push(String(event.message._id));
    });
    let edited: any;
    try {
      edited = expectOk(await vueSend(alice, room, { _id: sent._id, message: 'fixed' }));
    } finally {
      stop();
    }
    expect(seen).toStrictEqual([sent._id]);
    expect(edited).toMatchObject({ ...original, _id: sent._id, message: 'fixed', createdAtMS: sent.createdAtMS });
    expect(edited.updatedAtMS).toBeGreaterThan(sent.updatedAtMS);
    expect(edited.sender._id).toBe('alice');
    const page = await list(room, '', bob);
    expect(page.totalCount).toBe(1);
    expect(page.data[0]).toMatchObject({ ...original, _id: sent._id, message: 'fixed' });
    expect(
      expectOk(await asVue(bob, 'POST', '/search', { type: ['messages'], keyword: 'fixed', room })).messages,
    ).toMatchObject([{ room: { _id: room }, messages: [sent._id] }]);
    expect(
      expectOk(await asVue(bob, 'POST', '/search', { type: ['messages'], keyword: 'typo', room })).messages,
    ).toStrictEqual([]);
  });

  it('edits the caption of an image and leaves its images', async () => {
    const room = await makeRoom();
    const sent = expectOk(await flutterSend(alice, 'alice', room, { messageType: 'image', images: [image(7)] }));
    const edited = expectOk(await vueSend(alice, room, { _id: sent._id, message: 'sunset' }));
    expect(edited).toMatchObject({ messageType: 'image', images: [image(7)], message: 'sunset' });
  });

  it('keeps the edit rules: the sender or the API key only, never a recalled message', async () => {
    const room = await makeRoom();
    const sent = expectOk(await vueSend(alice, room, original));
    expectBody(await vueSend(bob, room, { _id: sent._id, message: 'hijacked' }), 403, EDIT_DENIED);
    expectBody(await vueSend(olga, room, { _id: sent._id, message: 'rewritten' }), 403, REWRITE_DENIED);
    expectBody(await vueSend(carol, room, { _id: sent._id, message: 'outsider' }), 403, NOT_ROOM_MEMBER);
    expect((await list(room)).data[0].message).toBe('typo');
    const byKey = expectOk(await t.admin('POST', `/rooms/${room}/message`, { _id: sent._id, message: 'by key' }));
    expect(byKey).toMatchObject({ messageType: 'text', message: 'by key', mentions: ['bob'] });
    expect(byKey.sender._id).toBe('alice');
    expectOk(await vueSend(alice, room, { _id: sent._id, messageType: 'recall' }));
    expectBody(
      await vueSend(alice, room, { _id: sent._id, message: 'back' }),
      403,
      insufficient('A recalled message cannot be edited'),
    );
  });

  it('recalls with the whole message sent back, sender object included (Vue recallMessage)', async () => {
    const room = await makeRoom();
    expectOk(await vueSend(alice, room, original));
    const [whole] = (await list(room, '', alice)).data;
    const recalled = expectOk(await vueSend(alice, room, { ...whole, messageType: 'recall' }));
    expect(recalled).toMatchObject({ _id: whole._id, messageType: 'recall', message: '' });
    expect(recalled.sender._id).toBe('alice');
  });

  it('answers 400 when there is nothing to edit or the id names no message of this room', async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    const sent = expectOk(await vueSend(alice, room, original));
    const elsewhere = await send(other, 'alice', 'elsewhere');
    const NO_TYPE = badRequest('Missing required field: messageType');
    expectBody(await vueSend(alice, room, { message: 'no id, no type' }), 400, NO_TYPE);
    expectBody(await vueSend(alice, room, { _id: 'a'.repeat(24), message: 'unknown id' }), 400, NO_TYPE);
    expectBody(await vueSend(alice, room, { _id: elsewhere._id, message: 'other room' }), 400, NO_TYPE);
    expectBody(await vueSend(alice, room, { _id: sent._id }), 400, badRequest('Missing required field: message'));
    expectBody(
      await vueSend(alice, room, { _id: sent._id, message: null, messageType: null }),
      400,
      badRequest('Missing required field: message'),
    );
    expect((await list(room)).data[0]).toMatchObject({ message: 'typo', updatedAtMS: sent.updatedAtMS });
    expect((await list(other)).data[0]).toMatchObject({ message: 'elsewhere', updatedAtMS: elsewhere.updatedAtMS });
    expect((await list(room)).totalCount).toBe(1);
  });
});

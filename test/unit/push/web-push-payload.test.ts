import { describe, expect, it } from 'vitest';
import type { PushContent } from '../../../src/modules/push/delivery/contract.js';
import {
  MAX_WEB_PUSH_PLAINTEXT,
  fitWebPushPayload,
  webPushPayloadOf,
} from '../../../src/modules/push/delivery/web-push-payload.js';
import { retryAfterMsOf } from '../../../src/modules/push/delivery/retry-after.js';
import { webPushTtlOf } from '../../../src/modules/push/delivery/web-push-sender.js';

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

const message: PushContent = {
  kind: 'message',
  id: 'n1',
  type: 'message',
  title: 'Alice',
  body: 'Hello',
  locKey: 'im_loc_text',
  locArgs: ['Alice', 'Hello'],
  badge: 3,
  collapseKey: 'room-1',
  data: { type: 'message', room: 'room-1', messageId: 'm1', payload: '{"message":"Hello"}' },
};

describe('webPushPayloadOf', () => {
  it('maps a chat message to what showNotification takes', () => {
    expect(webPushPayloadOf(message)).toEqual({
      title: 'Alice',
      body: 'Hello',
      badge: 3,
      tag: 'room-1',
      data: message.data,
      locKey: 'im_loc_text',
      locArgs: ['Alice', 'Hello'],
    });
  });

  it('leaves out what the content does not set, and falls back on an iOS alert', () => {
    expect(webPushPayloadOf({ kind: 'custom', id: 'n2', alert: 'Ping', data: {} })).toEqual({
      title: '',
      body: 'Ping',
      data: {},
    });
    expect(
      webPushPayloadOf({ kind: 'custom', id: 'n3', alert: { 'loc-key': 'k', 'loc-args': ['a'] }, data: {} }),
    ).toEqual({ title: '', body: '', data: {}, locKey: 'k', locArgs: ['a'] });
  });
});

describe('fitWebPushPayload', () => {
  it('keeps a payload that fits as it is', () => {
    const payload = webPushPayloadOf(message);
    expect(fitWebPushPayload(payload)).toBe(payload);
  });

  it('shortens the body and the loc-args repeating it, never splitting a character', () => {
    const text = '😀'.repeat(3000);
    const fitted = fitWebPushPayload(webPushPayloadOf({ ...message, body: text, locArgs: ['Alice', text] }));
    expect(sizeOf(fitted)).toBeLessThanOrEqual(MAX_WEB_PUSH_PLAINTEXT);
    expect(sizeOf(fitted)).toBeGreaterThan(MAX_WEB_PUSH_PLAINTEXT - 20);
    expect(fitted.body.endsWith('…')).toBe(true);
    expect(fitted.body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(fitted.locArgs?.[1]).toBe(fitted.body);
    expect(fitted.title).toBe('Alice');
    expect(fitted.data).toEqual(message.data);
  });

  it('drops the largest data fields when even an empty body is too long, then the title', () => {
    const data = { room: 'room-1', messageId: 'm1', payload: 'x'.repeat(5000) };
    const fitted = fitWebPushPayload(webPushPayloadOf({ ...message, body: 'y'.repeat(5000), data }));
    expect(fitted.data).toEqual({ room: 'room-1', messageId: 'm1' });
    expect(fitted.body.length).toBeGreaterThan(1000);
    expect(sizeOf(fitted)).toBeLessThanOrEqual(MAX_WEB_PUSH_PLAINTEXT);

    const long = fitWebPushPayload(webPushPayloadOf({ ...message, title: 't'.repeat(5000), data: {} }));
    expect(sizeOf(long)).toBeLessThanOrEqual(MAX_WEB_PUSH_PLAINTEXT);
    expect(long.title.endsWith('…')).toBe(true);
  });

  it('the plaintext limit is what fits one aes128gcm record in 4096 bytes (RFC 8291 4)', () => {
    expect(MAX_WEB_PUSH_PLAINTEXT).toBe(3993);
  });
});

describe('headers', () => {
  it('TTL: the seconds left until the expiry, 24 h without one, never negative', () => {
    const now = 1_700_000_000_000;
    expect(webPushTtlOf(undefined, now)).toBe(86_400);
    expect(webPushTtlOf(now / 1000 + 600, now)).toBe(600);
    expect(webPushTtlOf(now / 1000 - 5, now)).toBe(0);
    expect(webPushTtlOf(now / 1000 + 365 * 86_400, now)).toBe(28 * 86_400);
  });

  it('Retry-After: delay-seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMsOf('7', now)).toBe(7000);
    expect(retryAfterMsOf('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMsOf('soon', now)).toBeUndefined();
    expect(retryAfterMsOf(undefined, now)).toBeUndefined();
  });
});

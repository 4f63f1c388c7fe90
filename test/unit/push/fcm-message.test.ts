import { describe, expect, it } from 'vitest';
import type { PushContent } from '../../../src/modules/push/delivery/contract.js';
import { fcmMessageOf } from '../../../src/modules/push/delivery/fcm-sender.js';

const NOW_MS = 1_700_000_000_000;

const chatMessage: PushContent = {
  kind: 'message',
  id: 'n-1',
  type: 'message',
  title: 'Demo Room',
  body: 'Alice: hello',
  locKey: 'im_loc_text',
  locArgs: ['Alice', 'hello'],
  badge: 3,
  sound: 'default',
  collapseKey: 'demo-room',
  expiry: NOW_MS / 1000 + 3600,
  data: {
    type: 'message',
    payload: '{"_id":"m1","message":"hello"}',
    redirect: '/chat',
    roomTags: '["vip"]',
    room: 'demo-room',
    messageId: 'm1',
  },
};

describe('fcmMessageOf', () => {
  it('maps a chat message the way IMKIT sent it (spec 10.2)', () => {
    expect(fcmMessageOf('device-token-1', chatMessage, NOW_MS)).toEqual({
      token: 'device-token-1',
      data: {
        type: 'message',
        payload: '{"_id":"m1","message":"hello"}',
        redirect: '/chat',
        roomTags: '["vip"]',
        room: 'demo-room',
        messageId: 'm1',
        title: 'Demo Room',
        body: 'Alice: hello',
        badge: '3',
        'loc-key': 'im_loc_text',
        'loc-args': '["Alice","hello"]',
      },
      notification: { title: 'Demo Room', body: 'Alice: hello' },
      android: {
        collapse_key: 'demo-room',
        ttl: '3600s',
        notification: {
          sound: 'default',
          body_loc_key: 'im_loc_text',
          body_loc_args: ['Alice', 'hello'],
          click_action: 'push_chatroom',
          notification_count: 3,
        },
      },
      apns: {
        headers: { 'apns-priority': '5', 'apns-expiration': String(NOW_MS / 1000 + 3600) },
        payload: {
          aps: {
            badge: 3,
            'mutable-content': 1,
            alert: {
              title: 'Demo Room',
              body: 'Alice: hello',
              'loc-key': 'im_loc_text',
              'loc-args': ['Alice', 'hello'],
            },
            sound: 'default',
          },
        },
      },
      webpush: { notification: { title: 'Demo Room', body: 'Alice: hello' } },
    });
  });

  it('maps a custom push from the caller’s fields, with its alert for iOS and an hour to live', () => {
    const message = fcmMessageOf(
      'device-token-2',
      {
        kind: 'custom',
        id: 'n-2',
        type: 'promo',
        title: 'Sale',
        body: 'Everything half price',
        icon: 'ic_sale',
        collapseKey: 'sale',
        badge: 99,
        sound: 'chime',
        alert: { 'loc-key': 'promo_key', 'loc-args': ['50%'] },
        data: { payload: '{"type":"promo","title":"Sale"}' },
      },
      NOW_MS,
    );
    expect(message.data).toEqual({
      payload: '{"type":"promo","title":"Sale"}',
      type: 'promo',
      title: 'Sale',
      body: 'Everything half price',
      badge: '99',
    });
    expect(message.notification).toEqual({ title: 'Sale', body: 'Everything half price' });
    expect(message.android).toEqual({
      collapse_key: 'sale',
      ttl: '3600s',
      notification: { sound: 'chime', icon: 'ic_sale', click_action: 'push_chatroom', notification_count: 99 },
    });
    expect(message.apns).toEqual({
      headers: { 'apns-priority': '10' },
      payload: {
        aps: {
          alert: { 'loc-key': 'promo_key', 'loc-args': ['50%'] },
          badge: 99,
          sound: 'chime',
          'mutable-content': 1,
        },
      },
    });
    expect(message.webpush).toEqual({
      notification: { title: 'Sale', body: 'Everything half price', icon: 'ic_sale' },
    });
  });

  it('keeps a caller’s plain string alert as is', () => {
    const message = fcmMessageOf('t', { kind: 'custom', id: 'n', alert: 'Hi there', data: {} }, NOW_MS);
    expect(message.apns.payload.aps.alert).toBe('Hi there');
    expect(message.notification).toBeUndefined();
    expect(message.webpush).toBeUndefined();
  });

  it('gives FCM only string data values and no reserved keys, whatever it is handed', () => {
    const data = { count: 3, flag: true, nested: { a: 1 }, none: null, from: 'x', 'google.c.a': 'y', kept: 'z' };
    const message = fcmMessageOf(
      't',
      { kind: 'custom', id: 'n', badge: 2.5, data: data as unknown as Record<string, string> },
      NOW_MS,
    );
    expect(message.data).toEqual({ count: '3', flag: 'true', nested: '{"a":1}', kept: 'z' });
    for (const value of Object.values(message.data)) expect(typeof value).toBe('string');
    expect(message.android.notification.notification_count).toBeUndefined();
    expect(message.apns.payload.aps.badge).toBeUndefined();
  });

  it('gives an already expired push a zero TTL and a chat message without expiry no TTL', () => {
    expect(fcmMessageOf('t', { ...chatMessage, expiry: NOW_MS / 1000 - 10 }, NOW_MS).android.ttl).toBe('0s');
    const { expiry: _, ...withoutExpiry } = chatMessage;
    expect(fcmMessageOf('t', withoutExpiry, NOW_MS).android.ttl).toBeUndefined();
  });
});

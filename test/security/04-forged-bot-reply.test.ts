import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { createRoom } from '../helpers/factories.js';

async function settle(t: TestApp, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (
    expectOk(await t.admin('GET', '/admin/webhooks/deliveries?status=pending')).data.length > 0 &&
    Date.now() < deadline
  )
    await sleep(30);
}

describe('item 4: a bot reply is sent only as a robot member of the room', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let replySender = 'bot';

  beforeAll(async () => {
    t = await buildTestApp({ webhooks: { allowPrivate: true, maxAttempts: 2, retryBaseMs: 30, timeoutMs: 2000 } });
    receiver = await new WebhookReceiver().start();
    await t.createUser('alice');
    await t.createUser('mallory');
    await t.createUser('outsider');
    await t.admin('POST', '/admin/clients', { _id: 'bot', nickname: 'Bot', isRobot: true });
    await t.admin('POST', '/admin/clients', { _id: 'otherbot', nickname: 'Other bot', isRobot: true });
    receiver.respond = (request) =>
      request.json.event === 'MESSAGE' && request.json.clientID !== replySender
        ? { status: 200, body: { senderID: replySender, data: { message: `as ${replySender}`, messageType: 'text' } } }
        : { status: 200 };
    await createRoom(t, {
      _id: 'botroom',
      members: ['alice', 'mallory', 'bot'],
      webhook: `${receiver.url}/bot`,
      botMode: true,
    });
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const replyAs = async (sender: string) => {
    replySender = sender;
    const before = receiver.received.length;
    expectOk(
      await t.admin('POST', '/messages', {
        room: 'botroom',
        sender: 'mallory',
        message: `reply as ${sender}`,
        messageType: 'text',
      }),
    );
    await receiver.waitFor(before + 1);
    await settle(t);
    await sleep(100);
    const messages = expectOk(await t.admin('GET', '/rooms/botroom/messages/v3?limit=50')).data;
    const delivery = expectOk(await t.admin('GET', '/admin/webhooks/deliveries?limit=1')).data[0];
    return { posted: messages.filter((message: any) => message.message === `as ${sender}`), delivery };
  };

  it('posts a reply from the robot member it names', async () => {
    const { posted } = await replyAs('bot');
    expect(posted.map((message: any) => message.sender._id)).toStrictEqual(['bot']);
  });

  for (const [sender, why] of [
    ['alice', 'a human member'],
    ['outsider', 'a human outside the room'],
    ['otherbot', 'a robot outside the room'],
    ['nobody', 'no such user'],
  ] as const) {
    it(`drops a reply naming ${why} (${sender}) and records why`, async () => {
      const { posted, delivery } = await replyAs(sender);
      expect(posted).toStrictEqual([]);
      expect(delivery.status).toBe('delivered');
      expect(delivery.lastError).toMatch(/reply refused: senderID is not a robot member of the room/);
    });
  }
});

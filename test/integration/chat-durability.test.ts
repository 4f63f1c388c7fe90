import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type Storage } from '../helpers/test-app.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

async function call(
  server: ServerProcess,
  method: string,
  path: string,
  apiKey: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: { 'im-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const RECIPIENTS = 400;

/** What the server acknowledged survives a crash: messages, rooms, and a batch it accepted (spec 5.3). */
describe('chat data across a crash', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await freshDatabase();
  });
  afterAll(() => storage.dispose());

  it('keeps acknowledged messages and finishes an accepted batch exactly once after SIGKILL', async () => {
    const env = { DATABASE_URL: storage.databaseUrl };
    const first = await startServer(env);
    const { apiKey } = first.banner!;
    const users = Array.from({ length: RECIPIENTS }, (_, index) => ({
      _id: `user-${index}`,
      nickname: `User ${index}`,
    }));
    expect(
      (
        await call(first, 'POST', '/admin/clients/list', apiKey, {
          data: [...users, { _id: 'sender', nickname: 'Sender' }],
        })
      ).status,
    ).toBe(200);
    expect((await call(first, 'POST', '/rooms', apiKey, { _id: 'kept', members: ['sender', 'user-0'] })).status).toBe(
      200,
    );
    const sent = await call(first, 'POST', '/messages', apiKey, {
      room: 'kept',
      sender: 'sender',
      message: 'acknowledged',
      messageType: 'text',
    });
    expect(sent.status).toBe(200);

    const batch = await call(first, 'POST', '/messages/batch', apiKey, {
      sender: 'sender',
      message: 'Hello $name$',
      messageType: 'text',
      paras: users.map((user) => ({ receiver: user._id, $name$: user.nickname })),
    });
    expect(batch.status).toBe(200);
    // Killed while the batch is (most likely) still being sent.
    await first.stop('SIGKILL');

    const second = await startServer(env);
    try {
      let status: any;
      const deadline = Date.now() + 60_000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await call(second, 'GET', `/messages/batch/${batch.body.result.batchID}`, apiKey)).body.result;
      } while (status.status !== 'done' && Date.now() < deadline);
      expect(status).toMatchObject({
        status: 'done',
        count: RECIPIENTS,
        processed: RECIPIENTS,
        sent: RECIPIENTS,
        failures: [],
      });

      const kept = await call(second, 'GET', '/rooms/kept/messages/v3?limit=100', apiKey);
      expect(kept.body.result.data.map((message: any) => message._id)).toContain(sent.body.result._id);
      // Every recipient got exactly one message in their direct room with the sender.
      for (const index of [0, 1, 199, RECIPIENTS - 1]) {
        const list: any = await fetch(`${second.url}/rooms?limit=0`, {
          headers: { 'im-api-key': apiKey, 'im-client-id': `user-${index}` },
        }).then((r) => r.json());
        const direct = list.result.data.find((room: any) => room.roomType === 'direct');
        const messages = await call(second, 'GET', `/rooms/${direct._id}/messages/v3?limit=100`, apiKey);
        expect(messages.body.result.data.map((message: any) => message.message)).toStrictEqual([`Hello User ${index}`]);
      }
      const stats = await call(second, 'GET', '/admin/stats', apiKey);
      expect(stats.body.result.messageCount).toBe(RECIPIENTS + 1);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

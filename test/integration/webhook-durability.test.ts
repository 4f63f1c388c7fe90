import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type Storage } from '../helpers/test-app.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { verifySignature, WebhookReceiver } from '../helpers/webhook-receiver.js';

async function call(server: ServerProcess, method: string, path: string, apiKey: string, body?: unknown): Promise<any> {
  const response = await fetch(server.url + path, {
    method,
    headers: { 'im-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as { result: unknown };
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json.result;
}

const MESSAGES = 20;

/** Issue 5: every webhook event reaches a signed, verifying receiver at least once, across a crash. */
describe('webhook deliveries across a crash', () => {
  let storage: Storage;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    storage = await freshDatabase();
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await receiver.stop();
    await storage.dispose();
  });

  it('delivers every pending event after SIGKILL and a restart', async () => {
    const env = {
      DATABASE_URL: storage.databaseUrl,
      PARLEY_WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_MAX_ATTEMPTS: '50',
      WEBHOOK_TIMEOUT_MS: '1000',
    };
    const first = await startServer(env);
    const { apiKey } = first.banner!;
    await call(first, 'POST', '/admin/clients/list', apiKey, { data: [{ _id: 'alice', nickname: 'Alice' }] });
    // The receiver is down (503) while the first node runs: everything stays pending.
    receiver.respond = () => ({ status: 503 });
    await call(first, 'POST', '/rooms', apiKey, { _id: 'hooked', members: ['alice'], webhook: `${receiver.url}/hook` });
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++)
      ids.push(
        (
          await call(first, 'POST', '/messages', apiKey, {
            room: 'hooked',
            sender: 'alice',
            message: `m${i}`,
            messageType: 'text',
          })
        )._id,
      );
    await first.stop('SIGKILL');

    receiver.respond = () => ({ status: 200 });
    const second = await startServer(env);
    try {
      const secret = (await call(second, 'GET', '/admin/webhooks/secret', apiKey)).secret as string;
      const deadline = Date.now() + 30_000;
      const delivered = () =>
        new Set(
          receiver.received
            .filter((request) => request.json?.event === 'MESSAGE' && verifySignature(secret, request))
            .map((request) => request.json.data._id),
        );
      while (delivered().size < MESSAGES && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect([...delivered()].sort()).toStrictEqual([...ids].sort());
      const events = receiver.received.map((request) => request.json?.event);
      expect(events).toContain('ADD_MEMBERS');
      // A delivery the killed node held is handed over once its lease (timeout + 5 s) has passed.
      let pending = -1;
      while (pending !== 0 && Date.now() < deadline + 15_000) {
        pending = (await call(second, 'GET', '/admin/webhooks/deliveries?status=pending', apiKey)).totalCount;
        if (pending !== 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(pending).toBe(0);
    } finally {
      await second.stop();
    }
  }, 90_000);
});

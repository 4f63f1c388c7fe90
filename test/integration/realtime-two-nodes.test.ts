import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgres, testRedisUrl, type Storage } from '../helpers/test-app.js';
import { callServer, startServer, type ServerProcess } from '../helpers/server-process.js';
import { authenticate, connect, type TestSocket } from '../helpers/socket-clients.js';

/** A JSON request that must answer 200; answers its result. */
async function call(
  server: ServerProcess,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<any> {
  const { status, body: json } = await callServer(server, method, path, headers, body);
  if (status !== 200) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
  return json.result;
}

const MESSAGES = 40;

/** Issue 4: any node delivers what any other node accepted, once and in order; revocations and counts hold across nodes. */
describe.skipIf(!onPostgres || !testRedisUrl)(
  'real-time across two server processes sharing PostgreSQL and Redis',
  () => {
    let storage: Storage;
    let a: ServerProcess;
    let b: ServerProcess;
    let admin: Record<string, string>;
    let clientKey: string;
    const tokens: Record<string, string> = {};
    const sockets: TestSocket[] = [];

    beforeAll(async () => {
      storage = await freshDatabase();
      const env = {
        DATABASE_URL: storage.databaseUrl,
        REDIS_URL: testRedisUrl!,
        REDIS_PREFIX: `parley-test:${randomBytes(6).toString('hex')}:`,
      };
      a = await startServer(env);
      admin = { 'im-api-key': a.banner!.apiKey };
      clientKey = a.banner!.clientKey;
      b = await startServer(env);
      for (const id of ['alice', 'bob', 'carol']) {
        tokens[id] = (
          await call(a, 'POST', '/admin/clients', admin, { _id: id, nickname: id, issueAccessToken: true })
        ).token;
      }
      await call(a, 'POST', '/rooms', admin, { _id: 'shared', members: ['alice', 'bob', 'carol'] });
    }, 60_000);
    afterAll(async () => {
      for (const socket of sockets) socket.close();
      await a?.stop('SIGKILL').catch(() => undefined);
      await b?.stop();
      await storage?.dispose();
    });

    it('delivers to clients on node B, in order and exactly once, what node A accepted over REST and batch', async () => {
      const g1 = await connect(b.url, 'G1');
      const g3 = await connect(b.url, 'G3');
      sockets.push(g1, g3);
      await authenticate(g1, tokens.bob!, clientKey);
      await authenticate(g3, tokens.carol!, clientKey);
      const sent: string[] = [];
      for (let i = 0; i < MESSAGES; i++) {
        sent.push(
          (
            await call(
              a,
              'POST',
              '/rooms/shared/message',
              { 'im-client-key': clientKey, 'im-authorization': tokens.alice! },
              { message: `m${i}`, messageType: 'text' },
            )
          )._id,
        );
      }
      await call(a, 'POST', '/messages/batch', admin, {
        sender: 'alice',
        message: 'batch to $who$',
        messageType: 'text',
        paras: [{ room: 'shared', $who$: 'all' }],
      });
      const deadline = Date.now() + 10_000;
      while (
        (g1.received('chat message').length < MESSAGES + 1 || g3.received('chat message').length < MESSAGES + 1) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate would arrive by now
      for (const socket of [g1, g3]) {
        const received = socket.received('chat message');
        expect(received.slice(0, MESSAGES).map((message) => message._id)).toStrictEqual(sent);
        expect(received).toHaveLength(MESSAGES + 1);
        expect(received[MESSAGES].message).toBe('batch to all');
      }
    }, 30_000);

    it("keeps a room's order when both nodes accept messages for it at once", async () => {
      const watcher = await connect(b.url, 'G3');
      sockets.push(watcher);
      await authenticate(watcher, tokens.carol!, clientKey);
      const user = { 'im-client-key': clientKey, 'im-authorization': tokens.alice! };
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < 30; i++)
        sends.push(
          call(i % 2 === 0 ? a : b, 'POST', '/rooms/shared/message', user, {
            message: `race ${i}`,
            messageType: 'text',
          }),
        );
      await Promise.all(sends);
      const deadline = Date.now() + 10_000;
      while (watcher.received('chat message').length < 30 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 600));
      const received = watcher.received('chat message').map((message) => message._id);
      const stored = (await call(a, 'GET', '/rooms/shared/messages/v3?limit=30&timeRangeField=createdAt', admin)).data
        .map((message: { _id: string }) => message._id)
        .reverse();
      expect(received).toStrictEqual(stored);
    }, 30_000);

    it('counts connections on both nodes', async () => {
      const onA = await connect(a.url, 'G2');
      sockets.push(onA);
      await authenticate(onA, tokens.alice!, clientKey);
      const fromA = await call(a, 'GET', '/admin/connection-count', admin);
      const fromB = await call(b, 'GET', '/admin/connection-count', admin);
      expect(fromA.count).toBeGreaterThanOrEqual(3);
      expect(fromB.count).toBe(fromA.count);
    });

    it('disconnects a socket on node B when node A revokes its token', async () => {
      const socket = await connect(b.url, 'G3');
      sockets.push(socket);
      const token = (await call(a, 'POST', '/admin/clients', admin, { _id: 'bob', issueAccessToken: true })).token;
      await authenticate(socket, token, clientKey);
      const closed = new Promise((resolve) => socket.raw.once('disconnect', resolve));
      await call(a, 'DELETE', '/admin/clients/bob/token', admin, { token });
      await closed;
    });

    it('loses no acknowledged message when node A is killed', async () => {
      const acknowledged: string[] = [];
      for (let i = 0; i < 10; i++) {
        acknowledged.push(
          (
            await call(a, 'POST', '/messages', admin, {
              room: 'shared',
              sender: 'alice',
              message: `before kill ${i}`,
              messageType: 'text',
            })
          )._id,
        );
      }
      await a.stop('SIGKILL');
      const listed = await call(b, 'GET', '/rooms/shared/messages/v3?limit=100', admin);
      const ids = new Set(listed.data.map((message: { _id: string }) => message._id));
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      // Node B keeps serving sockets and REST on its own.
      const socket = await connect(b.url, 'G3');
      sockets.push(socket);
      await authenticate(socket, tokens.carol!, clientKey);
      const pushed = socket.next('chat message');
      await call(b, 'POST', '/messages', admin, {
        room: 'shared',
        sender: 'alice',
        message: 'after kill',
        messageType: 'text',
      });
      expect((await pushed).message).toBe('after kill');
    });
  },
);

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgres, testRedisUrl, type Storage } from '../helpers/test-app.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

const get = (server: ServerProcess, key: string) =>
  fetch(`${server.url}/admin/clients`, { headers: { 'im-api-key': key } });

describe.skipIf(!onPostgres || !testRedisUrl)('two server processes sharing PostgreSQL and Redis', () => {
  let storage: Storage;
  let a: ServerProcess;
  let b: ServerProcess;
  let apiKey: string;

  beforeAll(async () => {
    storage = await freshDatabase();
    const env = {
      DATABASE_URL: storage.databaseUrl,
      REDIS_URL: testRedisUrl!,
      REDIS_PREFIX: `parley-test:${randomBytes(6).toString('hex')}:`,
    };
    a = await startServer(env);
    apiKey = a.banner!.apiKey;
    b = await startServer(env);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await storage?.dispose();
  });

  it('counts one rate limit for a key used on both nodes', async () => {
    const created = await fetch(`${a.url}/admin/keys`, {
      method: 'POST',
      headers: { 'im-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shared', rateLimitPerMinute: 6 }),
    });
    const key = ((await created.json()) as { result: { key: string } }).result.key;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(i % 2 === 0 ? a : b, key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('refuses a key on node B right after node A revoked it', async () => {
    const created = await fetch(`${a.url}/admin/keys`, {
      method: 'POST',
      headers: { 'im-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'doomed' }),
    });
    const { key, id } = ((await created.json()) as { result: { key: string; id: string } }).result;
    expect((await get(b, key)).status).toBe(200);
    expect(
      (await fetch(`${a.url}/admin/keys/${id}`, { method: 'DELETE', headers: { 'im-api-key': apiKey } })).status,
    ).toBe(200);
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await get(b, key)).status;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { authenticate, connect } from '../helpers/socket-clients.js';

describe('dbg', () => {
  let t: TestApp; let url: string; let tok: string;
  beforeAll(async () => { t = await buildTestApp(); tok = await t.createUser('alice'); url = await t.app.listen({ port: 0, host: '127.0.0.1' }); });
  afterAll(() => t.close());
  it('count', async () => {
    for (const g of ['G1', 'G2', 'G3'] as const) {
      const s = await connect(url, g);
      await authenticate(s, tok, t.clientKey);
      console.log(g, 'after auth', expectOk(await t.admin('GET', '/admin/connection-count')).count, t.services.config.redisUrl);
      s.close();
      for (let i = 0; i < 10; i++) { await sleep(100); console.log(g, i, expectOk(await t.admin('GET', '/admin/connection-count')).count); }
    }
  });
});

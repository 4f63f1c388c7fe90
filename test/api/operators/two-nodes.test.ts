import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { asOperator, login, PASSWORD } from '../../helpers/operators.js';
import { testRedisUrl, type TestApp } from '../../helpers/test-app.js';
import { buildTwoNodes, type TwoNodes } from '../../helpers/two-nodes.js';

/** Operators on two nodes sharing a database and Redis: sessions, revocations and sign-in budgets hold on both. */
describe.skipIf(!testRedisUrl)('operators on two nodes', () => {
  let nodes: TwoNodes | undefined;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    nodes = await buildTwoNodes({
      dashboard: { ...loadConfig({}).dashboard, loginAttemptsPerMinute: 4 },
    });
    ({ a, b } = nodes);
    await a.services.operators.create('nina', PASSWORD);
  });
  afterAll(() => nodes?.close());

  it('serves a session made on one node on the other, and ends it on both when revoked on one', async () => {
    const session = await login(a, 'nina', PASSWORD, '192.0.2.1');
    expect((await asOperator(b, session, 'GET', '/admin/keys')).statusCode).toBe(200);
    expect((await asOperator(b, session, 'POST', '/dashboard/api/logout')).statusCode).toBe(204);
    expect((await asOperator(a, session, 'GET', '/dashboard/api/session')).statusCode).toBe(401);
    expect((await asOperator(a, session, 'GET', '/admin/keys')).statusCode).toBe(401);
  });

  it('counts sign-in attempts of one name across the nodes', async () => {
    const attempt = (node: TestApp, address: string) =>
      node.app.inject({
        method: 'POST',
        url: '/dashboard/api/login',
        payload: { name: 'nina', password: 'not the password' },
        remoteAddress: address,
      });
    // One attempt was spent above; three more fill the name's budget of four, alternating nodes.
    expect((await attempt(a, '198.51.100.1')).statusCode).toBe(401);
    expect((await attempt(b, '198.51.100.2')).statusCode).toBe(401);
    expect((await attempt(a, '198.51.100.3')).statusCode).toBe(401);
    const over = await attempt(b, '198.51.100.4');
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });
});

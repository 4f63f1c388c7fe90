import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type Storage } from '../helpers/test-app.js';
import { startServer } from '../helpers/server-process.js';

/** Issue 12: the start banner carries a one-time setup link while no operator exists. */
describe('the operator setup link of a real server process', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await freshDatabase();
  });
  afterAll(() => storage.dispose());

  const linkOf = (stdout: string[]) =>
    stdout.map((line) => /(http:\/\/\S+\/dashboard\/setup#token=([A-Za-z0-9_-]+))/.exec(line)).find(Boolean);

  it('is printed at first start, not again while valid, and creates the first operator once', async () => {
    const first = await startServer({ DATABASE_URL: storage.databaseUrl });
    let token: string | undefined;
    try {
      const link = linkOf(first.stdout);
      expect(link, first.stdout.join('\n')).toBeDefined();
      expect(link![1]).toBe(`${first.url}/dashboard/setup#token=${link![2]}`);
      token = link![2];
      expect(first.stdout.join('\n')).not.toMatch(/"msg":"[^"]*setup#token/);
    } finally {
      await first.stop();
    }

    const second = await startServer({ DATABASE_URL: storage.databaseUrl });
    try {
      expect(linkOf(second.stdout)).toBeUndefined();
      const setup = (name: string) =>
        fetch(`${second.url}/dashboard/api/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, name, password: 'the first operator password' }),
        });
      const created = await setup('root');
      expect(created.status).toBe(201);
      expect(created.headers.get('set-cookie')).toMatch(/^parley_session=[^;]+; .*HttpOnly/);
      expect((await setup('root-again')).status).toBe(401);
    } finally {
      await second.stop();
    }

    const third = await startServer({ DATABASE_URL: storage.databaseUrl });
    try {
      expect(linkOf(third.stdout), 'an operator exists: no link').toBeUndefined();
    } finally {
      await third.stop();
    }
  }, 90_000);
});

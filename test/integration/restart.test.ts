import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type Storage } from '../helpers/test-app.js';
import { callServer, runCli, startServer } from '../helpers/server-process.js';
import { createStorage } from '../../src/storage/database.js';

const call = callServer;

/** Every stored value of every table, as one string. */
async function dumpDatabase(databaseUrl: string): Promise<string> {
  const storage = createStorage(databaseUrl);
  try {
    const tables = await storage.db.introspection.getTables();
    let dump = '';
    for (const table of tables) {
      const rows = await storage.db
        .selectFrom(table.name as 'users')
        .selectAll()
        .execute();
      dump += JSON.stringify(rows);
    }
    return dump;
  } finally {
    await storage.close();
  }
}

function sqliteFiles(databaseUrl: string): Buffer[] {
  if (!databaseUrl.startsWith('sqlite:')) return [];
  const path = databaseUrl.slice('sqlite:'.length);
  const dir = join(path, '..');
  return readdirSync(dir).map((name) => readFileSync(join(dir, name)));
}

describe('a real server process across a restart', () => {
  let storage: Storage;
  let env: Record<string, string>;
  const secrets: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    storage = await freshDatabase();
    env = { DATABASE_URL: storage.databaseUrl };
  });
  afterAll(() => storage.dispose());

  it('keeps users, keys and tokens, and never stores or logs a plain secret', async () => {
    const first = await startServer(env);
    expect(first.banner, 'first start prints the credentials banner').toBeDefined();
    const { apiKey, clientKey } = first.banner!;
    const admin = { 'im-api-key': apiKey };
    secrets.push(apiKey);

    const created = await call(first, 'POST', '/admin/clients', admin, {
      _id: 'alice',
      nickname: 'Alice',
      email: 'a@example.com',
      issueAccessToken: true,
    });
    expect(created.status).toBe(200);
    const issued = created.body.result.token as string;
    secrets.push(issued);
    const assigned = 'assigned-token-for-bob-0123456789';
    expect(
      (
        await call(first, 'POST', '/admin/clients', admin, {
          _id: 'bob',
          token: assigned,
          expirationDate: new Date(Date.now() + 86_400_000).toISOString(),
        })
      ).status,
    ).toBe(200);
    secrets.push(assigned);
    const newKey = await call(first, 'POST', '/admin/keys', admin, { name: 'backend', scopes: ['users:read'] });
    expect(newKey.status).toBe(200);
    secrets.push(newKey.body.result.key);
    expect((await call(first, 'GET', '/admin/clients', { 'im-api-key': newKey.body.result.key })).status).toBe(200);

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.stdout.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    logs.push(...first.stdout, ...first.stderr);

    const second = await startServer(env);
    expect(second.banner, 'no banner once a key exists').toBeUndefined();
    const users = await call(second, 'GET', '/admin/clients', admin);
    expect(users.status).toBe(200);
    expect(users.body.result.data.map((user: { _id: string }) => user._id)).toEqual(['alice', 'bob']);
    expect(users.body.result.data[0].email).toBe('a@example.com');
    expect((await call(second, 'GET', '/admin/clients', { 'im-api-key': newKey.body.result.key })).status).toBe(200);
    for (const [token, id] of [
      [issued, 'alice'],
      [assigned, 'bob'],
    ] as const) {
      const me = await call(second, 'GET', '/me', { 'im-client-key': clientKey, 'im-authorization': token });
      expect(me.status, id).toBe(200);
      expect(me.body.result._id).toBe(id);
    }
    const keys = await call(second, 'GET', '/admin/keys', admin);
    expect(keys.body.result.data.map((key: { name: string }) => key.name)).toEqual(['Initial key', 'backend']);
    expect(await second.stop('SIGINT')).toBe(0);
    logs.push(...second.stdout, ...second.stderr);

    // Only the first-start banner shows the initial key; no log line holds any secret.
    const bannerLines = first.stdout.filter((line) => line.includes(apiKey));
    expect(bannerLines).toHaveLength(1);
    expect(bannerLines[0]).toMatch(/^\s+API key\s+:/);
    for (const line of logs.filter((entry) => entry.startsWith('{'))) {
      for (const secret of secrets)
        expect(line.includes(secret), `log line holds a secret: ${line.slice(0, 120)}`).toBe(false);
    }
    const dump = await dumpDatabase(storage.databaseUrl);
    for (const secret of secrets) expect(dump.includes(secret)).toBe(false);
    for (const file of sqliteFiles(storage.databaseUrl)) {
      for (const secret of secrets) expect(file.includes(Buffer.from(secret))).toBe(false);
    }
  });
});

describe('PARLEY_API_KEY and the CLI', () => {
  it('installs an imported key, keeps a revoked one revoked, and manages keys while the server is down', async () => {
    const storage = await freshDatabase();
    const legacyKey = 'hosted-service-key-0123456789abcdef';
    const env = { DATABASE_URL: storage.databaseUrl, PARLEY_API_KEY: legacyKey };
    try {
      const server = await startServer(env);
      expect(server.banner).toBeUndefined();
      const admin = { 'im-api-key': legacyKey };
      expect((await call(server, 'GET', '/admin/clients', admin)).status).toBe(200);
      const keys = await call(server, 'GET', '/admin/keys', admin);
      const imported = keys.body.result.data[0];
      expect(imported).toMatchObject({ name: 'PARLEY_API_KEY', origin: 'imported', scopes: ['*'], last4: 'cdef' });
      expect(await server.stop()).toBe(0);

      // The CLI works on the database while the server is down.
      const created = await runCli(['keys', 'create', '--name', 'from-cli', '--scopes', 'users:read'], {
        DATABASE_URL: storage.databaseUrl,
      });
      expect(created.code, created.stderr).toBe(0);
      const cliKey = /API key: (\S+)/.exec(created.stdout)?.[1];
      expect(cliKey).toBeDefined();
      const revoke = await runCli(['keys', 'revoke', imported.id], { DATABASE_URL: storage.databaseUrl });
      expect(revoke.code, revoke.stderr).toBe(0);
      const list = await runCli(['keys', 'list', '--all'], { DATABASE_URL: storage.databaseUrl });
      expect(list.stdout).toMatch(new RegExp(`${imported.id}\\s+PARLEY_API_KEY\\s+cdef\\s+revoked`));
      expect(list.stdout).not.toContain(cliKey!);

      const again = await startServer(env);
      expect((await call(again, 'GET', '/admin/clients', admin)).body).toEqual({
        error: 'INVALID_API_KEY',
        message: 'The provided API key is invalid or expired',
      });
      expect(again.stdout.some((line) => line.includes('PARLEY_API_KEY was revoked earlier'))).toBe(true);
      expect((await call(again, 'GET', '/admin/clients', { 'im-api-key': cliKey! })).status).toBe(200);
      expect((await call(again, 'POST', '/admin/clients', { 'im-api-key': cliKey! }, { _id: 'x' })).status).toBe(403);
      expect(await again.stop()).toBe(0);
    } finally {
      await storage.dispose();
    }
  });

  it('refuses to start on a bad configuration with a message naming the variable', async () => {
    const storage = await freshDatabase();
    try {
      await expect(startServer({ DATABASE_URL: storage.databaseUrl, TOKEN_TTL_DAYS: 'seven' })).rejects.toThrow(
        /TOKEN_TTL_DAYS must be a whole number/,
      );
    } finally {
      await storage.dispose();
    }
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, cliInProcess, cliProcess } from '../../helpers/cli.js';
import { createRoom } from '../../helpers/factories.js';
import { freePort } from '../../helpers/server-process.js';
import {
  buildTestApp,
  freshDatabase,
  onPostgres,
  type Storage as TestDatabase,
  type TestApp,
} from '../../helpers/test-app.js';

/**
 * `parley …` on a test app's database: most commands in this process, a few as real processes. The
 * server is stopped while the CLI works (on SQLite, two connections of one process would wait on each
 * other's group commit); `withServer` starts it again on the same database to check what the CLI did.
 */
let database: TestDatabase;
let credentials: { apiKey: string; clientKey: string; appId: string };
let env: Record<string, string>;
let roomId: string;
beforeAll(async () => {
  database = await freshDatabase();
  const t = await buildTestApp({}, { storage: database });
  credentials = { apiKey: t.apiKey, clientKey: t.clientKey, appId: t.appId };
  await t.createUser('alice', { nickname: 'Alice', email: 'alice@example.com', team: 'blue' });
  await t.createUser('bob', { nickname: 'Bob' });
  await t.createUser('carol', { nickname: 'Carol' });
  roomId = (await createRoom(t, { name: 'Ops', members: ['alice'] }))._id;
  await t.close();
  env = cliEnv(t);
});
afterAll(() => database.dispose());

async function withServer<T>(check: (t: TestApp) => Promise<T>): Promise<T> {
  const t = await buildTestApp({}, { storage: database, credentials });
  try {
    return await check(t);
  } finally {
    await t.close();
  }
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const cli = (...args: string[]) => cliInProcess(env, args);
const json = async (...args: string[]) => {
  const run = await cli('--json', ...args);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};
/** The audit trail's CLI records naming `target`, newest first, as `method route status`. */
async function cliAudit(t: TestApp, target: string): Promise<string[]> {
  const response = await t.admin('GET', `/admin/audit?targetId=${encodeURIComponent(target)}`);
  return (response.json().result.data as Array<Record<string, unknown>>)
    .filter((entry) => entry.keyName === 'cli' && entry.ip === 'cli' && entry.keyId === null)
    .map((entry) => `${entry.method} ${entry.route} ${entry.status}`);
}
let createdKeyId = '';

describe('parley as a process', () => {
  it('--version exits 0; doctor on a closed database port fails quickly (exit 1) and says what to do', async () => {
    const closedPort = await freePort();
    const started = Date.now();
    const [version, doctor] = await Promise.all([
      cliProcess(env, ['--version']),
      cliProcess({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/none` }, ['doctor']),
    ]);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(doctor.code, doctor.stderr).toBe(1);
    expect(doctor.stdout).toMatch(/^ok {4}config/m);
    expect(doctor.stdout).toMatch(/^fail {2}database {4}cannot reach postgres:\/\/postgres@127\.0\.0\.1:\d+\/none/m);
    expect(doctor.stdout).toContain('-> check DATABASE_URL');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});

describe('parley usage', () => {
  it('--help and <command> --help exit 0 and list the exit codes; no command, unknown options and bad values exit 2', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const text of ['Exit codes:', '2  usage error', 'users', 'tokens', 'rooms', 'doctor', '--json'])
      expect(help.stdout).toContain(text);
    expect((await cli('help', 'tokens')).code).toBe(0);
    expect((await cli('keys')).code).toBe(2);
    const importHelp = await cli('users', 'import', '--help');
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toContain('--resume');

    const unknown = await cli('frobnicate');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(unknown.stderr).toContain('parley --help');
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: parley');
    const unknownOption = await cli('users', 'list', '--bogus');
    expect(unknownOption).toMatchObject({ code: 2, stdout: '' });
    expect(unknownOption.stderr).toContain("unknown option '--bogus'");
    expect((await cli('users', 'list', '--limit', 'ten')).code).toBe(2);
    expect((await cli('keys', 'create', '--expires', 'soon')).code).toBe(2);
    expect((await cliInProcess({ DATABASE_URL: 'mysql://nowhere' }, ['users', 'list'])).code).toBe(2);
  });

  it('--json failures: exit 1, nothing on stdout, the error as JSON on stderr', async () => {
    const missing = await cli('--json', 'users', 'get', 'nobody');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { code: 'CLIENT_NOT_FOUND', message: "Client with id 'nobody' not found" },
    });
    const text = await cli('users', 'get', 'nobody');
    expect(text).toMatchObject({ code: 1, stderr: "parley: Client with id 'nobody' not found\n" });
  });
});

describe('parley users', () => {
  it('list (text and JSON, with --query, --limit, --skip) and get', async () => {
    const listed = await cli('users', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^alice\tAlice\talice@example\.com\t/m);
    expect(listed.stdout).toMatch(/^bob\tBob\t-\t/m);

    const filtered = await json('users', 'list', '--query', '{"nickname":"Alice"}');
    expect(filtered.totalCount).toBe(1);
    expect(filtered.data[0]).toMatchObject({ _id: 'alice', email: 'alice@example.com', team: 'blue' });
    const page = await json('users', 'list', '--limit', '1', '--skip', '1');
    expect(page.totalCount).toBe(3);
    expect(page.data).toHaveLength(1);

    const alice = await json('users', 'get', 'alice');
    expect(alice).toMatchObject({ _id: 'alice', nickname: 'Alice', team: 'blue' });
    expect((await cli('users', 'get', 'alice')).stdout).toContain('nickname: Alice\n');
  });

  it('delete needs --yes (exit 2, nothing deleted); with it the user is gone, audited as DELETE /admin/clients/:id', async () => {
    const refused = await cli('users', 'delete', 'carol');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await cli('users', 'get', 'carol')).code).toBe(0);

    const deleted = await json('users', 'delete', 'carol', '--yes');
    expect(deleted.deleted._id).toBe('carol');
    expect((await cli('users', 'get', 'carol')).code).toBe(1);
    expect((await cli('users', 'delete', 'carol', '--yes')).code).toBe(1);
  });
});

describe('parley tokens', () => {
  it('issue prints a working token once (alone on stdout, with --expires); revoke ends it; both audited', async () => {
    const expires = Date.now() + 2 * 86_400_000;
    const issued = await cli('tokens', 'issue', 'bob', '--expires', new Date(expires).toISOString());
    expect(issued.code, issued.stderr).toBe(0);
    const token = issued.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(issued.stderr).toContain('shown once');

    const asJson = await json('tokens', 'issue', 'bob');
    expect(asJson.expirationDateMS).toBeGreaterThan(expires);
    expect((await cli('tokens', 'issue', 'nobody')).code).toBe(1);
    expect((await cli('tokens', 'issue', 'bob', '--expires', '2001-01-01T00:00:00Z')).code).toBe(1);

    const one = await json('tokens', 'revoke', 'bob', '--token', token);
    expect(one).toMatchObject({ userId: 'bob', revokedTokens: 1, data: [{ token: `…${token.slice(-4)}` }] });
    await withServer(async (t) => {
      expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(401);
      expect((await t.asUser(asJson.token, 'GET', '/me')).json().result._id).toBe('bob');
    });
    const all = await cli('tokens', 'revoke', 'bob');
    expect(all.stdout).toMatch(/^Revoked [1-9]\d* token\(s\) of bob\.$/m);
    expect((await json('tokens', 'revoke', 'bob')).revokedTokens).toBe(0);
  });
});

describe('parley rooms and keys', () => {
  it("rooms list: the app's rooms, one member's, or those named like a text (as GET /admin/rooms)", async () => {
    const all = await json('rooms', 'list');
    expect(all.data.map((entry: { _id: string }) => entry._id)).toContain(roomId);
    const mine = await json('rooms', 'list', '--member', 'alice');
    expect(mine).toMatchObject({
      totalCount: 1,
      data: [{ _id: roomId, name: 'Ops', isMember: true, isBanned: false }],
    });
    expect((await json('rooms', 'list', '--member', 'bob')).totalCount).toBe(0);
    expect(
      (await json('rooms', 'list', '--name', 'oPS')).data.map((entry: { _id: string }) => entry._id),
    ).toStrictEqual([roomId]);
    const text = await cli('rooms', 'list', '--limit', '1');
    expect(text.stdout).toContain(`${roomId}\tgroup\t1\tOps\t1\t`);
  });

  it('keys list as JSON; keys create audited like POST /admin/keys', async () => {
    const created = await json('keys', 'create', '--name', 'from-cli', '--scopes', 'users:read');
    expect(created.apiKey).toEqual(expect.any(String));
    const list = await json('keys', 'list');
    expect(list.data.find((key: { id: string }) => key.id === created.key.id)).toMatchObject({
      name: 'from-cli',
      createdBy: 'cli',
    });
    createdKeyId = created.key.id;
  });
});

describe('parley doctor', () => {
  it('passes on a reachable, migrated database', async () => {
    const report = await cliInProcess(env, ['--json', 'doctor']);
    expect(report.code, report.stdout).toBe(0);
    const checks = JSON.parse(report.stdout);
    expect(checks.ok).toBe(true);
    const byName = Object.fromEntries(checks.checks.map((check: { name: string }) => [check.name, check]));
    expect(byName.database.detail).toMatch(onPostgres ? /^PostgreSQL / : /^SQLite /);
    expect(byName.migrations.status).toBe('ok');
    expect(byName.clock.status).toBe('ok');
    expect(byName.redis.status).toBe('ok');
    expect(['ok', 'warn']).toContain(byName.dashboard.status);
  });
});

describe('parley doctor failing', () => {
  it('an unreachable Redis and an invalid configuration fail their checks (exit 1), with what to do', async () => {
    const redisDown = await cliInProcess({ ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, ['doctor']);
    expect(redisDown.code).toBe(1);
    expect(redisDown.stdout).toMatch(/^ok {4}database /m);
    expect(redisDown.stdout).toMatch(/^fail {2}redis {7}cannot reach redis:\/\/127\.0\.0\.1:\d+/m);
    expect(redisDown.stdout).toContain('-> check REDIS_URL');
    const badConfig = await cliInProcess({ DATABASE_URL: 'mysql://nowhere' }, ['--json', 'doctor']);
    expect(badConfig.code).toBe(1);
    const report = JSON.parse(badConfig.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([
      { name: 'config', status: 'fail', detail: expect.stringContaining('DATABASE_URL'), fix: expect.any(String) },
    ]);
  });
});

describe('the audit trail', () => {
  it('records what the CLI did as the admin API records the same requests (actor "cli")', async () => {
    await withServer(async (t) => {
      expect(await cliAudit(t, 'alice')).toContain('GET /admin/clients/:id 200');
      expect(await cliAudit(t, 'carol')).toEqual(
        expect.arrayContaining(['DELETE /admin/clients/:id 404', 'DELETE /admin/clients/:id 200']),
      );
      const bob = await cliAudit(t, 'bob');
      expect(bob.filter((record) => record === 'POST /admin/clients 200')).toHaveLength(2);
      expect(bob.filter((record) => record === 'POST /admin/clients 404')).toHaveLength(0);
      expect(bob.filter((record) => record === 'DELETE /admin/clients/:client_id/token 200')).toHaveLength(3);
      expect(await cliAudit(t, 'nobody')).toContain('POST /admin/clients 404');
      expect(await cliAudit(t, createdKeyId)).toEqual(['POST /admin/keys 200']);
      const response = await t.admin('GET', '/admin/audit?targetId=carol&method=DELETE&status=200');
      expect(response.json().result.data[0]).toMatchObject({ url: '/admin/clients/carol', targetIds: ['carol'] });
    });
  });
});

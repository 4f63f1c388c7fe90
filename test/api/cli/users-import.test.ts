import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import type { UserInput } from '../../../src/modules/users/index.js';
import { cliInProcess } from '../../helpers/cli.js';
import { freshDatabase, type Storage as TestDatabase, testRedisUrl } from '../../helpers/test-app.js';

/** `parley users import` (in this process) on a fresh database: SQLite, or PostgreSQL in the postgres run. */
let database: TestDatabase;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  database = await freshDatabase();
  dir = mkdtempSync(join(tmpdir(), 'parley-import-'));
  env = {
    DATABASE_URL: database.databaseUrl,
    REDIS_PREFIX: `parley-test:import-${process.pid}:`,
    ...(testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
  };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.dispose();
});

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const cli = (args: string[], options: Parameters<typeof cliInProcess>[2] = {}) => cliInProcess(env, args, options);
const user = async (id: string) => {
  const run = await cli(['--json', 'users', 'get', id]);
  return run.code === 0 ? JSON.parse(run.stdout) : undefined;
};
/** Wraps the users service's batch upsert of the run's context. */
const wrapUpsertMany =
  (
    wrap: (
      original: (appId: string, items: UserInput[]) => Promise<number>,
      items: UserInput[],
      appId: string,
    ) => Promise<number>,
  ) =>
  async (context: CliContext) => {
    const { users } = (await context.services()).modules.users;
    const original = users.upsertMany.bind(users);
    users.upsertMany = (appId, items) => wrap(original, items, appId);
  };

describe('parley users import', () => {
  it('a CSV with bad rows: each reported by row and line, every other row imported (exit 1)', async () => {
    const csv = file(
      'users.csv',
      [
        '_id,nickname,email,isRobot,team',
        'c1,User One,c1@example.com,false,red',
        'c2,"Two, with a comma",,true,',
        'c3,Three,,maybe,blue',
        ',No id,,,',
        'c5,Five,,,',
        'c6,Six,,',
        'c7,Seven,c7@example.com,0,green',
      ].join('\n'),
    );
    const run = await cli(['--json', 'users', 'import', csv, '--batch-size', '2']);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ format: 'csv', imported: 4, skipped: 0, failed: 3 });
    expect(summary.errors).toEqual([
      { row: 3, line: 4, error: 'isRobot: Expected boolean' },
      { row: 4, line: 5, error: 'Missing required field: _id' },
      { row: 6, line: 7, error: 'has 4 fields; the header has 5' },
    ]);
    expect(run.stderr).toContain('row 3 (line 4): isRobot: Expected boolean\n');
    expect(run.stderr).toContain('row 4 (line 5): Missing required field: _id\n');

    expect(await user('c1')).toMatchObject({
      nickname: 'User One',
      email: 'c1@example.com',
      isRobot: false,
      team: 'red',
    });
    expect(await user('c2')).toMatchObject({ nickname: 'Two, with a comma', isRobot: true });
    expect(await user('c2')).not.toHaveProperty('team');
    expect(await user('c3')).toBeUndefined();
    expect(await user('c7')).toMatchObject({ email: 'c7@example.com', isRobot: false, team: 'green' });
  });

  it('NDJSON (found by its content), with a progress bar on a terminal; a bad line is reported, the others imported', async () => {
    const ndjson = file(
      'people.txt',
      [
        '{"_id":"n1","nickname":"N1","avatarUrl":"https://example.com/a.png"}',
        '',
        '{"_id":"n2", "nickname": ',
        '{"_id":"n3","nickname":"N3","prefs":{"lang":"fr"}}',
        '{"_id":"n4","nickname":7}',
        '["n5"]',
        '{"_id":"n6","nickname":"nul \\u0000 inside"}',
      ].join('\n'),
    );
    const run = await cli(['users', 'import', ndjson], { stderrIsTty: true });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Imported 2 users into \S+ from .*people\.txt \(ndjson\); 4 rows failed\.\n$/);
    expect(run.progress).toContain(' bytes | ');
    expect(run.progress).toMatch(/100% \| (\d+)\/\1 bytes \| 4 failed/);
    expect(run.stderr).toMatch(/row 2 \(line 3\): not valid JSON/);
    expect(run.stderr).toContain('row 4 (line 5): nickname: Expected string\n');
    expect(run.stderr).toContain('row 5 (line 6): not a JSON object\n');
    expect(run.stderr).toContain('row 6 (line 7): the row must not contain NUL characters');
    expect(await user('n3')).toMatchObject({ nickname: 'N3', prefs: { lang: 'fr' } });
    expect(await user('n4')).toBeUndefined();
  });

  it('--resume after an interrupted import writes only the rows not committed; a changed file is refused', async () => {
    const rows = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((id) =>
      JSON.stringify({ _id: id, nickname: id.toUpperCase() }),
    );
    const ndjson = file('resume.ndjson', `${rows.join('\n')}\n`);
    let calls = 0;
    // The database is lost after the first batch of two committed.
    const interrupted = await cli(['users', 'import', ndjson, '--batch-size', '2'], {
      prepare: wrapUpsertMany((original, items, appId) => {
        calls += 1;
        if (calls === 2) return Promise.reject(new Error('connection to the database lost'));
        return original(appId, items);
      }),
    });
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toBe('parley: connection to the database lost\n');
    expect(JSON.parse(readFileSync(`${ndjson}.parley-import.json`, 'utf8'))).toMatchObject({
      rowsDone: 2,
      imported: 2,
    });
    expect(await user('r2')).toMatchObject({ nickname: 'R2' });
    expect(await user('r3')).toBeUndefined();

    // Changed meanwhile: a resumed import must not write it back.
    await cli(['users', 'import', file('r1.ndjson', '{"_id":"r1","nickname":"changed"}\n')]);
    const written: string[] = [];
    const resumed = await cli(['--json', 'users', 'import', ndjson, '--batch-size', '2', '--resume'], {
      prepare: wrapUpsertMany((original, items, appId) => {
        written.push(...items.map((item) => item._id));
        return original(appId, items);
      }),
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ imported: 4, skipped: 2, failed: 0 });
    expect(written).toEqual(['r3', 'r4', 'r5', 'r6']);
    expect(await user('r1')).toMatchObject({ nickname: 'changed' });
    expect(await user('r6')).toMatchObject({ nickname: 'R6' });

    const again = await cli(['--json', 'users', 'import', ndjson, '--resume']);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, skipped: 6 });

    appendFileSync(ndjson, '{"_id":"r7"}\n');
    const changed = await cli(['users', 'import', ndjson, '--resume']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('changed since the import to resume');
    expect(await user('r7')).toBeUndefined();
    expect(existsSync(`${ndjson}.parley-import.json`)).toBe(true);
  });
});

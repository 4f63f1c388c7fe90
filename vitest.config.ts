import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const postgresUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

if ((!postgresUrl || !redisUrl) && !process.env.PARLEY_NOTICE_SHOWN) {
  process.env.PARLEY_NOTICE_SHOWN = '1';
  console.log(
    '\n[parley] PostgreSQL/Redis suites skipped. To run every suite again on real services, set\n' +
      '  TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEST_REDIS_URL=redis://127.0.0.1:6379\n' +
      '(.ci/run sets both).\n',
  );
}

if (!existsSync('/usr/bin/chromium') && !process.env.PARLEY_BROWSER_NOTICE_SHOWN) {
  process.env.PARLEY_BROWSER_NOTICE_SHOWN = '1';
  console.log(
    "\n[parley] Browser tests skipped: install Debian's chromium (apt-get install -y chromium; .ci/run does).\n",
  );
}

const shared = ['test/unit/**/*.test.ts', 'test/api/**/*.test.ts', 'test/security/**/*.test.ts'];
const onServices = ['test/api/**/*.test.ts', 'test/security/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Test files mostly wait on databases, sockets and timers: vitest's default (CPUs - 1, one worker on
    // a 2-CPU CI machine) left the CPUs idle. Three workers there ran the suite in 286 s instead of 444 s.
    maxWorkers: Math.max(3, availableParallelism()),
    projects: [
      // One module graph per worker: every test file still builds its own app, database and runtime, but
      // does not import all of src/ again (per file that doubled the suite's time once suites were split).
      { extends: true, test: { name: 'sqlite', include: shared, isolate: false } },
      ...(postgresUrl || redisUrl
        ? [
            {
              extends: true as const,
              test: {
                name: [postgresUrl && 'postgres', redisUrl && 'redis'].filter(Boolean).join('+'),
                include: onServices,
                isolate: false,
                env: { PARLEY_TEST_DATABASE_URL: postgresUrl ?? '', PARLEY_TEST_REDIS_URL: redisUrl ?? '' },
              },
            },
          ]
        : []),
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false } },
      {
        extends: true,
        test: {
          name: 'processes',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          env: { PARLEY_TEST_DATABASE_URL: postgresUrl ?? '', PARLEY_TEST_REDIS_URL: redisUrl ?? '' },
          fileParallelism: false,
        },
      },
    ],
  },
});

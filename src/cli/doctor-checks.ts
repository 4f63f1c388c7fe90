import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { type Config, ConfigError, loadConfig, redactUrl } from '../config/config.js';
import { createStorage, migrationStatus, type Storage } from '../storage/database.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warning or a failure. */
  fix?: string;
}

/** Each check gives up after this long: a database or Redis that does not answer is a failure, not a hang. */
const CHECK_TIMEOUT_MS = 5_000;
/** Beyond this, tokens' expiry and rate-limit windows drift between this machine and the database. */
const MAX_CLOCK_SKEW_MS = 5_000;
/** From src/cli and from dist/cli alike. */
const DASHBOARD_INDEX = fileURLToPath(new URL('../../dist/dashboard/index.html', import.meta.url));

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
const warn = (name: string, detail: string, fix: string): Check => ({ name, status: 'warn', detail, fix });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });

/** `parley doctor`: every check, in order; those that need the database are skipped when it cannot be reached. */
export async function runChecks(env: NodeJS.ProcessEnv): Promise<Check[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [fail('config', error.message, 'fix the environment variable named above (see the README)')];
  }
  const checks: Check[] = [ok('config', 'the environment is valid')];
  checks.push(...(await databaseChecks(config)));
  checks.push(await redisCheck(config));
  checks.push(dashboardCheck());
  return checks;
}

async function databaseChecks(config: Config): Promise<Check[]> {
  const shown = redactUrl(config.databaseUrl);
  if (config.databaseUrl.startsWith('sqlite:')) {
    const path = config.databaseUrl.slice('sqlite:'.length);
    if (path !== ':memory:' && !existsSync(path))
      return [
        warn(
          'database',
          `SQLite file ${path} does not exist yet`,
          'start Parley once (or run `parley migrate`) to create it',
        ),
      ];
  }
  const storage = createStorage(config.databaseUrl);
  try {
    const version = await withTimeout(serverVersion(storage), 'the database');
    const checks = [ok('database', `${version} reachable at ${shown}`)];
    checks.push(await migrationsCheck(storage));
    checks.push(await clockCheck(storage));
    return checks;
  } catch (error) {
    return [
      fail(
        'database',
        `cannot reach ${shown}: ${(error as Error).message}`,
        'check DATABASE_URL and that the database server runs and accepts connections from here',
      ),
    ];
  } finally {
    await storage.close().catch(() => undefined);
  }
}

async function serverVersion(storage: Storage): Promise<string> {
  if (storage.dialect.name === 'sqlite') {
    const { rows } = await sql<{ version: string }>`select sqlite_version() as version`.execute(storage.db);
    return `SQLite ${rows[0]?.version ?? '?'}`;
  }
  const { rows } = await sql<{ server_version: string }>`show server_version`.execute(storage.db);
  return `PostgreSQL ${rows[0]?.server_version ?? '?'}`;
}

async function migrationsCheck(storage: Storage): Promise<Check> {
  const { pending, unknown } = await withTimeout(migrationStatus(storage), 'the migrations');
  if (unknown.length > 0)
    return fail(
      'migrations',
      `the database has migrations this release does not know (${unknown.join(', ')})`,
      'run the Parley release that wrote them, or restore a backup made for this release',
    );
  if (pending.length > 0)
    return warn(
      'migrations',
      `${pending.length} not applied yet (${pending.join(', ')})`,
      'run `parley migrate` (a server start applies them too)',
    );
  return ok('migrations', 'all applied');
}

/** The database server's clock against this machine's: SQLite shares this machine's clock. */
async function clockCheck(storage: Storage): Promise<Check> {
  if (storage.dialect.name === 'sqlite') return ok('clock', 'SQLite runs on this machine: one clock');
  const before = Date.now();
  const { rows } = await withTimeout(
    sql<{ ms: string }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms`.execute(storage.db),
    'the clock',
  );
  const after = Date.now();
  const skew = Number(rows[0]?.ms) - (before + after) / 2;
  const detail = `the database's clock is ${Math.abs(Math.round(skew))} ms ${skew >= 0 ? 'ahead of' : 'behind'} this machine's`;
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS)
    return warn('clock', detail, 'synchronise both machines with NTP (e.g. systemd-timesyncd or chrony)');
  return ok('clock', detail);
}

async function redisCheck(config: Config): Promise<Check> {
  if (!config.redisUrl) return ok('redis', 'not configured (REDIS_URL unset): one node, events stay in-process');
  const shown = redactUrl(config.redisUrl);
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await withTimeout(
      redis.connect().then(() => redis.ping()),
      'Redis',
    );
    return ok('redis', `reachable at ${shown}`);
  } catch (error) {
    return fail('redis', `cannot reach ${shown}: ${(error as Error).message}`, 'check REDIS_URL and that Redis runs');
  } finally {
    redis.disconnect();
  }
}

function dashboardCheck(): Check {
  if (existsSync(DASHBOARD_INDEX)) return ok('dashboard', 'built (dist/dashboard)');
  return warn('dashboard', 'not built: /dashboard answers that it is missing', 'run `npm run build`');
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS / 1000} s`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

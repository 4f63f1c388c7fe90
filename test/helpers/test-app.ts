import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { startRuntime } from '../../src/runtime.js';
import type { KeySettings } from '../../src/modules/keys/keys.service.js';
import type { Runtime } from '../../src/runtime.js';
import { RoomsRepository } from '../../src/modules/chat/rooms.repository.js';
import { MessagesRepository } from '../../src/modules/chat/messages.repository.js';
import { MembersRepository } from '../../src/modules/chat/members.repository.js';
import { ReadStatesRepository } from '../../src/modules/chat/read-states.repository.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';

/** What tests reach behind the API: storage, the event bus, a few module services and the chat's stored rows. */
export interface TestServices {
  storage: Runtime['infra']['storage'];
  bus: Runtime['infra']['bus'];
  apps: Runtime['modules']['apps']['apps'];
  keys: Runtime['modules']['keys']['keys'];
  keyVerifier: Runtime['modules']['keys']['keyVerifier'];
  audit: Runtime['modules']['audit']['audit'];
  activity: Runtime['modules']['audit']['activity'];
  devices: Runtime['modules']['devices']['devices'];
  operators: Runtime['modules']['operators']['operators'];
  sessions: Runtime['modules']['operators']['sessions'];
  roomsRepository: RoomsRepository;
  messagesRepository: MessagesRepository;
  membersRepository: MembersRepository;
  readStatesRepository: ReadStatesRepository;
  usersRepository: UsersRepository;
}

export function testServices({ infra, modules }: Pick<Runtime, 'infra' | 'modules'>): TestServices {
  return {
    storage: infra.storage,
    bus: infra.bus,
    apps: modules.apps.apps,
    keys: modules.keys.keys,
    keyVerifier: modules.keys.keyVerifier,
    audit: modules.audit.audit,
    activity: modules.audit.activity,
    devices: modules.devices.devices,
    operators: modules.operators.operators,
    sessions: modules.operators.sessions,
    roomsRepository: new RoomsRepository(infra.storage),
    messagesRepository: new MessagesRepository(infra.storage),
    membersRepository: new MembersRepository(infra.storage),
    readStatesRepository: new ReadStatesRepository(infra.storage),
    usersRepository: new UsersRepository(infra.storage),
  };
}

/** Which databases this run targets: the `postgres` vitest project sets these. */
export const testDatabaseUrl = process.env.PARLEY_TEST_DATABASE_URL || undefined;
export const testRedisUrl = process.env.PARLEY_TEST_REDIS_URL || undefined;
export const onPostgres = testDatabaseUrl !== undefined;

export interface TestApp {
  app: FastifyInstance;
  services: TestServices;
  config: Config;
  appId: string;
  apiKey: string;
  clientKey: string;
  /** The one-time operator setup token this start made (no operator existed), if any. */
  operatorSetupToken: string | undefined;
  /** Everything the server logged, one JSON line per entry. */
  logs: string[];
  /** A request with the full-permission API key. */
  admin(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** A request as a user (client key + token). */
  asUser(token: string, method: InjectOptions['method'], url: string, body?: unknown): Promise<LightMyRequestResponse>;
  createKey(settings?: KeySettings): Promise<string>;
  /** Creates (or updates) a user and returns a fresh token. */
  createUser(id: string, fields?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export interface Storage {
  databaseUrl: string;
  dispose(): Promise<void>;
}

/** A fresh, empty database: a temporary SQLite file, or a new schema in the test PostgreSQL. */
export function freshDatabase(): Promise<Storage> {
  return testDatabaseUrl ? freshPostgresDatabase(testDatabaseUrl) : freshSqliteDatabase();
}

/** A new, empty schema in the PostgreSQL at `postgresUrl`, dropped by `dispose`. */
export async function freshPostgresDatabase(postgresUrl: string): Promise<Storage> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    databaseUrl: url.toString(),
    async dispose() {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

/** A temporary SQLite file, removed by `dispose`. */
export async function freshSqliteDatabase(): Promise<Storage> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  return {
    databaseUrl: `sqlite:${join(dir, 'parley.db')}`,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function testConfig(
  databaseUrl: string,
  overrides: Partial<Config> = {},
  redisPrefix = `parley-test:${randomBytes(6).toString('hex')}:`,
): Config {
  const defaults = loadConfig({});
  return {
    ...defaults,
    databaseUrl,
    redisUrl: testRedisUrl,
    redisPrefix,
    authFailuresPerMinute: 100_000,
    // Tests sign operators in many times a minute from one address.
    dashboard: { ...defaults.dashboard, loginAttemptsPerMinute: 10_000 },
    logLevel: 'info',
    ...overrides,
  };
}

export interface NodeOptions {
  /** Share a database with another node instead of creating one (the caller disposes it). */
  storage?: Storage;
  /** Share Redis state (rate limits, event channel) with another node. */
  redisPrefix?: string;
  /** For a node joining an existing database: the credentials the first node got. */
  credentials?: { apiKey: string; clientKey: string; appId: string };
}

export async function buildTestApp(overrides: Partial<Config> = {}, options: NodeOptions = {}): Promise<TestApp> {
  const { storage } = options;
  const database = storage ?? (await freshDatabase());
  const config = testConfig(database.databaseUrl, overrides, options.redisPrefix);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const runtime = await startRuntime(config, createLogger(config.logLevel, sink));
  const credentials = runtime.firstStart ?? options.credentials;
  if (!credentials) throw new Error('expected a first start on a fresh database, or credentials');
  const { apiKey, clientKey, appId } = credentials;
  const { app } = runtime;
  const services = testServices(runtime);

  const json = (body: unknown) =>
    body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  const inject = (options: InjectOptions & { remoteAddress?: string }) =>
    app.inject({ remoteAddress: '127.0.0.1', ...options });

  const testApp: TestApp = {
    app,
    services,
    config,
    appId,
    apiKey,
    clientKey,
    operatorSetupToken: runtime.operatorSetup?.token,
    logs,
    admin: (method, url, body, headers = {}) => {
      const payload = json(body);
      return inject({ method, url, ...payload, headers: { ...payload.headers, 'im-api-key': apiKey, ...headers } });
    },
    asUser: (token, method, url, body) => {
      const payload = json(body);
      return inject({
        method,
        url,
        ...payload,
        headers: { ...payload.headers, 'im-client-key': clientKey, 'im-authorization': token },
      });
    },
    createKey: async (settings = {}) =>
      (await services.keys.create(appId, { name: 'test key', ...settings }, 'test')).secret,
    createUser: async (id, fields = {}) => {
      const response = await testApp.admin('POST', '/admin/clients', {
        _id: id,
        nickname: id,
        ...fields,
        issueAccessToken: true,
      });
      if (response.statusCode !== 200) throw new Error(`createUser ${id}: ${response.statusCode} ${response.body}`);
      return response.json().result.token as string;
    },
    close: async () => {
      await runtime.close();
      if (!storage) await database.dispose();
    },
  };
  return testApp;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { loadConfig } from '../../src/config/config.js';
import { expectOk } from '../helpers/expect.js';
import { authenticate, connect } from '../helpers/socket-clients.js';
import type { RouteEntry } from '../../src/http/types.js';
import { createRoom } from '../helpers/factories.js';
import { login, type OperatorSession, PASSWORD } from '../helpers/operators.js';

/**
 * The hostile-input run: every route of the route table, as the API key and as a user, with NUL
 * bytes, deep nesting, huge arrays, wrong types, prototype keys and over-long strings in its
 * params, query and body. Not one answer may be a 5xx, and the server must still serve afterwards.
 */

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
}
interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };
type Caller = 'key' | 'user' | 'operator';
interface Attempt {
  name: string;
  params?: (name: string, fallback: string) => string;
  query?: (names: string[]) => string;
  /** A JSON value, or raw text sent as JSON. */
  body?: (fields: string[], schema: JsonSchema | undefined) => unknown;
  raw?: string;
  /** Sent only to routes that declare one of these body fields (large payloads cost time). */
  onlyFor?: string[];
}

/** Field names worth poisoning on every route, besides those its own schema declares. */
const COMMON_FIELDS = [
  '_id',
  'id',
  'name',
  'nickname',
  'message',
  'messageType',
  'room',
  'sender',
  'members',
  'managers',
  'invitees',
  'invitee',
  'keyword',
  'type',
  'tags',
  'roomTags',
  'clients',
  'payload',
  'property',
  'value',
  'data',
  'extra',
  'paras',
  'mentions',
  'token',
];

const NUL = 'x\u0000y';
const nested = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { deeper: value };
  return value;
};
const ids = (count: number) => Array.from({ length: count }, (_, index) => `u${index}`);
const every = (fields: string[], value: (field: string) => unknown) =>
  Object.fromEntries(fields.map((field) => [field, value(field)]));
const query = (pairs: Array<[string, string]>) =>
  pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');

/**
 * A body of the types the route's schema declares, with `leaf` for every string and `items` ids in
 * every array, so that validation lets it through and the poison reaches the handler and storage.
 */
function wellTyped(schema: JsonSchema | undefined, leaf: string, items = 1, number = 1): unknown {
  if (!schema) return { message: leaf, messageType: 'text', value: leaf, keyword: leaf };
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const branch = schema.anyOf?.find((option) => option.type !== 'null');
  if (branch) return wellTyped(branch, leaf, items, number);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, property]) => [
          name,
          wellTyped(property, leaf, items, number),
        ]),
      );
    case 'array':
      return Array.from({ length: items }, (_, index) =>
        schema.items?.type === 'string' && index > 0 ? `${leaf}${index}` : wellTyped(schema.items, leaf, 1, number),
      );
    case 'string':
      return leaf;
    case 'integer':
    case 'number':
      return number;
    case 'boolean':
      return true;
    default:
      return leaf;
  }
}

const ATTEMPTS: Attempt[] = [
  { name: 'NUL in every string of a well-typed body', body: (_, schema) => wellTyped(schema, NUL) },
  { name: '__proto__ as every string of a well-typed body', body: (_, schema) => wellTyped(schema, '__proto__') },
  { name: 'constructor as every string of a well-typed body', body: (_, schema) => wellTyped(schema, 'constructor') },
  { name: '5,000 ids in every array of a well-typed body', body: (_, schema) => wellTyped(schema, 'id', 5000) },
  {
    name: 'extreme numbers everywhere (times, limits, counts)',
    params: () => '1e308',
    query: (names) => query(names.flatMap((name): Array<[string, string]> => [[name, '1e308']])),
    body: (fields, schema) => ({ ...every(fields, () => 1e308), ...(wellTyped(schema, '-1e308', 1, 1e308) as object) }),
  },
  {
    name: 'negative extremes everywhere',
    query: (names) => query(names.map((name) => [name, '-9007199254740993'])),
    body: (_, schema) => wellTyped(schema, '-8.64e15', 1, -1e308),
  },
  { name: 'NUL in every param', params: () => NUL },
  {
    name: 'NUL in every query value and key',
    query: (names) => query([...names.map((name): [string, string] => [name, NUL]), ['a\u0000b', '1']]),
  },
  { name: 'NUL in every body string', body: (fields) => ({ ...every(fields, () => NUL), 'k\u0000': 1 }) },
  {
    name: 'NUL inside nested body values',
    body: (fields) => every(fields, () => ({ inner: [NUL], [`key${NUL}`]: { deep: NUL } })),
  },
  // Raw text: JSON.stringify itself overflows the stack at such depths.
  { name: 'a body of objects nested 10,000 deep', raw: `${'{"message":'.repeat(10_000)}1${'}'.repeat(10_000)}` },
  { name: 'a body of arrays nested 10,000 deep', raw: `{"members":${'['.repeat(10_000)}${']'.repeat(10_000)}}` },
  { name: 'every field nested 100 deep', body: (fields) => every(fields, () => nested(100)) },
  { name: 'every field a 1,000-item array', body: (fields) => every(fields, () => ids(1000)) },
  {
    name: '40,000 member ids',
    raw: JSON.stringify({ members: ids(40_000), invitees: ids(40_000) }),
    onlyFor: ['members', 'invitees', 'invitee'],
  },
  {
    name: '40,000 managers and clients',
    raw: JSON.stringify({ managers: ids(40_000), clients: ids(40_000) }),
    onlyFor: ['managers', 'clients'],
  },
  {
    name: 'numbers for everything',
    params: () => '12345',
    query: (names) => query(names.map((name) => [name, '12345'])),
    body: (fields) => every(fields, () => 12345),
  },
  {
    name: 'objects for everything',
    query: (names) => query(names.map((name) => [`${name}[a]`, 'b'])),
    body: (fields) => every(fields, () => ({ a: { b: 1 } })),
  },
  { name: 'null for everything', body: (fields) => every(fields, () => null) },
  {
    name: 'arrays of objects for everything',
    query: (names) =>
      query(
        names.flatMap(
          (name): Array<[string, string]> => [
            [name, '1'],
            [name, '2'],
          ],
        ),
      ),
    body: (fields) => every(fields, () => [{ $gt: '' }, { a: 1 }]),
  },
  { name: 'a bare array body', body: () => [1, 'two', { three: 3 }] },
  { name: 'a bare string body', body: () => 'just a string' },
  {
    name: 'a __proto__ key in the body',
    raw: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
  },
  {
    name: 'constructor and prototype keys',
    body: (fields) => ({
      constructor: { prototype: { polluted: 1 } },
      prototype: 1,
      ...every(fields, () => ({ constructor: 1, toString: 1 })),
    }),
  },
  {
    name: 'prototype names as values, params and query keys',
    params: () => '__proto__',
    query: (names) =>
      query([
        ...names.map((name): [string, string] => [name, '__proto__']),
        ['__proto__', '1'],
        ['constructor', 'prototype'],
        ['sort', 'constructor'],
        ['field', 'hasOwnProperty'],
      ]),
    body: (fields) => every(fields, () => '__proto__'),
  },
  {
    name: 'constructor as every param and sort',
    params: () => 'constructor',
    query: (names) => query([...names.map((name): [string, string] => [name, 'constructor']), ['sort', '-toString']]),
  },
  {
    name: 'over-long strings',
    params: () => 'p'.repeat(900),
    query: (names) => query(names.map((name) => [name, 'q'.repeat(4000)])),
    body: (fields) => every(fields, () => 's'.repeat(20_000)),
  },
];

let t: TestApp;
let clientKey: string;
let alice: string;
let messageId: string;
let spareKeyId: string;
/** The run's own key, with a budget for thousands of requests a minute. */
let runKey: string;
/** A dashboard operator's session: the dashboard's routes, and the admin API through the session. */
let operator: OperatorSession;
let routes: RouteEntry[];
let openapi: OpenApi;

const errorLogs = () => t.logs.filter((line) => JSON.parse(line).level >= 50);

beforeAll(async () => {
  // No per-user request budget: thousands of requests as one user must reach the handlers, not a 429.
  const dashboard = {
    ...loadConfig({}).dashboard,
    loginAttemptsPerMinute: 10_000,
    operatorRateLimitPerMinute: 10_000_000,
  };
  t = await buildTestApp({ userRateLimitPerMinute: 0, dashboard });
  await t.services.operators.create('hostile-op', PASSWORD);
  operator = await login(t, 'hostile-op');
  clientKey = t.clientKey;
  alice = await t.createUser('alice');
  for (const id of ['bob', 'victim']) await t.createUser(id);
  await createRoom(t, { _id: 'hr-room', name: 'Hostile', members: ['alice', 'bob'] });
  messageId = expectOk(
    await t.asUser(alice, 'POST', '/rooms/hr-room/message', { message: 'hello', messageType: 'text' }),
  )._id;
  expectOk(await t.admin('POST', '/admin/groups', { _id: 'hr-group', nickname: 'Group', members: ['bob'] }));
  spareKeyId = expectOk(await t.admin('POST', '/admin/keys', { name: 'spare' })).id;
  runKey = await t.createKey({ name: 'hostile run', rateLimit: 10_000_000 });
  openapi = (t.app as unknown as { swagger(): OpenApi }).swagger();
  // Deletions last, so that the other routes still find their objects.
  // Static files like /docs: the dashboard's pages read nothing but the path (and answer 503 until built).
  routes = t.app.routeTable
    .filter((route) => !route.url.startsWith('/docs') && route.url !== '/dashboard' && route.url !== '/dashboard/*')
    .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
});
afterAll(() => t.close());

/** A real object for each param, so that the hostile parts reach the handler, not just a 404. */
function paramValue(url: string, name: string): string {
  if (name === 'id') {
    if (url.startsWith('/admin/keys')) return spareKeyId;
    if (url.startsWith('/admin/clients')) return 'victim';
    if (url.startsWith('/admin/groups')) return 'hr-group';
    if (url.startsWith('/messages/') && url.includes('pin')) return messageId;
    if (url.startsWith('/rooms')) return 'hr-room';
    return 'unknown-id';
  }
  const values: Record<string, string> = {
    client_id: 'bob',
    client: 'bob',
    blockee: 'bob',
    uid: 'bob',
    room: 'hr-room',
    roomID: 'hr-room',
    messageId,
    key: 'theme',
    bucket: 'images',
  };
  return Object.hasOwn(values, name) ? values[name]! : 'x';
}

function describeRoute(route: RouteEntry): {
  fields: string[];
  declared: string[];
  queryNames: string[];
  schema: JsonSchema | undefined;
} {
  const operation = openapi.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
  const queryNames = (operation?.parameters ?? [])
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) => parameter.name);
  const schema = operation?.requestBody?.content?.['application/json']?.schema;
  const declared = Object.keys(
    schema?.properties ?? schema?.anyOf?.find((branch) => branch.properties)?.properties ?? {},
  );
  return {
    schema,
    fields: [...new Set([...declared, ...COMMON_FIELDS])],
    declared,
    queryNames: [...new Set([...queryNames, 'q', 'sort', 'limit', 'skip'])],
  };
}

async function send(route: RouteEntry, attempt: Attempt, caller: Caller) {
  const { fields, queryNames, schema } = describeRoute(route);
  const path = route.url.replace(/:(\w+)/g, (_, name: string) => {
    const fallback = paramValue(route.url, name);
    return encodeURIComponent(attempt.params ? attempt.params(name, fallback) : fallback);
  });
  const search = attempt.query ? `?${attempt.query(queryNames)}` : '';
  const payload =
    route.method === 'GET'
      ? undefined
      : (attempt.raw ?? (attempt.body ? JSON.stringify(attempt.body(fields, schema)) : undefined));
  const credentials =
    caller === 'key'
      ? { 'im-api-key': runKey, 'im-client-id': 'alice' }
      : caller === 'operator'
        ? {
            cookie: operator.cookie,
            'x-csrf-token': operator.csrfToken,
            'x-parley-app': t.appId,
            'im-client-id': 'alice',
          }
        : { 'im-client-key': clientKey, 'im-authorization': alice };
  const response = await t.app.inject({
    method: route.method as 'GET',
    url: `${path}${search}`,
    headers: { ...credentials, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    payload,
    remoteAddress: '127.0.0.1',
  });
  // Signing out (or ending its own session) must not leave the rest of the run unauthenticated.
  if (caller === 'operator' && route.method !== 'GET' && route.url.startsWith('/dashboard/api/')) {
    const still = await t.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      headers: { cookie: operator.cookie },
    });
    if (still.statusCode === 401) operator = await login(t, 'hostile-op');
  }
  return response;
}

/** Who calls a route in the run: a user is refused an admin route, a key or user token an operator's. */
function callersOf(route: RouteEntry): Caller[] {
  if (route.auth === 'operator') return ['operator'];
  if (route.auth === 'admin') return ['key', 'operator'];
  return ['key', 'user'];
}

describe('item 14: the hostile-input run over every route', () => {
  it('answers every hostile request with a 4xx (or a success), never a 5xx, and stays healthy', async () => {
    expect(routes.length).toBeGreaterThan(80);
    const failures: string[] = [];
    let requests = 0;
    let operatorRequests = 0;
    const operatorRefused: string[] = [];
    for (const route of routes) {
      const { declared } = describeRoute(route);
      for (const attempt of ATTEMPTS) {
        if (attempt.onlyFor && !attempt.onlyFor.some((field) => declared.includes(field))) continue;
        for (const caller of callersOf(route)) {
          const response = await send(route, attempt, caller);
          requests++;
          if (caller === 'operator') operatorRequests++;
          // The session must have carried every operator request past authentication (and CSRF).
          if (
            caller === 'operator' &&
            (response.statusCode === 401 || response.statusCode === 429 || response.body.includes('CSRF_TOKEN_INVALID'))
          )
            operatorRefused.push(
              `${route.method} ${route.url}, ${attempt.name}: ${response.statusCode} ${response.body.slice(0, 120)}`,
            );
          if (response.statusCode >= 500)
            failures.push(
              `${route.method} ${route.url} as ${caller}, ${attempt.name}: ${response.statusCode} ${response.body.slice(0, 120)}`,
            );
        }
        // A route that rotates the client key must not leave the rest of the run unauthenticated.
        if (route.url === '/admin/keys/client-key' && route.method === 'POST')
          clientKey = expectOk(await t.admin('GET', '/admin/keys/client-key')).clientKey;
      }
    }
    expect(failures).toStrictEqual([]);
    expect(requests).toBeGreaterThan(2000);
    expect(operatorRequests).toBeGreaterThan(1000);
    expect(operatorRefused).toStrictEqual([]);
    expect(errorLogs()).toStrictEqual([]);

    // Still healthy, and ordinary requests still work, including the filters that read stored JSON.
    expectOk(await t.admin('GET', '/admin/audit?targetId=hr-room'));
    expectOk(await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"favourite":"x"}')}`));
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const token = await t.createUser('after-the-run');
    await createRoom(t, { _id: 'after-room', members: ['after-the-run', 'bob'] });
    expectOk(
      await t.app.inject({
        method: 'POST',
        url: '/rooms/after-room/message',
        headers: { 'im-client-key': clientKey, 'im-authorization': token, 'content-type': 'application/json' },
        payload: JSON.stringify({ message: 'still here', messageType: 'text' }),
      }),
    );
  }, 240_000);

  it('answers a well-typed body with one over-long string at a time (past index limits) with no 5xx', async () => {
    // 3,000 characters: past PostgreSQL's btree entry limit (~2,700 bytes), under most fields' own limits.
    const long = 'L'.repeat(3000);
    const failures: string[] = [];
    let requests = 0;
    for (const route of routes.filter((entry) => entry.method !== 'GET' && entry.method !== 'DELETE')) {
      const { schema } = describeRoute(route);
      const object = schema?.properties ? schema : schema?.anyOf?.find((branch) => branch.properties);
      for (const [field, property] of Object.entries(object?.properties ?? {})) {
        const typed = property.anyOf?.find((option) => option.type !== 'null') ?? property;
        if (typed.type !== 'string' && !(typed.type === 'array' && typed.items?.type === 'string')) continue;
        const body = { ...(wellTyped(object, 'short') as object), [field]: typed.type === 'string' ? long : [long] };
        const response = await send(
          route,
          { name: `long ${field}`, body: () => body },
          route.auth === 'admin' ? 'key' : route.auth === 'operator' ? 'operator' : 'user',
        );
        requests++;
        if (response.statusCode >= 500)
          failures.push(
            `${route.method} ${route.url} long ${field}: ${response.statusCode} ${response.body.slice(0, 120)}`,
          );
      }
    }
    expect(failures).toStrictEqual([]);
    expect(requests).toBeGreaterThan(50);
    expect(errorLogs()).toStrictEqual([]);
  }, 120_000);

  it('answers every hostile socket event with an error ack, never an internal error', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const token = await t.createUser('socket-user');
    await createRoom(t, { _id: 'socket-room', members: ['socket-user'] });
    const payloads: unknown[] = [
      NUL,
      { room: NUL, message: NUL, messageType: 'text' },
      { room: 'socket-room', message: 'x', messageType: NUL },
      nested(3000),
      { room: 'socket-room', message: nested(3000), messageType: 'custom' },
      ids(40_000),
      12345,
      null,
      [{ $gt: '' }],
      { room: 'socket-room', message: 'x', messageType: 'text', extra: { constructor: { prototype: 1 } } },
      '__proto__',
      's'.repeat(200_000),
      { since: NUL },
      { since: { $gt: 0 } },
      { encoding: NUL },
    ];
    // One connection per event: each stays inside the per-connection event budget.
    const signedIn = async () => {
      const socket = await connect(url, 'G3');
      expect((await authenticate(socket, token, clientKey)).RC).toBe(0);
      return socket;
    };
    const failures: string[] = [];
    for (const event of ['conf', 'chat message', 'typing', 'lastRead', 'sync']) {
      const socket = await signedIn();
      try {
        for (const payload of payloads) {
          const ack = await socket.call(event, payload, payload);
          if (ack && typeof ack === 'object' && Number(ack.RC) >= 500)
            failures.push(`${event} ${JSON.stringify(payload).slice(0, 60)}: ${JSON.stringify(ack).slice(0, 120)}`);
        }
        expect(socket.raw.connected, event).toBe(true);
      } finally {
        socket.close();
      }
    }
    expect(failures).toStrictEqual([]);
    const socket = await signedIn();
    try {
      expect(
        (await socket.call('chat message', { room: 'socket-room', message: 'fine', messageType: 'text' })).RC,
      ).toBe(0);
    } finally {
      socket.close();
    }
    expect(errorLogs()).toStrictEqual([]);
  }, 60_000);
});

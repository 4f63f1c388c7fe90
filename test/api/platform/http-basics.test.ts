import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, testRedisUrl, type TestApp } from '../../helpers/test-app.js';
import { badRequest, shapeB } from '../../helpers/errors.js';

const NOT_JSON = badRequest('Request body is not valid JSON');
const UNSUPPORTED = shapeB(415, 'Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON');
const TOO_LARGE = shapeB(413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'Request body is too large');
/** A random boot id (unique per process start) and a per-process counter. */
const REQUEST_ID = /^[A-Za-z0-9_-]{8}-[0-9a-z]+$/;

/** Routes deliberately left out of the OpenAPI document: the document itself, and PUT as an alias of PATCH. */
// The dashboard's pages and static files (src/plugins/dashboard-static.ts) are no API operations.
const UNDOCUMENTED = new Set([
  'GET /openapi.json',
  'PUT /admin/keys/:id',
  'GET /dashboard',
  'GET /dashboard/*',
  // The built-in test page (history 11.6, src/plugins/chat-test-page.ts) is no API operation either.
  'GET /chat-test',
  'GET /chat-test/app.js',
  'GET /chat-test/style.css',
]);

let t: TestApp;

function raw(
  method: InjectOptions['method'],
  url: string,
  payload: string | Buffer | undefined,
  headers: Record<string, string>,
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, payload, headers, remoteAddress: '127.0.0.1' });
}

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('routing', () => {
  it('answers unknown routes with 404 NOT_FOUND in shape B, without the query string', async () => {
    for (const [method, url, path] of [
      ['GET', '/nope', '/nope'],
      ['POST', '/admin/nothing-here?x=1', '/admin/nothing-here'],
      ['DELETE', '/admin/app', '/admin/app'],
      ['GET', '/', '/'],
    ] as const) {
      const response = await t.admin(method, url);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toStrictEqual(shapeB(404, 'Not Found', 'NOT_FOUND', `Route ${method} ${path} not found`));
    }
    // Without any credentials too: unknown routes are not an authentication matter.
    const bare = await raw('GET', '/nope', undefined, {});
    expect(bare.statusCode).toBe(404);
    expect(bare.json().error.code).toBe('NOT_FOUND');
  });

  it('treats a trailing slash and duplicate slashes as insignificant', async () => {
    for (const url of [
      '/admin/clients/',
      '/admin//clients',
      '//admin/clients',
      '/admin/clients//',
      '/admin/keys/client-key/',
    ]) {
      const response = await t.admin('GET', url);
      expect(response.statusCode, url).toBe(200);
      expect(response.json().RC, url).toBe(0);
    }
    const created = await t.admin('POST', '/admin/clients/', { _id: 'slash-user' });
    expect(created.statusCode).toBe(200);
    expect(created.json().result._id).toBe('slash-user');
    expect((await t.admin('GET', '/admin/clients/slash-user/')).json().result._id).toBe('slash-user');
    expect((await t.admin('GET', '/healthz/')).statusCode).toBe(200);
  });
});

describe('request bodies', () => {
  it('answers malformed JSON with 400 INVALID_REQUEST in shape B', async () => {
    for (const payload of ['{bad', '{"_id": "x",}', '[1, 2', 'undefined', '{"_id": "x"} trailing']) {
      const response = await raw('POST', '/admin/clients', payload, {
        'im-api-key': t.apiKey,
        'content-type': 'application/json',
      });
      expect(response.statusCode, payload).toBe(400);
      expect(response.json(), payload).toStrictEqual(NOT_JSON);
    }
  });

  it('accepts JSON with a charset, in any letter case, or as a +json media type (spec 1.2)', async () => {
    for (const type of [
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'Application/JSON',
      'application/merge-patch+json',
    ]) {
      const response = await raw('POST', '/admin/clients', JSON.stringify({ _id: 'ct-user' }), {
        'im-api-key': t.apiKey,
        'content-type': type,
      });
      expect(response.statusCode, type).toBe(200);
    }
  });

  it('answers a body that is not JSON with 415 in shape B', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const response = await raw('POST', '/admin/clients', '_id=x', { 'im-api-key': t.apiKey, 'content-type': type });
      expect(response.statusCode, type).toBe(415);
      expect(response.json(), type).toStrictEqual(UNSUPPORTED);
    }
    const patch = await raw('PATCH', '/admin/app', 'name=x', { 'im-api-key': t.apiKey, 'content-type': 'text/plain' });
    expect(patch.statusCode).toBe(415);
  });

  it('answers a body over 1 MiB with 413 in shape B, and accepts one just under', async () => {
    const big = JSON.stringify({ _id: 'big-user', description: 'x'.repeat(Math.ceil(1.1 * 1024 * 1024)) });
    const response = await raw('POST', '/admin/clients', big, {
      'im-api-key': t.apiKey,
      'content-type': 'application/json',
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toStrictEqual(TOO_LARGE);
    expect((await t.admin('GET', '/admin/clients/big-user')).statusCode).toBe(404);

    const atLimit = JSON.stringify({ _id: 'limit-user', padding: 'x'.repeat(1024 * 1024 - 40) });
    expect(Buffer.byteLength(atLimit)).toBeLessThanOrEqual(1024 * 1024);
    const fits = await raw('POST', '/admin/clients', atLimit, {
      'im-api-key': t.apiKey,
      'content-type': 'application/json',
    });
    expect(fits.statusCode).not.toBe(413);
  });

  it('treats an empty JSON body as no body', async () => {
    const response = await raw('POST', '/admin/keys/client-key', '', {
      'im-api-key': t.apiKey,
      'content-type': 'application/json',
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz without credentials', async () => {
    const live = await raw('GET', '/healthz', undefined, {});
    expect(live.statusCode).toBe(200);
    expect(live.json()).toStrictEqual({ status: 'ok' });
    const ready = await raw('GET', '/readyz', undefined, {});
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toStrictEqual({
      status: 'ok',
      checks: testRedisUrl ? { database: 'ok', redis: 'ok' } : { database: 'ok' },
    });
  });
});

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3.1 document listing every route with the security of its auth mode', async () => {
    const response = await raw('GET', '/openapi.json', undefined, {});
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.components.securitySchemes).toStrictEqual({
      apiKey: { type: 'apiKey', in: 'header', name: 'IM-API-KEY' },
      clientKey: { type: 'apiKey', in: 'header', name: 'IM-CLIENT-KEY' },
      userToken: { type: 'apiKey', in: 'header', name: 'IM-Authorization' },
    });

    const routes = t.app.routeTable.filter(
      (route) => !route.url.startsWith('/docs') && !UNDOCUMENTED.has(`${route.method} ${route.url}`),
    );
    expect(routes.length).toBeGreaterThanOrEqual(25);
    const expected = new Set<string>();
    for (const route of routes) {
      const path = route.url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
      const name = `${route.method} ${route.url}`;
      expected.add(`${route.method.toLowerCase()} ${path}`);
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${name} is documented`).toBeDefined();
      const security =
        route.auth === 'admin'
          ? [{ apiKey: [] }]
          : route.auth === 'user'
            ? [{ clientKey: [], userToken: [] }, { apiKey: [] }]
            : route.auth === 'clientKey' || route.auth === 'bodyTokens'
              ? [{ clientKey: [] }, { apiKey: [] }]
              : [];
      expect(operation.security, name).toStrictEqual(security);
      expect(operation.summary, `${name} has a summary`).toEqual(expect.any(String));
      if (route.url.includes(':')) {
        const params = (operation.parameters ?? [])
          .filter((parameter: { in: string }) => parameter.in === 'path')
          .map((parameter: { name: string }) => parameter.name);
        expect(params.sort(), name).toStrictEqual(
          [...route.url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]).sort(),
        );
      }
    }
    // …and nothing that is not a route.
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`),
    );
    for (const operation of documented) expect(expected.has(operation), operation).toBe(true);
  });

  it('serves the interactive reference at /docs', async () => {
    const response = await raw('GET', '/docs', undefined, {});
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
    expect(response.body).toMatch(/swagger/i);
  });
});

describe('every response', () => {
  it('carries a fresh X-Request-Id', async () => {
    const responses = [
      await raw('GET', '/healthz', undefined, {}),
      await raw('GET', '/readyz', undefined, {}),
      await raw('GET', '/openapi.json', undefined, {}),
      await raw('GET', '/docs', undefined, {}),
      await raw('GET', '/nope', undefined, {}),
      await raw('GET', '/admin/clients', undefined, {}),
      await raw('GET', '/admin/clients', undefined, { 'im-api-key': 'wrong-key-wrong-key' }),
      await raw('GET', '/me', undefined, {}),
      await t.admin('GET', '/admin/clients'),
      await t.admin('GET', '/admin/keys/key_none'),
      await raw('POST', '/admin/clients', '{bad', { 'im-api-key': t.apiKey, 'content-type': 'application/json' }),
      await raw('POST', '/admin/clients', 'x', { 'im-api-key': t.apiKey, 'content-type': 'text/plain' }),
      await raw('GET', '/admin/clients', undefined, { 'im-api-key': t.apiKey, 'x-request-id': 'chosen-by-client' }),
    ];
    const ids = responses.map((response) => String(response.headers['x-request-id']));
    for (const [index, id] of ids.entries())
      expect(id, `response ${index} (${responses[index]!.statusCode})`).toMatch(REQUEST_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never contains the API key in an error body, nor in the logs', async () => {
    const key = t.apiKey;
    const mistyped = key.slice(0, -2) + (key.endsWith('AA') ? 'BB' : 'AA');
    const limitedKey = await t.createKey({ name: 'leak check', scopes: ['users:read'], rateLimit: 1 });
    const withKey = { 'im-api-key': key };
    const responses = [
      await raw('GET', `/nope?apiKey=${encodeURIComponent(key)}`, undefined, withKey),
      await raw('POST', '/admin/clients', `{"_id": "${key}"`, { ...withKey, 'content-type': 'application/json' }),
      await raw('POST', '/admin/clients', key, { ...withKey, 'content-type': 'text/plain' }),
      await raw('POST', '/admin/clients', JSON.stringify({ _id: 'x', pad: key.repeat(20_000) }), {
        ...withKey,
        'content-type': 'application/json',
      }),
      await raw('GET', '/admin/clients', undefined, { 'im-api-key': mistyped }),
      await raw('GET', '/admin/clients', undefined, { api_key: mistyped }),
      await raw('GET', '/me', undefined, { 'im-client-key': key, 'im-authorization': key }),
      await raw('GET', '/me', undefined, { 'im-client-key': t.clientKey, 'im-authorization': key }),
      await t.admin('GET', '/me'),
      await t.admin('GET', '/admin/keys/key_none'),
      await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"$bad": 1}')}`),
      await t.admin('PATCH', '/admin/app', { name: '' }),
      await t.admin('POST', '/admin/keys', { name: 'x', scopes: ['nope'] }),
      await raw('GET', '/admin/keys', undefined, { 'im-api-key': limitedKey }),
      await raw('GET', '/admin/clients', undefined, { 'im-api-key': limitedKey }),
      await raw('GET', '/admin/clients', undefined, { 'im-api-key': limitedKey }),
    ];
    const statuses = new Set<number>();
    for (const response of responses) {
      statuses.add(response.statusCode);
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
      for (const secret of [key, mistyped, limitedKey]) {
        expect(response.body).not.toContain(secret);
        expect(response.body).not.toContain(secret.slice(8, 40));
        expect(JSON.stringify(response.headers)).not.toContain(secret);
      }
    }
    expect([...statuses].sort()).toStrictEqual([400, 401, 403, 404, 413, 415, 429]);
    await t.services.activity.flush();
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [key, mistyped, limitedKey]) expect(logs).not.toContain(secret.slice(8, 40));
  });
});
